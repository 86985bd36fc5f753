"""The one clock (config/clock.py): domain code reads the time there and
nowhere else, tests and the demo data set it."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from config import clock
from tests.conftest import TEST_NOW, at

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "approvals", "complaints", "config", "dashboards", "escalation", "ops"]
# What reads the real clock behind config.clock's back: these always, and
# timezone.localdate() / localtime() when given no time to convert.
ALWAYS = {("timezone", "now"), ("datetime", "now"), ("datetime", "today"), ("date", "today"),
          ("datetime", "utcnow")}
WITHOUT_ARGUMENT = {("timezone", "localdate"), ("timezone", "localtime")}


def _owner_and_name(node) -> tuple[str, str] | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
        return (node.value.id if isinstance(node.value, ast.Name) else node.value.attr), node.attr
    return None


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        name = _owner_and_name(node)
        if name in ALWAYS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {'.'.join(name)}")
        if isinstance(node, ast.Call) and not node.args and not node.keywords \
                and _owner_and_name(node.func) in WITHOUT_ARGUMENT:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {'.'.join(_owner_and_name(node.func))}()")
    return found


def test_domain_code_reads_the_time_only_through_config_clock():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path == ROOT / "config" / "clock.py":
                continue
            offenders += _clock_reads(path)
    assert offenders == [], "read the time through config.clock:\n" + "\n".join(offenders)


def test_every_test_starts_on_the_fixed_clock():
    assert clock.now() - at(TEST_NOW) < dt.timedelta(minutes=1)
    assert clock.today() == dt.date(2026, 11, 25)


def test_a_test_sets_the_clock_and_it_stands_still(clock):
    clock.set("2026-11-17 17:59")
    assert timezone.now() == at("2026-11-17 17:59") == clock.now


def test_today_is_the_shanghai_date_not_utc(clock):
    from config import clock as product_clock

    clock.set("2026-11-01 00:30")  # 2026-10-31 16:30 UTC
    assert product_clock.today() == dt.date(2026, 11, 1)
    assert product_clock.localnow().hour == 0


def test_fixed_at_holds_inside_the_block_only():
    moment = at("2026-10-08 09:15")
    with clock.fixed_at(moment):
        assert clock.now() == moment
        assert clock.today() == dt.date(2026, 10, 8)
    assert clock.now() != moment


def test_fixed_at_refuses_a_naive_time():
    with pytest.raises(ValueError), clock.fixed_at(dt.datetime(2026, 10, 8, 9, 15)):
        pass
