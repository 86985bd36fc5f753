"""Seed the business calendar with every year the chinesecalendar package holds."""

from django.db import migrations

FIRST_YEAR = 2018


def seed(apps, schema_editor):
    from escalation.calendar import UnknownYear, load_year

    BusinessDay = apps.get_model("escalation", "BusinessDay")
    CalendarYear = apps.get_model("escalation", "CalendarYear")
    year = FIRST_YEAR
    while True:
        try:
            load_year(year=year, day_model=BusinessDay, year_model=CalendarYear)
        except UnknownYear:
            break
        year += 1


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
