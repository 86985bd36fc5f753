"""Full-text search in Chinese (issue 19, complaints/search.py): words of 2 or
more Chinese characters anywhere in the searched texts, every word typed,
relevance then priority, any part of the case number, the user's scope kept.
The same tests run on SQLite (a scan of the texts) and on PostgreSQL (the
bigram index kept by a trigger); relevance is PostgreSQL's."""

import pytest

from complaints import search
from complaints.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(client_for):
    """found(text, user): the numbers the API lists for ``q=text``, in order."""

    def do(text, user="handler_gd"):
        answer = client_for(user).get("/api/v1/complaints/", {"q": text})
        assert answer.status_code == 200, answer.content
        return [c["number"] for c in answer.json()["results"]]

    return do


def _case(submit, **texts):
    return submit(**{"reason": "积分兑换的商品未发货", "request": "尽快发货", "narrative": "十天前兑换", **texts})


def test_a_two_character_word_in_the_narrative_finds_the_case(submit, found):
    wanted = _case(submit, narrative="客户称柜员推荐的理财到期未兑付")
    _case(submit)
    assert found("理财") == [wanted.number]


@pytest.mark.parametrize("field", ["remedy", "resolution", "root_cause", "issue_tag", "product_ref", "reason",
                                   "request"])
def test_every_searched_text_is_searched(submit, found, field):
    wanted = _case(submit)
    Complaint.objects.filter(pk=wanted.pk).update(**{field: "退款流程超时"})  # an update() too reaches the index
    _case(submit)
    assert found("退款") == [wanted.number]


def test_the_complainant_name_is_searched(submit, found):
    wanted = _case(submit, complainant_name="欧阳明")
    _case(submit, complainant_name="王芳")
    assert found("欧阳") == [wanted.number]


def test_a_longer_word_is_found_as_written_not_as_scattered_characters(submit, found):
    wanted = _case(submit, narrative="购买理财产品后亏损")
    _case(submit, narrative="理财经理说这个产品保本")  # 理财 … 产品, never 理财产品
    assert found("理财产品") == [wanted.number]


def test_a_word_never_spans_two_runs_of_chinese(submit, found):
    _case(submit, narrative="购买理财，财产受损")
    assert found("理财产") == []


def test_what_was_typed_is_read_up_to_ten_words():
    assert len(search.words(" ".join(f"词{i:02d}语" for i in range(30)))) == search.MOST_WORDS


def test_every_word_typed_must_be_found(submit, found):
    both = _case(submit, narrative="信用卡被盗刷，要求退款")
    _case(submit, narrative="信用卡年费争议")
    assert found("信用卡 盗刷") == [both.number]
    assert found("信用卡　退款") == [both.number]  # a full-width space separates words too


def test_a_word_in_letters_and_digits_is_found_as_the_start_of_a_word(submit, found):
    wanted = _case(submit, product_ref="POL-88231")
    _case(submit, product_ref="POL-11111")
    assert found("pol-88231") == [wanted.number]
    assert found("POL-882") == [wanted.number]
    assert len(found("POL")) == 2


def test_any_part_of_the_case_number_of_4_digits_finds_it(submit, found):
    first, second = _case(submit), _case(submit)
    serial = second.number.rsplit("-", 1)[1]
    assert found(serial) == [second.number]
    assert found(second.number) == [second.number]
    assert first.number not in found(serial)


def test_one_chinese_character_searches_names_only(submit, found):
    wanted = _case(submit, complainant_name="王芳")
    _case(submit, complainant_name="李娜", narrative="王先生转告")
    assert found("王") == [wanted.number]


def test_nobody_finds_a_case_outside_their_units(submit, found):
    _case(submit, by="handler_fj", narrative="理财到期未兑付")
    mine = _case(submit, by="handler_gd", narrative="理财到期未兑付")
    assert found("理财", user="handler_gd") == [mine.number]
    assert len(found("理财", user="manager_hq")) == 2


def test_the_workspace_search_box_searches_what_the_complaint_is_about(submit, client_for):
    wanted = _case(submit, narrative="信用卡被盗刷")
    other = _case(submit)
    page = client_for("handler_gd").get("/workspace/", {"tab": "all", "q": "盗刷"}).content.decode()
    assert wanted.number in page and other.number not in page


def test_the_admin_search_searches_what_the_complaint_is_about(submit, client_for, staff):
    wanted = _case(submit, narrative="信用卡被盗刷")
    other = _case(submit)
    staff["manager_hq"].is_superuser = staff["manager_hq"].is_staff = True
    staff["manager_hq"].save()
    page = client_for("manager_hq").get("/admin/complaints/complaint/", {"q": "盗刷"}).content.decode()
    assert wanted.number in page and other.number not in page


def test_what_was_typed_becomes_a_query_of_bigram_phrases():
    assert search.tsquery("理财产品 退款") == "(理财 <-> 财产 <-> 产品) & (退款)"
    assert search.tsquery("POL-882") == "pol:* & 882:*"
    assert search.tsquery("TS-20261125-0000") == "n202611250000:*"
    assert search.tsquery("王") is None and not search.searchable("王")


@pytest.mark.postgres
def test_results_come_by_relevance_then_priority(postgres, submit, found):
    """The reason weighs more than the narrative; equal relevance keeps priority order."""
    in_narrative = _case(submit, narrative="理财到期未兑付")
    in_reason = _case(submit, reason="理财到期未兑付")
    urgent_in_reason = _case(submit, reason="理财到期未兑付", major_impact=True)
    assert found("理财") == [urgent_in_reason.number, in_reason.number, in_narrative.number]


@pytest.mark.postgres
@pytest.mark.parametrize("share", [0.0, 1.0])  # found by the index and sorted, or walked in priority order
def test_relevance_orders_the_first_matches_in_priority_order_and_says_more_were_found(
        postgres, submit, client_for, monkeypatch, share):
    """A search that finds more than ``RANKED`` lists its first ``RANKED`` in priority
    order, most relevant first; the count says "3+" and the rest are not listed."""
    monkeypatch.setattr(search, "RANKED", 3)
    monkeypatch.setattr(search, "estimated_share", lambda text: share)
    in_reason = _case(submit, reason="理财到期未兑付")  # the most relevant, but fourth in priority order
    urgent = [_case(submit, narrative="理财到期未兑付", major_impact=True) for _ in range(3)]
    answer = client_for("handler_gd").get("/api/v1/complaints/", {"q": "理财"}).json()
    assert [c["number"] for c in answer["results"]] == [c.number for c in urgent]
    assert (answer["count"], answer["count_exact"]) == (3, False)
    page = client_for("handler_gd").get("/workspace/", {"tab": "all", "q": "理财"})
    assert page.context["page"].paginator.count_label == "3+" and page.context["ranked"] == 3
    assert in_reason.number not in page.content.decode()

    Complaint.objects.filter(pk__in=[c.pk for c in urgent[1:]]).update(narrative="改为投诉盗刷")
    answer = client_for("handler_gd").get("/api/v1/complaints/", {"q": "理财"}).json()
    assert [c["number"] for c in answer["results"]] == [in_reason.number, urgent[0].number]  # relevance first
    assert (answer["count"], answer["count_exact"]) == (2, True)


@pytest.mark.postgres
@pytest.mark.parametrize("share", [0.0, 1.0])
def test_a_common_word_walked_in_priority_order_and_a_rare_one_found_by_the_index_list_the_same(
        postgres, submit, found, monkeypatch, share):
    in_narrative = _case(submit, narrative="理财到期未兑付")
    in_reason = _case(submit, reason="理财到期未兑付")
    urgent = _case(submit, narrative="理财到期未兑付", major_impact=True)
    _case(submit)
    monkeypatch.setattr(search, "estimated_share", lambda text: share)
    assert found("理财") == [in_reason.number, urgent.number, in_narrative.number]
    assert found("理财到期") == [in_reason.number, urgent.number, in_narrative.number]
    assert found("盗刷") == []


@pytest.mark.postgres
def test_the_share_of_cases_holding_the_words_is_estimated_from_postgresql_statistics(postgres, submit):
    from django.db import connection

    for narrative in ("理财到期未兑付", "理财产品亏损", "信用卡年费", "信用卡盗刷"):
        _case(submit, narrative=narrative)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_searchdocument")
    assert search.estimated_share("理财") == pytest.approx(0.5)
    assert search.estimated_share("理财产品") == pytest.approx(0.25)  # its rarest pair: 财产, 产品
    assert search.estimated_share("理财 信用卡") == pytest.approx(0.25)  # each word's share, multiplied
    assert search.estimated_share("欧阳") == search.estimated_share("POL") == 0.0  # unknown: rare


@pytest.mark.postgres
def test_exactly_the_first_matches_found_are_counted_exactly(postgres, submit, client_for, monkeypatch):
    monkeypatch.setattr(search, "RANKED", 2)
    for _ in range(2):
        _case(submit, narrative="理财到期未兑付")
    answer = client_for("handler_gd").get("/api/v1/complaints/", {"q": "理财"}).json()
    assert (answer["count"], answer["count_exact"]) == (2, True)
    page = client_for("handler_gd").get("/workspace/", {"tab": "all", "q": "理财"})
    assert page.context["ranked"] is None  # no note: nothing more was found


@pytest.mark.postgres
def test_an_export_of_a_search_lists_every_match_in_priority_order(postgres, submit, client_for, monkeypatch):
    from tests.dashboards.test_exports import case_rows

    monkeypatch.setattr(search, "RANKED", 2)
    cases = [_case(submit, narrative="理财到期未兑付") for _ in range(3)]
    rows = case_rows(client_for("manager_gd").get("/dashboard/cases.xlsx", {"q": "理财"}))
    assert len(rows) == 1 + 3 and {c.number for c in cases} <= {cell for row in rows for cell in row}


@pytest.mark.postgres
def test_other_filters_narrow_the_matches_before_the_first_are_taken(postgres, submit, found, client_for, monkeypatch):
    monkeypatch.setattr(search, "RANKED", 2)
    for _ in range(3):
        _case(submit, narrative="理财到期未兑付", major_impact=True)
    wanted = _case(submit, narrative="理财到期未兑付", channel="walk_in")  # the others by phone
    answer = client_for("handler_gd").get("/api/v1/complaints/", {"q": "理财", "channel": "walk_in"}).json()
    assert [c["number"] for c in answer["results"]] == [wanted.number]


@pytest.mark.postgres
def test_the_index_keeps_up_with_the_texts_and_skips_other_updates(postgres, submit, found):
    from django.db import connection

    case = _case(submit)
    Complaint.objects.filter(pk=case.pk).update(is_overdue=True)  # not a searched text: the trigger stays idle
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text FROM complaints_searchdocument WHERE complaint_id = %s", [case.pk])
        (vector,) = cursor.fetchone()
    assert "'兑换'" in vector and "'发货'" in vector
    Complaint.objects.filter(pk=case.pk).update(narrative="改为投诉盗刷")
    assert found("盗刷") == [case.number]
    assert found("十天") == []


@pytest.mark.postgres
def test_a_very_long_text_is_indexed_without_failing(postgres, submit, found):
    case = _case(submit)
    long_text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(100_000)) + "退款超时"
    Complaint.objects.filter(pk=case.pk).update(root_cause="退款超时" + long_text)  # unbounded fields too
    assert found("退款超时") == [case.number]  # the start of the text is indexed


def test_the_index_and_the_scan_search_the_same_texts():
    """The PostgreSQL index (migration 0019) and SQLite's scan name the searched texts apart."""
    import importlib

    migration = importlib.import_module("complaints.migrations.0019_search")
    indexed = {column for columns in migration.WEIGHTS.values() for column in columns}
    assert indexed == set(search.TEXT_FIELDS)
