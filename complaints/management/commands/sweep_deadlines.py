from django.core.management.base import BaseCommand

from complaints.sweep import sweep


class Command(BaseCommand):
    help = "Run the deadline sweep once (the same one Celery beat runs every minute)."

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(f"Swept {result.cases} cases: {result.due_soon} due soon, {result.overdue} overdue.")
