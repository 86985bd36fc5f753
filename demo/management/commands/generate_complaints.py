"""python manage.py generate_complaints --count N — realistic cases in bulk.

For benchmarks and load tests: three years of cases across a national
organisation, with histories, contact attempts, approval chains and payments
(see demo.synthetic). A million cases take minutes on PostgreSQL.

    python manage.py generate_complaints --paraphrased-day labels.json [--groups 50 --unrelated 5000]

writes instead one day of one unit's complaints through the intake, with
paraphrased groups (demo.paraphrase: the same issue in other words, typos,
another order) among unrelated ones, checking each for near-duplicates as the
worker does, and writes which group each case belongs to (its label) to the file.
"""

import datetime as dt
import json
import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts import roles
from accounts.models import User
from config import clock
from demo import paraphrase, synthetic


class Command(BaseCommand):
    help = "Write N realistic synthetic complaints (with histories and approvals) in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, help="number of complaints to write")
        parser.add_argument("--paraphrased-day", type=Path, metavar="LABELS",
                            help="write one day with paraphrased groups instead; labels to this JSON file")
        parser.add_argument("--groups", type=int, default=50, help="paraphrased groups in that day")
        parser.add_argument("--unrelated", type=int, default=5000, help="unrelated complaints in that day")
        parser.add_argument("--unit", default="GD", help="the unit (code) of that day")
        parser.add_argument("--on", type=dt.date.fromisoformat, help="that day (default: yesterday)")
        parser.add_argument("--years", type=float, default=3, help="span of intake times, ending now")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same cases)")
        parser.add_argument("--chunk", type=int, default=10_000, help="cases per transaction")
        parser.add_argument("--all-open", action="store_true",
                            help="every case received in the last days and still open (sweep benchmarks)")
        parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                            help="processes writing in parallel (PostgreSQL only; default: one per core)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, count, years, seed, chunk, all_open, jobs, no_progress, paraphrased_day, **options):
        if paraphrased_day:
            return self.paraphrased(paraphrased_day, seed=seed, **options)
        if count is None or count < 1:
            raise CommandError("--count must be at least 1")
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        if jobs < 1:
            raise CommandError("--jobs must be at least 1")
        if years <= 0:
            raise CommandError("--years must be positive")
        started = time.monotonic()
        with tqdm(total=count, unit="case", disable=no_progress, file=self.stderr._out,
                  smoothing=0.1, mininterval=1) as bar:
            written = synthetic.generate(count=count, years=years, seed=seed, chunk=chunk, all_open=all_open,
                                         jobs=jobs, progress=bar.update)
        seconds = time.monotonic() - started
        summary = ", ".join(f"{name} {n:,}" for name, n in written.items())
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {count:,} complaints in {seconds:.0f} s ({count / seconds:,.0f}/s): {summary}"))

    def paraphrased(self, labels_path: Path, *, seed, groups, unrelated, unit, on, **options):
        from complaints.services.grouping import check_pending

        by = (User.objects.filter(org_unit__code=unit, groups__name=roles.FRONT_DESK, is_active=True)
              .order_by("pk").first())
        if by is None:
            raise CommandError(f"No active front desk in unit {unit}: run seed_demo first.")
        on = on or clock.today() - dt.timedelta(days=1)
        try:
            told = paraphrase.day(groups=groups, unrelated_count=unrelated, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        started = time.monotonic()
        labels = paraphrase.submit_day(told, on=on, by=by, check=check_pending)
        labels_path.write_text(json.dumps({"on": on.isoformat(), "unit": unit, "seed": seed, "labels": labels},
                                          ensure_ascii=False, indent=0))
        self.stdout.write(self.style.SUCCESS(
            f"Logged {len(labels):,} complaints of {unit} on {on} ({groups} paraphrased groups) in "
            f"{time.monotonic() - started:.0f} s; labels in {labels_path}"))
