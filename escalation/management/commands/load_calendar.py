from django.core.management.base import BaseCommand, CommandError

from escalation.calendar import UnknownYear, load_year
from escalation.models import BusinessDay, CalendarYear


class Command(BaseCommand):
    help = ("Load years of the Chinese working calendar from the chinesecalendar package. "
            "Days an administrator corrected are kept unless --replace.")

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)
        parser.add_argument("--replace", action="store_true", help="overwrite administrators' corrections")

    def handle(self, *args, years, replace, **options):
        for year in years:
            try:
                written = load_year(year=year, day_model=BusinessDay, year_model=CalendarYear, replace=replace)
            except UnknownYear as exc:
                raise CommandError(f"{year}: {exc}. Upgrade the chinesecalendar package, or enter the "
                                   f"year's holidays and make-up workdays in the admin.") from exc
            self.stdout.write(f"{year}: {written} days written.")
