"""How long an intake holds the day's number row (issue 20: where more web machines stop
helping). Every intake of a day increments one row (complaints/numbering.py: gap-free
numbers), and holds its lock until the intake commits; so however many web machines
there are, intakes cannot commit faster than 1 / (that hold) a second.

Runs 300 API intakes in process against DATABASE_URL (the production settings of
bench/run), timing each from the moment its number is taken to the end of its commit,
and records the hold and the ceiling it implies in bench/results/number_row.json:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaints_bench DJANGO_DEBUG=false \\
    DJANGO_SECRET_KEY=… DJANGO_ALLOWED_HOSTS=testserver DJANGO_BEHIND_PROXY=true \\
    .venv/bin/python bench/number_row.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

import bench  # noqa: E402
from accounts.models import User  # noqa: E402
from complaints import numbering  # noqa: E402

holds, taken = [], []
reserve = numbering.reserve_numbers


def timed_reserve(day, count):
    numbers = reserve(day, count)
    taken.append(time.perf_counter())
    connection.on_commit(lambda: holds.append(time.perf_counter() - taken[-1]))
    return numbers


numbering.reserve_numbers = timed_reserve
token, _ = Token.objects.get_or_create(user=User.objects.get(username="front_desk_gd"))
client = APIClient()
client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_FORWARDED_PROTO="https")
body = dict(bench.INTAKE, narrative="号码行计时：" + bench.INTAKE["narrative"])
for n in range(330):
    answer = client.post("/api/v1/complaints/", body, format="json", secure=True)
    assert answer.status_code == 201, answer.content
holds = sorted(holds[30:])  # after 30 to warm up
p50, p95 = bench._percentile(holds, 50) * 1000, bench._percentile(holds, 95) * 1000
figure = {"intakes": len(holds), "hold_p50_ms": round(p50, 2), "hold_p95_ms": round(p95, 2),
          "ceiling_per_second": round(1000 / p50)}
print(f"the day's number row is held {figure['hold_p50_ms']} ms (p50), {figure['hold_p95_ms']} ms (p95) per intake: "
      f"at most about {figure['ceiling_per_second']} intakes a second, however many web machines")
bench.record("number_row", {"number_row": figure}, type("Args", (), {"data": os.environ.get("BENCH_DATA", "")})())
