import time

from django.core.management.base import BaseCommand, CommandError

from dashboards import rollups


class Command(BaseCommand):
    help = ("Fold the cases' changes into the figures' roll-ups (as Celery beat does every "
            "FIGURES_FOLD_SECONDS), or with --rebuild count every cell again from the cases.")

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="count every cell again from the cases")

    def handle(self, *args, rebuild=False, verbosity=1, **options):
        started = time.monotonic()
        if rebuild:
            progress = (lambda month: self.stdout.write(f"  {month:%Y-%m}")) if verbosity > 1 else None
            try:
                cells = rollups.rebuild(progress=progress)
            except rollups.Busy as exc:
                raise CommandError(f"{exc}; try again when it has finished.") from exc
            self.stdout.write(f"Roll-ups rebuilt: {cells} cells in {time.monotonic() - started:.1f} s.")
        else:
            cells = rollups.fold(budget_seconds=float("inf"))
            self.stdout.write(f"Roll-ups folded: {cells} cells counted again in {time.monotonic() - started:.1f} s.")
