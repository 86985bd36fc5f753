"""How well near-duplicates are grouped without a tag (issue 19, part 3): a day of
one unit with ``--groups`` paraphrased groups among ``--unrelated`` unrelated
complaints (demo.paraphrase), logged through the intake and checked as the
worker checks them, after a day like it from which the weights were learnt;
pairwise precision and recall of the groups found against the labels, for
the threshold set (BATCH_MIN_LIKENESS) and the ones around it.

    DATABASE_URL=sqlite:////tmp/grouping.sqlite3 .venv/bin/python bench/grouping_accuracy.py
"""

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from complaints import likeness, similar  # noqa: E402
from complaints.models import Complaint, Likeness  # noqa: E402
from config import clock  # noqa: E402
from demo import paraphrase  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--unrelated", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--before-seed", type=int, default=7, help="the day the weights are learnt from")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    today = clock.today()
    with tempfile.TemporaryDirectory() as tmp:
        before, measured = Path(tmp) / "before.json", Path(tmp) / "day.json"
        call_command("generate_complaints", paraphrased_day=before, groups=args.groups, unrelated=args.unrelated,
                     seed=args.before_seed, on=today - dt.timedelta(days=2))
        call_command("likeness_weights")
        started = time.monotonic()
        call_command("generate_complaints", paraphrased_day=measured, groups=args.groups, unrelated=args.unrelated,
                     seed=args.seed, on=today - dt.timedelta(days=1))
        seconds = time.monotonic() - started
        labels = json.loads(measured.read_text())["labels"]
    found = dict(Complaint.objects.filter(number__in=labels).values_list("number", "issue_group_id"))
    print(f"threshold {settings.BATCH_MIN_LIKENESS} (as logged, {len(labels):,} complaints in {seconds:.0f} s, "
          f"{len(labels) / seconds:.0f}/s with the check): {paraphrase.scores(found, labels)}", flush=True)
    # The same day's sketches grouped again at other thresholds, as the check groups (most alike earlier one).
    rows = list(Likeness.objects.filter(complaint__number__in=labels).order_by("complaint_id")
                .values_list("complaint__number", "complaint__category_id", "sketch"))
    weights = similar.weights()
    for threshold in (0.5, 0.55, 0.6, 0.65, 0.7):
        print(f"threshold {threshold}: {paraphrase.scores(_grouped(rows, weights, threshold), labels)}", flush=True)


def _grouped(rows, weights, threshold) -> dict:
    group, earlier = {}, {}
    for number, category, blob in rows:
        mine = likeness.hashes(blob)
        best = max(((likeness.likeness(mine, other, weights), n) for n, other in earlier.get(category, [])),
                   default=(0, None))
        if best[0] >= threshold:
            group[number] = group.setdefault(best[1], best[1])
        earlier.setdefault(category, []).append((number, mine))
    return {number: group.get(number) for number, _, _ in rows}


if __name__ == "__main__":
    main()
