"""accounts.selectors.role_holder: the active holder of a role nearest to a
unit, walking up the tree (DOMAIN.md §3 owner rules; who is told in §4). Among
several in the nearest unit, the fewest open cases, then the earliest account.
One query for the whole chain of units (the sweep asks it for every unit)."""

import pytest

from accounts import roles
from accounts.selectors import holders_remembered, role_holder
from complaints.models import OPEN_STATES

pytestmark = pytest.mark.django_db


def test_role_holder_is_found_in_the_unit_itself_first(make_user, org):
    make_user("sup_hq", roles.SUPERVISOR, "HQ")
    make_user("sup_gd", roles.SUPERVISOR, "GD")
    here = make_user("sup_sz", roles.SUPERVISOR, "GD-SZ")
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD-SZ"]) == here


def test_role_holder_walks_up_to_the_nearest_unit_that_has_one(make_user, org):
    make_user("sup_hq", roles.SUPERVISOR, "HQ")
    branch = make_user("sup_gd", roles.SUPERVISOR, "GD")
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD-SZ"]) == branch
    assert role_holder(role=roles.SUPERVISOR, unit=org["FJ"]).username == "sup_hq"


def test_role_holder_skips_the_excluded_and_the_inactive(make_user, org):
    head = make_user("sup_hq", roles.SUPERVISOR, "HQ")
    excluded = make_user("sup_gd", roles.SUPERVISOR, "GD")
    make_user("sup_sz_gone", roles.SUPERVISOR, "GD-SZ", is_active=False)
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD-SZ"], exclude=excluded) == head


def test_role_holder_is_none_when_nobody_up_the_chain_holds_the_role(make_user, org):
    make_user("sup_fj", roles.SUPERVISOR, "FJ")
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD-SZ"]) is None


def test_role_holder_among_several_takes_the_fewest_open_cases_then_the_earliest(make_user, org, submit, staff):
    first = staff["supervisor_gd"]  # the earlier account
    second = make_user("sup_b", roles.SUPERVISOR, "GD")
    make_user("sup_hq", roles.SUPERVISOR, "HQ")  # farther away: never chosen while GD has one
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD"], open_states=OPEN_STATES) == first
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD"]) == first
    case = submit(by="handler_gd")
    case.owner = first
    case.save()
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD"], open_states=OPEN_STATES) == second
    assert role_holder(role=roles.SUPERVISOR, unit=org["GD"]) == first  # without loads: the earliest


def test_role_holder_reads_the_whole_chain_in_one_query(make_user, org, django_assert_num_queries):
    make_user("sup_hq", roles.SUPERVISOR, "HQ")
    with django_assert_num_queries(1):
        assert role_holder(role=roles.SUPERVISOR, unit=org["GD-SZ"]).username == "sup_hq"


def test_remembered_holders_answer_as_role_holder_with_one_query_per_role(make_user, org, staff,
                                                                         django_assert_num_queries):
    make_user("sup_hq", roles.SUPERVISOR, "HQ")
    make_user("sup_gd_2", roles.SUPERVISOR, "GD")
    asked = [(unit, exclude) for unit in org.values() for exclude in (None, staff["supervisor_gd"])]
    expected = [role_holder(role=roles.SUPERVISOR, unit=unit, exclude=exclude) for unit, exclude in asked]
    with holders_remembered(), django_assert_num_queries(1):
        found = [role_holder(role=roles.SUPERVISOR, unit=unit, exclude=exclude) for unit, exclude in asked]
    assert found == expected
    assert len({u.pk for u in found if u}) >= 3  # several answers, the excluded one replaced
