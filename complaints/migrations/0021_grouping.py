"""Issue 19, batches without a tag: groups of near-duplicate complaints and the decisions on
them; the near-duplicate check of each new case (complaints/services/grouping.py). The
cases logged before were never checked, and are not to be: they are marked checked."""

import django.db.models.deletion
from django.utils import timezone
from django.conf import settings
from django.db import migrations, models


def checked_before(apps, schema_editor):
    apps.get_model("complaints", "Likeness").objects.filter(checked_at__isnull=True).update(checked_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_roles'),
        ('complaints', '0020_similar'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='GroupDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('joined', 'joined by the system'), ('confirmed', 'confirmed'), ('split', 'split off')], max_length=10, verbose_name='decision')),
                ('likeness', models.FloatField(blank=True, null=True, verbose_name='likeness')),
                ('at', models.DateTimeField()),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='IssueGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('tag', models.CharField(max_length=100, unique=True, verbose_name='issue tag')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
            ],
            options={
                'verbose_name': 'group of near-duplicate complaints',
                'verbose_name_plural': 'groups of near-duplicate complaints',
            },
        ),
        migrations.AddField(
            model_name='likeness',
            name='checked_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(checked_before, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='likeness',
            index=models.Index(condition=models.Q(('checked_at__isnull', True)), fields=['complaint'], name='likeness_unchecked'),
        ),
        migrations.AddField(
            model_name='groupdecision',
            name='alike',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='complaints.complaint', verbose_name='most alike'),
        ),
        migrations.AddField(
            model_name='groupdecision',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='groupdecision',
            name='complaint',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_decisions', to='complaints.complaint'),
        ),
        migrations.AddField(
            model_name='issuegroup',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='complaints.category'),
        ),
        migrations.AddField(
            model_name='issuegroup',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by'),
        ),
        migrations.AddField(
            model_name='issuegroup',
            name='leader',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='complaints.complaint', verbose_name='first complaint'),
        ),
        migrations.AddField(
            model_name='issuegroup',
            name='org_unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.orgunit'),
        ),
        migrations.AddField(
            model_name='groupdecision',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='complaints.issuegroup'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='issue_group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='members', to='complaints.issuegroup', verbose_name='group of near-duplicates'),
        ),
        migrations.AddIndex(
            model_name='groupdecision',
            index=models.Index(fields=['complaint', 'kind'], name='group_decision_case'),
        ),
    ]
