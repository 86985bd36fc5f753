"""Seed the authority matrix of docs/rules.md §5 (seed 001)."""

from decimal import Decimal

from django.db import migrations

BASE = ["supervisor"]
TIERS = [
    ("分公司授权", "0", "2000", BASE),
    ("渠道总审批", "2000", "10000", [*BASE, "channel_head"]),
    ("运营总监审批", "10000", "50000", [*BASE, "channel_head", "ops_director"]),
    ("总经理审批", "50000", "500000", [*BASE, "channel_head", "ops_director", "cfo", "general_manager"]),
    ("董事会审批", "500000", None,
     [*BASE, "channel_head", "ops_director", "cfo", "general_manager", "chief_actuary", "board"]),
]


def seed(apps, schema_editor):
    Tier = apps.get_model("approvals", "ApprovalTier")
    Step = apps.get_model("approvals", "TierStep")
    for name, low, high, roles in TIERS:
        tier, _ = Tier.objects.update_or_create(
            min_amount=Decimal(low),
            defaults={"name": name, "max_amount": Decimal(high) if high else None},
        )
        Step.objects.filter(tier=tier).delete()
        Step.objects.bulk_create(Step(tier=tier, position=i, role=role) for i, role in enumerate(roles, 1))


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
