import pytest
from dashboards import stats
from tests.dashboards.conftest import scope
pytestmark = pytest.mark.django_db

def test_probe(case, walk, staff, clock):
    a = case("2026-10-12 10:00")
    print(a.first_callback_due, a.resolution_due, a.is_overdue, a.owner)
    a = walk.call(a, "2026-10-13 18:00")
    a = walk.resolve(a, "2026-10-14 10:00")
    a = walk.revisit(a, "2026-10-15 10:00", satisfied=False)
    print(a.state, a.owner, a.reopen_count, a.is_upgraded)
    a = walk.resolve(a, "2026-10-16 10:00")
    print(a.state, a.owner, a.reopen_count, a.is_upgraded, a.revisited_at)
    clock.set("2026-11-15 10:00")
    print(stats.summary(scope(staff["manager_gd"])))
    print(stats.time_in_state(scope(staff["manager_gd"])))
