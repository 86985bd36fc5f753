"""python manage.py generate_complaints --count N — realistic cases in bulk.

For benchmarks and load tests: three years of cases across a national
organisation, with histories, contact attempts, approval chains and payments
(see demo.synthetic). A million cases take minutes on PostgreSQL.
"""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from demo import synthetic


class Command(BaseCommand):
    help = "Write N realistic synthetic complaints (with histories and approvals) in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="number of complaints to write")
        parser.add_argument("--years", type=float, default=3, help="span of intake times, ending now")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same cases)")
        parser.add_argument("--chunk", type=int, default=10_000, help="cases per transaction")
        parser.add_argument("--all-open", action="store_true",
                            help="every case received in the last days and still open (sweep benchmarks)")
        parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                            help="processes writing in parallel (PostgreSQL only; default: one per core)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, count, years, seed, chunk, all_open, jobs, no_progress, **options):
        if count < 1:
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
