"""Similar complaints (issue 19, part 2; docs/rules.md §3): the likeness of two
texts, the same complainant's complaints and the repeat mark (重复投诉), the
unit's most similar complaints with their outcome, on the case page and in the
intake preview, within the user's scope."""

import datetime as dt
import importlib
import math
import random
import zlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from complaints import likeness, similar
from complaints.models import Complaint, Likeness
from tests.ui.test_pages_permissions import intake_form  # the intake page's form as a clerk types it

pytestmark = pytest.mark.django_db

CARD = "信用卡在境外被盗刷三笔共计八千元，要求银行退款并冻结卡片"
SAME_CARD = "境外信用卡被盗刷了三笔，一共八千元，要求退款，把卡冻结"
LOAN = "提前还款被收取违约金，柜员未提前告知，要求退还违约金"


def _cosine(a: str, b: str) -> float:
    """The likeness of two texts when every token weighs the same."""
    ta, tb = likeness.tokens(a), likeness.tokens(b)
    return len(ta & tb) / math.sqrt(len(ta) * len(tb))


def _sketched(text: str) -> frozenset[int]:
    return likeness.hashes(likeness.sketch(text))


def test_likeness_tokens_are_the_pairs_of_chinese_characters_and_the_words_of_letters_and_digits():
    assert likeness.tokens("理财产品，POL-88") == {"理财", "财产", "产品", "pol", "88"}
    assert likeness.tokens("ＰＯＬ８８　理财") == {"pol88", "理财"}  # full-width reads as half-width
    assert likeness.tokens("退") == {"退"}


def test_likeness_is_the_cosine_of_the_tokens_weighted_by_rarity():
    a, b = _sketched(CARD), _sketched(SAME_CARD)
    assert likeness.likeness(a, b) == pytest.approx(_cosine(CARD, SAME_CARD))  # weights not learnt: all the same
    assert likeness.likeness(a, a) == pytest.approx(1.0)
    assert likeness.likeness(a, _sketched(LOAN)) < 0.1
    assert likeness.likeness(a, frozenset()) == 0.0
    # Learnt from 1,000 complaints: 要求 and 尽快 in 900 of them, 境外 and 盗刷 in 2. A case sharing
    # a rare token is more alike than one sharing a common token; counted alike, both share as much.
    ask, soon, abroad, stolen = (zlib.crc32(w.encode()) for w in ("要求", "尽快", "境外", "盗刷"))
    learnt = likeness.Weights({ask: 900, soon: 900, abroad: 2, stolen: 2}, cases=1000)
    x, y, z = frozenset({abroad, ask}), frozenset({abroad, soon}), frozenset({ask, stolen})
    assert likeness.likeness(x, y) == likeness.likeness(x, z) == pytest.approx(0.5)
    assert likeness.likeness(x, y, learnt) > 0.9 > 0.1 > likeness.likeness(x, z, learnt)
    w = learnt.squared
    assert likeness.likeness(x, y, learnt) == pytest.approx(
        w[abroad] / math.sqrt((w[abroad] + w[ask]) * (w[abroad] + w[soon])))


def test_likeness_weights_are_learnt_from_how_many_complaints_hold_each_token():
    sketches = [likeness.sketch(t) for t in ("理财到期", "理财逾期", "信用卡年费", "理财")]
    learnt = likeness.Weights.unpacked(likeness.counted(sketches), cases=4)
    licai = zlib.crc32("理财".encode())
    assert learnt.squared[licai] == pytest.approx(math.log(5 / 4) ** 2)  # in 3 of 4
    assert zlib.crc32("年费".encode()) not in learnt.squared  # found once: weighs as unseen
    assert learnt.unseen == pytest.approx(math.log(5 / 2) ** 2)


def test_likeness_of_long_texts_is_estimated_over_the_hashes_both_sketches_cover():
    long_a = "".join(chr(0x4E00 + i) for i in range(400))
    long_b = long_a[:300] + "".join(chr(0x5E00 + i) for i in range(100))
    a, b = _sketched(long_a), _sketched(long_b)
    assert len(a) == len(b) == likeness.SKETCH
    assert likeness.likeness(a, b) == pytest.approx(_cosine(long_a, long_b), abs=0.1)


@pytest.mark.parametrize("least", [0.3, 0.6, 0.8])
def test_likeness_index_scores_as_likeness_scores_every_sketch_sharing_a_token(least):
    """The near-duplicate check's index finds the same likeness as comparing each
    pair, long texts (full sketches, compared over the hashes both cover) included."""
    rng = random.Random(19)
    chars = [chr(0x4E00 + i) for i in range(300)]
    texts = ["".join(rng.choice(chars[:60]) for _ in range(rng.choice([8, 20, 60, 200, 400]))) for _ in range(60)]
    sketches = [likeness.sketch(t) for t in texts]
    learnt = likeness.Weights.unpacked(likeness.counted(sketches), cases=len(sketches))
    index = likeness.Index(learnt)
    for key, blob in enumerate(sketches):
        index.add(key, blob)
    assert any(len(likeness.hashes(b)) == likeness.SKETCH for b in sketches)
    assert sum(len(likeness.hashes(b)) < likeness.SKETCH for b in sketches) > 20  # short ones: the prefix prunes
    for probe in sketches[:40] + [likeness.sketch("理财到期未兑付")]:
        pairs = sorted(((likeness.likeness(likeness.hashes(probe), likeness.hashes(b), learnt), key)
                        for key, b in enumerate(sketches)), key=lambda p: (-p[0], p[1]))
        expected = [(pytest.approx(score), key) for score, key in pairs if score >= least]
        assert index.most_alike(probe, least=least) == expected
    assert likeness.Index().most_alike(likeness.sketch(""), least=0.0) == []


def test_word_order_punctuation_and_a_typo_keep_texts_alike():
    text = "理财产品到期未兑付，客户要求说明原因"
    moved = "客户要求说明原因。理财产品到期未兑付！"
    typo = "理财产品到其未兑付，客户要求说明原因"
    assert _cosine(text, moved) > 0.9
    assert _cosine(text, typo) > 0.8


# --- 重复投诉 -----------------------------------------------------------------------

def test_repeat_complaint_same_complainant_same_category_within_7_days(clock, submit):
    clock.set("2026-11-18 10:00")
    first = submit()
    clock.set("2026-11-25 10:00")  # exactly 7 days later
    again = submit()
    assert (first.is_repeat, again.is_repeat) == (False, True)


def test_repeat_complaint_not_after_7_days(clock, submit):
    clock.set("2026-11-18 10:00")
    submit()
    clock.set("2026-11-25 10:01")
    assert submit().is_repeat is False


def test_repeat_complaint_not_in_another_category(clock, submit):
    submit(category="I-2")
    assert submit(category="I-1").is_repeat is False


def test_repeat_complaint_found_by_id_number_with_another_phone(submit):
    submit(complainant_phone="13900000001", complainant_id_number="11010519491231002X")
    assert submit(complainant_phone="13900000002", complainant_id_number="11010519491231002X").is_repeat
    assert not submit(complainant_phone="13900000003").is_repeat


def test_repeat_complaint_counts_another_units_complaint(submit):
    submit(by="handler_fj", complainant_phone="13900000009")
    assert submit(by="handler_gd", complainant_phone="13900000009").is_repeat


def test_intake_writes_the_sketch_of_the_texts(submit):
    case = submit(reason="理财", request="退款", narrative=CARD)
    stored = Likeness.objects.get(complaint=case).sketch
    assert bytes(stored) == likeness.sketch(likeness.text_of(reason="理财", request="退款", narrative=CARD))


# --- The panel -------------------------------------------------------------------------

def test_same_complainant_cases_of_12_months_marked_repeat_within_7_days(clock, submit, staff):
    clock.set("2025-11-20 10:00")
    submit(complainant_phone="13900000011")  # more than 12 months before
    clock.set("2026-06-01 10:00")
    older = submit(complainant_phone="13900000011")
    clock.set("2026-11-20 10:00")
    other_category = submit(complainant_phone="13900000011", category="I-1")
    clock.set("2026-11-24 10:00")
    close = submit(complainant_phone="13900000011")
    clock.set("2026-11-25 10:00")
    case = submit(complainant_phone="13900000011")
    related, total = similar.complainant_cases(user=staff["handler_gd"], complaint=case)
    assert [(r.complaint.number, r.repeat) for r in related] == [
        (close.number, True), (other_category.number, False), (older.number, False)]
    assert total == 3


def test_same_complainant_cases_are_only_those_the_user_may_see(submit, staff):
    submit(by="handler_fj", complainant_phone="13900000012")
    case = submit(by="handler_gd", complainant_phone="13900000012")
    assert similar.complainant_cases(user=staff["handler_gd"], complaint=case) == ([], 0)
    assert len(similar.complainant_cases(user=staff["cs_manager_hq"], complaint=case)[0]) == 1


def test_most_similar_complaints_of_the_unit_most_alike_first_with_their_outcome(submit, staff, clock):
    alike = submit(narrative=SAME_CARD)
    Complaint.objects.filter(pk=alike.pk).update(remedy="退还盗刷款项", amount="8000.00", resolution="已退款",
                                                 revisit_satisfied=True)
    near = submit(narrative="信用卡被盗刷，要求退款")
    submit(narrative=LOAN, reason="提前还款违约金", request="退还")
    submit(by="handler_fj", narrative=CARD)  # another unit
    submit(narrative=CARD, category="I-1")  # another category
    case = submit(narrative=CARD)
    panel = similar.for_case(user=staff["handler_gd"], complaint=case)
    assert [r.complaint.number for r in panel["similar"]] == [alike.number, near.number]
    first = panel["similar"][0]
    assert (first.complaint.remedy, str(first.complaint.amount), first.complaint.revisit_satisfied) == (
        "退还盗刷款项", "8000.00", True)
    assert first.likeness > panel["similar"][1].likeness >= 0.3


def test_most_similar_shows_five_at_most(submit, staff):
    for _ in range(7):
        submit(narrative=SAME_CARD)
    case = submit(narrative=CARD)
    assert len(similar.for_case(user=staff["handler_gd"], complaint=case)["similar"]) == similar.SIMILAR_SHOWN


def test_most_similar_within_90_days(clock, submit, staff):
    clock.set("2026-08-26 09:59")
    submit(narrative=SAME_CARD)  # 90 days and a minute before
    clock.set("2026-08-26 10:01")
    inside = submit(narrative=SAME_CARD)
    clock.set("2026-11-24 10:00")
    case = submit(narrative=CARD)
    clock.set("2026-11-25 10:00")
    assert [r.complaint.pk for r in similar.for_case(user=staff["handler_gd"], complaint=case)["similar"]] == [
        inside.pk]


def test_similar_least_likeness_is_a_setting(submit, staff, settings):
    submit(narrative="信用卡被盗刷，要求退款")
    case = submit(narrative=CARD)
    settings.SIMILAR_MIN_LIKENESS = 0.9
    assert similar.for_case(user=staff["handler_gd"], complaint=case)["similar"] == []


def test_the_case_page_shows_the_panel(submit, client_for):
    earlier = submit(narrative=SAME_CARD, complainant_phone="13900000021")
    case = submit(narrative=CARD, complainant_phone="13900000021")
    page = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert "相似投诉" in page
    assert page.count(earlier.number) == 2  # the same complainant, and the most similar
    assert "重复投诉" in page


def test_the_intake_preview_shows_the_repeat_and_the_similar_complaints(submit, client_for):
    earlier = submit(narrative=SAME_CARD)
    answer = client_for("handler_gd").post("/complaints/new/preview/",
                                           intake_form(narrative=CARD, complainant_phone="13800138000"))
    body = answer.json()
    assert body["ok"] and body["is_repeat"] is True
    assert earlier.number in body["similar_html"]


def test_on_postgresql_only_the_complaints_sharing_the_rarest_words_are_compared(submit):
    """A unit's busy months cost a few hundred comparisons (similar.narrowed): on PostgreSQL the
    search index picks those sharing most of the text's rarest words; SQLite compares them all."""
    from complaints.services.grouping import learn_weights

    for _ in range(3):
        submit(narrative=LOAN, reason="提前还款违约金", request="退还")
    alike = submit(narrative=SAME_CARD)
    learn_weights()
    kept = list(similar.narrowed(Likeness.objects.all(), likeness.text_of_case(alike), similar.weights(), most=2)
                .values_list("complaint_id", flat=True))
    if connection.vendor == "postgresql":
        assert alike.pk in kept and len(kept) <= 2
    else:
        assert len(kept) == 4


# --- What was there before -----------------------------------------------------------------

def test_the_migration_sketches_and_marks_the_cases_logged_before(submit):
    first, second = submit(narrative=CARD), submit(narrative=SAME_CARD)
    Likeness.objects.all().delete()
    Complaint.objects.update(is_repeat=False)
    migration = importlib.import_module("complaints.migrations.0020_similar")
    migration.sketch_every_case(django_apps, connection.schema_editor)
    migration.mark_repeats(django_apps, connection.schema_editor)
    assert Likeness.objects.count() == 2
    assert list(Complaint.objects.order_by("pk").values_list("is_repeat", flat=True)) == [False, True]
    assert first.received_at <= second.received_at <= first.received_at + dt.timedelta(days=7)
