"""Similar complaints (issue 19, docs/rules.md §3): handlers settle like cases alike.

- **The same complainant** (by phone number or ID number): their complaints
  in the 12 months before this one and since. A complaint is a **repeat
  complaint** (重复投诉) of another of the same complainant in the same category
  received within ``REPEAT_WITHIN`` (7 days) of it; a case is marked a repeat
  (``is_repeat``, counted by the 重复投诉率) at intake when such a complaint was
  received in the 7 days before it.
- **The most similar complaints of the unit:** the ``SIMILAR_SHOWN`` (5)
  complaints of the same unit and category (同类) received within
  ``SIMILAR_WITHIN`` (90 days) of this one whose texts are most alike (complaints/likeness.py), at least
  ``settings.SIMILAR_MIN_LIKENESS``, with how each was settled.

The tokens' weights (how rare each is) are learnt from recent complaints
(``weights``).

Both lists show only cases the user may see (``visible_to``).
"""

import datetime as dt
import heapq
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q

from complaints import likeness, policies
from complaints.models import Complaint, IssueGroup, Likeness, LikenessWeights
from config import clock
from config.kept import KeptInProcess

REPEAT_WITHIN = dt.timedelta(days=7)
SAME_COMPLAINANT_WITHIN = dt.timedelta(days=365)  # 12 months
SIMILAR_WITHIN = dt.timedelta(days=90)
SIMILAR_SHOWN = 5
COMPLAINANT_SHOWN = 20
# On PostgreSQL a case page's text is compared with the CANDIDATES sharing most of its 8 rarest words (the
# near-duplicate check compares every one of the day's that shares a token: complaints/services/grouping.py).
RAREST, CANDIDATES = 8, 300
_learnt: KeptInProcess[tuple | None] = KeptInProcess(max_entries=1)
_built: dict = {}


def weights() -> likeness.Weights:
    """The tokens' weights last learnt (complaints/services/grouping.py:
    learn_weights): which were learnt last is asked at most every
    REFERENCE_CACHE_SECONDS, and they are read and built again only when they
    changed. Every token weighs the same until they are learnt."""
    learnt = _learnt.get("learnt", lambda: LikenessWeights.objects.order_by("-learnt_at")
                         .values_list("pk", "learnt_at", "cases").first())
    if learnt is None:
        return likeness.UNIFORM
    if _built.get("learnt") != learnt:
        counts, cases = LikenessWeights.objects.filter(pk=learnt[0]).values_list("counts", "cases").first() \
            or (b"", 0)
        _built.update(learnt=learnt, weights=likeness.Weights.unpacked(counts, cases))
    return _built["weights"]


def same_complainant(phone: str, id_number: str = "") -> Q:
    """The complaints of the person with this phone number or ID number."""
    found = Q(complainant_phone=phone) if phone else Q(pk__in=[])
    if id_number:
        found |= Q(complainant_id_number=id_number)
    return found


def is_repeat(a: Complaint, b: Complaint) -> bool:
    """§3 重复投诉: two complaints of one complainant in the same category received within 7 days of each other."""
    return a.category_id == b.category_id and abs(a.received_at - b.received_at) <= REPEAT_WITHIN


def repeated(*, phone: str, id_number: str, category_id: int, received_at: dt.datetime,
             exclude_pk: int | None = None) -> bool:
    """Whether a complaint received at ``received_at`` repeats an earlier one
    (``is_repeat``): the same complainant, the same category, in the 7 days before."""
    earlier = Complaint.objects.filter(same_complainant(phone, id_number), category_id=category_id,
                                       received_at__gte=received_at - REPEAT_WITHIN, received_at__lte=received_at)
    if exclude_pk is not None:
        earlier = earlier.exclude(pk=exclude_pk)
    return earlier.exists()


@dataclass
class Related:
    complaint: Complaint
    repeat: bool = False
    likeness: float = 0.0


def complainant_cases(*, user, complaint: Complaint) -> tuple[list[Related], int]:
    """The same complainant's other complaints the user may see, from 12 months
    before this one, latest first (``COMPLAINANT_SHOWN`` of them), each marked
    when it is a repeat of this one; and how many there are in all."""
    found = (Complaint.objects.visible_to(user)
             .filter(same_complainant(complaint.complainant_phone, complaint.complainant_id_number),
                     received_at__gte=complaint.received_at - SAME_COMPLAINANT_WITHIN)
             .exclude(pk=complaint.pk))
    shown = list(found.select_related("category", "org_unit").order_by("-received_at", "-pk")[:COMPLAINANT_SHOWN])
    total = len(shown) if len(shown) < COMPLAINANT_SHOWN else found.count()
    return [Related(case, repeat=is_repeat(case, complaint)) for case in shown], total


def most_similar(*, user, unit, category_id: int, text: str, around: dt.datetime | None = None,
                 exclude_pk: int | None = None) -> list[Related]:
    """The unit's complaints of the same category most alike ``text``, received
    within 90 days of ``around`` (now for a complaint not yet logged) and not
    after now, most alike first; only those the user may see."""
    now = clock.now()
    around = around or now
    mine = likeness.hashes(likeness.sketch(text))  # as stored at intake: made again, not read (one query less)
    if not mine:
        return []
    weighed = weights()
    candidates = Likeness.objects.filter(complaint__org_unit=unit, complaint__category=category_id,
                                         complaint__received_at__gte=around - SIMILAR_WITHIN,
                                         complaint__received_at__lte=min(around + SIMILAR_WITHIN, now))
    if exclude_pk is not None:
        candidates = candidates.exclude(complaint_id=exclude_pk)
    floor = settings.SIMILAR_MIN_LIKENESS
    scored = heapq.nlargest(
        SIMILAR_SHOWN * 4,
        ((score, pk) for pk, blob in narrowed(candidates, text, weighed).values_list("complaint_id", "sketch")
         if (score := likeness.likeness(mine, likeness.hashes(blob), weighed)) >= floor))
    if not scored:
        return []
    cases = Complaint.objects.visible_to(user).select_related("category").in_bulk([pk for _, pk in scored])
    return [Related(cases[pk], likeness=score) for score, pk in scored if pk in cases][:SIMILAR_SHOWN]


def narrowed(candidates, text: str, weighed: likeness.Weights, most: int = CANDIDATES):
    """At most ``most`` of ``candidates`` (Likeness rows) to compare with
    ``text``: on PostgreSQL those sharing most of its ``RAREST`` rarest pairs of
    Chinese characters, found and ranked by the search index (complaints/search.py),
    so a unit's busiest day or months cost no more than a few hundred
    comparisons; a complaint alike shares the facts its rarest words are."""
    rarest = _rarest(text, weighed) if weighed.cases else []  # which words are rare is learnt, not guessed
    if not rarest or connection.vendor != "postgresql":
        return candidates
    query = SearchQuery(" | ".join(rarest), search_type="raw", config="simple")
    return (candidates.filter(complaint__search_document__vector=query)
            .alias(shared=SearchRank(F("complaint__search_document__vector"), query))
            .order_by("-shared")[:most])


def _rarest(text: str, weighed: likeness.Weights) -> list[str]:
    """The ``RAREST`` rarest pairs of Chinese characters of ``text`` (the search index's words)."""
    pairs = [t for t in likeness.tokens(text) if len(t) == 2 and all("\u3400" <= ch <= "\u9fff" for ch in t)]
    return heapq.nlargest(RAREST, pairs, key=lambda t: (weighed.squared.get(zlib.crc32(t.encode()), weighed.unseen), t))


def group_of(*, user, complaint: Complaint) -> dict | None:
    """The group of near-duplicates the case is in (complaints/services/grouping.py):
    its members the user may see, its decisions, and whether the user decides it."""
    if complaint.issue_group_id is None:
        return None
    group = IssueGroup.objects.select_related("confirmed_by").get(pk=complaint.issue_group_id)
    return {
        "group": group,
        "members": list(Complaint.objects.visible_to(user).filter(issue_group=group)
                        .select_related("category").order_by("received_at", "pk")),
        "decisions": list(group.decisions.select_related("complaint", "alike", "by")),
        "may_decide": policies.decides_groups(complaint, user),
    }


def for_case(*, user, complaint: Complaint) -> dict:
    """The similar-complaints panel of a case page."""
    related, total = complainant_cases(user=user, complaint=complaint)
    similar = most_similar(
        user=user, unit=complaint.org_unit, category_id=complaint.category_id, around=complaint.received_at,
        exclude_pk=complaint.pk, text=likeness.text_of_case(complaint))
    return {"complainant": related, "complainant_total": total, "similar": similar}
