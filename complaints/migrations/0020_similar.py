"""Issue 19, similar complaints: each case's likeness sketch (complaints/likeness.py) and
its repeat mark (complaints/similar.py), for the cases already logged too. About two
minutes at a million cases (docs/DEPLOY.md). The column has a database default, so the
version before keeps logging while this runs."""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q

from complaints import likeness

CHUNK = 5000


def sketch_every_case(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Likeness = apps.get_model("complaints", "Likeness")
    last = 0
    while True:
        rows = list(Complaint.objects.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "reason", "request", "narrative")[:CHUNK])
        if not rows:
            return
        Likeness.objects.bulk_create(
            [Likeness(complaint_id=pk, sketch=likeness.sketch(likeness.text_of(reason=r, request=q, narrative=n)))
             for pk, r, q, n in rows], ignore_conflicts=True)
        last = rows[-1][0]


def mark_repeats(apps, schema_editor):
    """As complaints.similar.repeated: the same complainant, the same category, in the 7 days before."""
    Complaint = apps.get_model("complaints", "Complaint")
    earlier = (Complaint.objects.filter(category_id=OuterRef("category_id"),
                                        received_at__gte=OuterRef("received_at") - dt.timedelta(days=7),
                                        received_at__lte=OuterRef("received_at"))
               .filter(Q(complainant_phone=OuterRef("complainant_phone"))
                       | Q(complainant_id_number=OuterRef("complainant_id_number"), complainant_id_number__gt=""))
               .exclude(pk=OuterRef("pk")))
    Complaint.objects.filter(Exists(earlier)).update(is_repeat=True)


class Migration(migrations.Migration):
    # Each step commits on its own: the column and indexes are added at once, and the backfill
    # writes its batches without holding the case table (the version before keeps logging).
    atomic = False

    dependencies = [
        ('accounts', '0002_roles'),
        ('complaints', '0019_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Likeness',
            fields=[
                ('complaint', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='likeness', serialize=False, to='complaints.complaint')),
                ('sketch', models.BinaryField()),
            ],
            options={
                'db_table': 'complaints_likeness',
            },
        ),
        migrations.AddField(
            model_name='complaint',
            name='is_repeat',
            field=models.BooleanField(db_default=False, default=False, verbose_name='repeat complaint'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('complainant_id_number', ''), _negated=True), fields=['complainant_id_number'], name='cmp_id_number_idx'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['org_unit', 'received_at'], name='cmp_unit_received_idx'),
        ),
        migrations.RunPython(sketch_every_case, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(mark_repeats, migrations.RunPython.noop, elidable=True),
    ]
