"""Finding cases by what they are about (issue 19): full-text search in Chinese.

What it searches: the reason, request, narrative, remedy, resolution, root
cause, issue tag, product reference and complainant name, and any part of the
case number of at least 4 digits. A word is a run of 2 or more Chinese
characters (found anywhere in the text, as Chinese has no spaces) or of 2 or
more letters and digits (found as the start of a word); every word typed must
be found (the first 10 words, 32 characters of each). Results come by relevance (the reason, tag, product and name weigh
most, then the request and narrative, then the remedy, resolution and root
cause), then in priority order.

On PostgreSQL a database trigger keeps each case's search document
(``complaints_searchdocument``, migration 0019): the words of its texts and
every overlapping pair of Chinese characters (bigrams), and each tail of the
number's digits, as a ``tsvector`` with a GIN index. A Chinese word is then
the phrase of its bigrams: 理财产品 is 理财 <-> 财产 <-> 产品, exact wherever it
stands in a sentence. On SQLite (the demo) the texts are scanned.

Relevance orders the first ``RANKED`` matches in priority order: a word found
in a third of a million cases would otherwise mean ranking 300,000 documents
for one page (bench/RESULTS.md). A search that finds more lists those, most
relevant first, and its count says "500+" (config.pagination), so the user
narrows it with another word or a filter. Every other filter narrows the
matches before the first are taken (``q`` is the list's last filter). An
export takes every match, in priority order (``every_match``).

How the first matches are found depends on how many cases hold the words, as
PostgreSQL's own statistics of the documents tell (``estimated_share``): words
in at least ``WALK_FROM`` of the cases are met soon by walking the cases in
priority order (cmp_priority_idx) and reading each one's document; rarer ones
are found by the index and sorted. PostgreSQL's planner misjudges both (it
takes the pairs of a word as independent, and a walk as cheaper than it is),
so the search chooses (bench/RESULTS.md has the crossing point).
The first matches are read once; the page and its count are then read by number.

A search only narrows the cases the user already sees (``visible_to``), so
nobody finds a case outside their units.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

from complaints.models import SearchDocument
from complaints.numbering import digits_of_number, number_part
from config.kept import KeptInProcess
from config.pagination import LISTED_AT_MOST

CHINESE = "\u3400-\u9fff"
WORDS = re.compile(f"[{CHINESE}]+|[0-9A-Za-z]+")
MIN_WORD = 2
MOST_WORDS, LONGEST_WORD = 10, 32  # what a search reads of what was typed (a bounded query)
RANKED = 500  # the matches, first in priority order, that relevance orders (PostgreSQL)
WALK_FROM = 0.015  # words estimated in this share of the cases or more: the cases are walked in priority order
TEXT_FIELDS = ("reason", "request", "narrative", "remedy", "resolution", "root_cause", "issue_tag", "product_ref",
               "complainant_name")


def words(text: str) -> list[str]:
    """The words of ``text`` a search looks for (2 characters or more)."""
    return [w[:LONGEST_WORD] for w in WORDS.findall(text or "") if len(w) >= MIN_WORD][:MOST_WORDS]


def _is_chinese(word: str) -> bool:
    return "\u3400" <= word[0] <= "\u9fff"


def tsquery(text: str) -> str | None:
    """The PostgreSQL query (``to_tsquery('simple', …)``) of what was typed, or
    None when nothing searchable was typed. A case number's digits (4 or more)
    are looked for among the tails of the number's digits."""
    part = number_part(text)
    if part is not None:
        return f"n{part}:*"
    terms = []
    for word in words(text):
        if _is_chinese(word):
            terms.append("(" + " <-> ".join(_pairs(word)) + ")")
        else:
            terms.append(f"{word.lower()}:*")
    return " & ".join(terms) or None


def _pairs(word: str) -> list[str]:
    return [word[i:i + 2] for i in range(len(word) - 1)]


_statistics: KeptInProcess[dict[str, float]] = KeptInProcess(max_entries=1)


def _common_words() -> dict[str, float]:
    """The commonest words of the search documents and the share of documents
    holding each, as ANALYZE last counted them (``pg_stats``); kept in the process."""
    def read() -> dict[str, float]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                           "WHERE tablename = %s AND attname = 'vector'", [SearchDocument._meta.db_table])
            row = cursor.fetchone()
        return dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}

    return _statistics.get("common", read)


def estimated_share(text: str) -> float:
    """At most what share of the cases hold every word of ``text``, as estimated
    from PostgreSQL's statistics: for each Chinese word the share of its rarest
    pair of characters, times that of the next word. A word of letters or a
    case number counts as rare (0): the index finds it."""
    if number_part(text) is not None:
        return 0.0
    common, share = _common_words(), 1.0
    for word in words(text):
        if not _is_chinese(word):
            return 0.0
        share *= min(common.get(pair, 0.0) for pair in _pairs(word))
    return share


def _scan(queryset, text: str):
    """SQLite: every word in one of the texts (or a part of the number)."""
    part = number_part(text)
    if part is not None:
        return queryset.alias(number_digits=digits_of_number()).filter(number_digits__contains=part)
    found = queryset
    for word in words(text):
        anywhere = Q()
        for field in TEXT_FIELDS:
            anywhere |= Q(**{f"{field}__icontains": word})
        found = found.filter(anywhere)
    return found


def searchable(text: str) -> bool:
    """Whether ``text`` holds a word or a part of a case number to search for."""
    return number_part(text) is not None or bool(words(text))


def search(queryset, text: str):
    """The cases of ``queryset`` (a ``ComplaintQuerySet``) that match ``text``:
    on PostgreSQL its first ``RANKED`` matches in priority order, most relevant
    first, then in priority order (docs/rules.md §3)."""
    if connection.vendor != "postgresql":
        return _scan(queryset, text)
    query = _query(text)
    if estimated_share(text) >= WALK_FROM:  # ts_match_vq is @@ that the index cannot serve: the cases are walked
        matching = (queryset.filter(Func(F("search_document__vector"), query, function="ts_match_vq",
                                         output_field=BooleanField()))
                    .in_priority_order())
    else:  # found by the index, then sorted
        matching = queryset.filter(search_document__vector=query).in_priority_order(walked=False)
    first = list(matching.values_list("pk", flat=True)[:RANKED + 1])  # one more: were there more?
    found = (queryset.filter(pk__in=first[:RANKED])
             .alias(search_rank=SearchRank(F("search_document__vector"), query))
             .order_by("-search_rank", "priority", F("next_due").asc(nulls_last=True), "received_at", "pk"))
    return found.alias(**{LISTED_AT_MOST: Value(RANKED)}) if len(first) > RANKED else found


def every_match(queryset, text: str):
    """Every case of ``queryset`` that matches ``text``, in priority order (an
    export: what a search finds, not only its first ``RANKED``)."""
    if connection.vendor != "postgresql":
        return _scan(queryset, text)
    return queryset.filter(search_document__vector=_query(text)).in_priority_order()


def _query(text: str) -> SearchQuery:
    return SearchQuery(tsquery(text), search_type="raw", config="simple")
