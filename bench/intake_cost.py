"""In-process cost of one API intake (ms), for comparing two versions of the code
on the same machine: a fresh database, the demo users, 30 warm-up intakes, then
the best of 3 × 200 intakes by the front desk's token (middleware, DRF, the
intake service, the answer). Run it from each checkout against its own database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/t_new DJANGO_DEBUG=false \\
    DJANGO_SECRET_KEY=… DJANGO_ALLOWED_HOSTS=testserver DJANGO_BEHIND_PROXY=true \\
    .venv/bin/python bench/intake_cost.py new
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402

call_command("migrate", verbosity=0)
call_command("seed_demo", complaints=0, stdout=open(os.devnull, "w"))
token, _ = Token.objects.get_or_create(user=User.objects.get(username="front_desk_gd"))
client = APIClient()
client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_FORWARDED_PROTO="https")
BODY = {"channel": "walk_in", "complainant": {"name": "李娜", "phone": "13912345678", "gender": "F",
                                              "customer_type": "existing", "vip": False, "sensitive_identity": "none"},
        "category": "I-2", "reason": "兑换商品未发货", "request": "尽快发货", "narrative": "十天未到"}
for _ in range(30):
    answer = client.post("/api/v1/complaints/", BODY, format="json", secure=True)
assert answer.status_code == 201, answer.content
rounds = []
for _ in range(3):
    start = time.perf_counter()
    for _ in range(200):
        client.post("/api/v1/complaints/", BODY, format="json", secure=True)
    rounds.append((time.perf_counter() - start) / 200 * 1000)
print(f"{sys.argv[1] if len(sys.argv) > 1 else 'this checkout'}: {min(rounds):.2f} ms per intake (best of 3 × 200)")
