"""How long a search takes at a million cases (issue 19), in process, as the
workspace asks it: the first page of 30 by relevance then priority, and the
count (capped at 10,000 as the workspace's paginator does), for head office
and for a branch clerk, with a common word, a rarer one and a part of a case
number. Median and max of ``--runs`` runs after one warm-up.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaints_bench \\
    .venv/bin/python bench/search_cost.py --runs 9
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from accounts.models import User  # noqa: E402
from complaints import search, selectors  # noqa: E402
from complaints.models import Complaint  # noqa: E402
from config.pagination import EstimatedCountPaginator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--words", nargs="*", default=["理财", "退款", "电梯故障", "储蓄卡被冻结", "欧阳"])
    args = parser.parse_args()
    number = Complaint.objects.order_by("-pk").values_list("number", flat=True).first()
    words = [*args.words, number.rsplit("-", 1)[1]]
    for username in ("general_manager_hq", "handler_gd"):
        user = User.objects.get(username=username)
        for word in words:
            times, found = [], 0
            for i in range(args.runs + 1):
                started = time.perf_counter()
                page = EstimatedCountPaginator(search.search(selectors.complaint_list(user=user), word), 30).get_page(1)
                found = (len(page.object_list), page.paginator.count)
                if i:
                    times.append((time.perf_counter() - started) * 1000)
            print(f"{username:20} {word:10} page {found[0]:3}, count {found[1]:>6}: median {statistics.median(times):7.1f} ms,"
                  f" max {max(times):7.1f} ms", flush=True)


if __name__ == "__main__":
    main()
