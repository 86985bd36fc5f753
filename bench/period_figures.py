"""How long the figures of a period nobody asked for before take at a million
cases (issue 17 item 6), in process, as a request with a new period would: the
stats summary, the dashboard's figures, the trend and the quarterly workbook's
tables, for head office (every unit) and for one branch, each period chosen at
random (1 day to 3 years). ``--source cases`` computes them from the cases
(before the roll-ups), ``--source rollups`` reads the roll-ups (built first
with ``manage.py rollups --rebuild``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaints_bench \\
    .venv/bin/python bench/period_figures.py --runs 5 --source rollups
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from accounts.models import OrgUnit, User  # noqa: E402
from complaints import selectors  # noqa: E402
from dashboards import rollups, stats  # noqa: E402
from dashboards.exports import report_figures  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", choices=["cases", "rollups"], default="rollups")
    args = parser.parse_args()

    def source():
        return rollups.Kept() if args.source == "rollups" else stats.FromCases()

    rng = random.Random(17)
    hq_user = User.objects.get(username="general_manager_hq")
    today = dt.date.today()
    rows = []
    for label, unit in (("head office", None), ("branch GD", OrgUnit.objects.get(code="GD"))):
        for days in (1, 31, 92, 365, 1095):
            times = {"summary": [], "dashboard": []}
            for _ in range(args.runs):
                end = today - dt.timedelta(days=rng.randrange(0, 60))
                scope = stats.Scope(user=hq_user, date_from=end - dt.timedelta(days=days - 1), date_to=end, unit=unit)
                times["summary"].append(timed(lambda: stats.summary(scope, source=source())))
                times["dashboard"].append(timed(lambda: report_figures(scope, source=source())))
            rows.append((label, days, {k: statistics.median(v) for k, v in times.items()},
                         {k: max(v) for k, v in times.items()}))
            print(f"{label:12} {days:5} days: summary median {rows[-1][2]['summary']:8.0f} ms (max "
                  f"{rows[-1][3]['summary']:6.0f}), dashboard figures median {rows[-1][2]['dashboard']:8.0f} ms "
                  f"(max {rows[-1][3]['dashboard']:6.0f})", flush=True)
        trend = [timed(lambda: stats.trend(hq_user, unit, months=36, source=source())) for _ in range(args.runs)]
        print(f"{label:12} trend (36 months): median {statistics.median(trend):8.0f} ms (max {max(trend):6.0f})",
              flush=True)
        year, quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
        first, last = stats.quarter_of(year, quarter)
        scope = stats.Scope(user=hq_user, date_from=first, date_to=last, unit=unit)
        quarterly = timed(lambda: stats.quarterly(scope, selectors.causes()))
        print(f"{label:12} quarterly tables {year}Q{quarter}: {quarterly:8.0f} ms", flush=True)


if __name__ == "__main__":
    main()
