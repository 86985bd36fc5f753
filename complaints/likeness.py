"""How alike two complaints' texts are (issue 19): one definition for the
similar complaints of a case page and of the intake preview (complaints/similar.py)
and for the near-duplicates that join one issue (complaints/services/grouping.py).

A text's *tokens* are every overlapping pair of Chinese characters (a lone
character stands for itself) and every run of letters or digits, after NFKC
(full-width to half-width) and lower case; punctuation and spaces are dropped,
so word order, punctuation and a typo move only the tokens they touch.

Two texts' *likeness* is the cosine of their tokens weighted by how rare each
is among the complaints (inverse document frequency, ``Weights``): from 0
(nothing in common) to 1 (the same tokens). Words every complaint uses
(客户反映, 要求尽快处理) weigh little; the facts of a matter (a branch, a
product, a merchant) weigh much, so the same matter told in other words stays
alike and two matters told in the same stock phrases do not. Without learnt
weights every token weighs the same (the Ochiai coefficient).

A case keeps the *sketch* of its texts (``Likeness``): its ``SKETCH`` smallest
token hashes (CRC-32). For texts of up to ``SKETCH`` distinct tokens (a few
hundred characters) the likeness of two sketches is exactly that of the
texts; for longer ones both are compared over the range of hashes both
sketches cover, an estimate made of the same hashes.

An ``Index`` keeps sketches to compare one with many (the near-duplicate
check): each token's sketches, so only those sharing a token are scored,
each exactly as ``likeness`` scores it.
"""

import math
import re
import sys
import unicodedata
import zlib
from array import array
from bisect import bisect_right
from itertools import accumulate

SKETCH = 128
_TOKENS = re.compile("[\u3400-\u9fff]+|[0-9a-z]+")
_LITTLE = sys.byteorder == "little"
assert array("I").itemsize == 4, "a sketch is made of 4-byte words"


def text_of(*, reason: str = "", request: str = "", narrative: str = "") -> str:
    """The customer's account of a complaint: what is compared."""
    return "\n".join((reason or "", request or "", narrative or ""))


def text_of_case(case) -> str:
    """``text_of`` a complaint (its texts never change after intake)."""
    return text_of(reason=case.reason, request=case.request, narrative=case.narrative)


def tokens(text: str) -> set[str]:
    found = set()
    for run in _TOKENS.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if "\u3400" <= run[0] <= "\u9fff" and len(run) > 1:
            found.update(run[i:i + 2] for i in range(len(run) - 1))
        else:
            found.add(run)
    return found


def sketch(text: str) -> bytes:
    """The ``SKETCH`` smallest token hashes of ``text``, ascending, as 4-byte little-endian words."""
    hashes = array("I", sorted({zlib.crc32(t.encode()) for t in tokens(text)})[:SKETCH])
    if not _LITTLE:
        hashes.byteswap()
    return hashes.tobytes()


def _words(blob: bytes | memoryview) -> array:
    words = array("I")
    words.frombytes(bytes(blob))
    if not _LITTLE:
        words.byteswap()
    return words


def hashes(blob: bytes | memoryview) -> frozenset[int]:
    return frozenset(_words(blob))


def counted(sketches, *, least: int = 2) -> bytes:
    """In how many of ``sketches`` (blobs) each token is found, for the tokens
    found at least ``least`` times: (hash, count) pairs packed as ``Weights`` reads them."""
    counts: dict[int, int] = {}
    for blob in sketches:
        for h in _words(blob):
            counts[h] = counts.get(h, 0) + 1
    words = array("I", [x for h, n in counts.items() if n >= least for x in (h, n)])
    if not _LITTLE:
        words.byteswap()
    return words.tobytes()


class Weights:
    """The squared weight of each token: ln((N + 1) / (n + 1)) for a token found
    in n of N complaints; a token not counted weighs as one found once. Learnt
    from no complaint, every token weighs 1."""

    def __init__(self, counts: dict[int, int] | None = None, cases: int = 0):
        self.cases = cases if cases >= 2 else 0  # learnt from one complaint, every token would weigh 0
        if self.cases:
            self.unseen = math.log((self.cases + 1) / 2) ** 2
            self.squared = {h: math.log((self.cases + 1) / (n + 1)) ** 2 for h, n in (counts or {}).items()}
        else:
            self.unseen, self.squared = 1.0, {}

    @classmethod
    def unpacked(cls, blob: bytes | memoryview, cases: int) -> "Weights":
        words = _words(blob)
        return cls(dict(zip(words[::2], words[1::2], strict=True)), cases)

    def total(self, tokens) -> float:
        get, unseen = self.squared.get, self.unseen
        return sum(get(h, unseen) for h in tokens)


UNIFORM = Weights()


def _covered(a: frozenset[int], b: frozenset[int]) -> tuple[frozenset[int], frozenset[int]]:
    """Both sketches over the hashes both cover: a full sketch (``SKETCH`` hashes)
    covers up to its largest."""
    full = [max(s) for s in (a, b) if len(s) >= SKETCH]
    if not full:
        return a, b
    cut = min(full)
    return frozenset(h for h in a if h <= cut), frozenset(h for h in b if h <= cut)


def likeness(a: frozenset[int], b: frozenset[int], weights: Weights = UNIFORM) -> float:
    """The likeness of two sketches (``hashes``): the weighted cosine of their tokens."""
    if not a or not b:
        return 0.0
    a, b = _covered(a, b)
    both = a & b
    if not both:
        return 0.0
    whole = weights.total(a) * weights.total(b)
    return weights.total(both) / math.sqrt(whole) if whole else 0.0


class Index:
    """Sketches (by key) to find the most alike of, each scored exactly as
    ``likeness`` scores it, without comparing those that cannot reach the
    least likeness asked for.

    A sketch alike at least t to one shares with it tokens weighing at least
    t² of its own weight (cosine: the shared weight is at least t·√(W(a)·W(b))
    and at most W(b)). So only the sketches holding one of its *prefix* tokens
    (all but some weighing under t² of it, whichever they are: the ones most
    kept sketches hold) are candidates (the prefix filter of all-pairs
    similarity search, Bayardo et al. 2007); each is then scored in full. A full sketch (a long text, compared over the
    hashes both cover) is always a candidate and, asked about, uses all its tokens."""

    def __init__(self, weights: Weights = UNIFORM):
        self.weights = weights
        self._kept: dict[int, tuple[frozenset[int], array, list[float]]] = {}
        self._postings: dict[int, list[int]] = {}
        self._full: list[int] = []

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, key: int) -> bool:
        return key in self._kept

    def _summed(self, blob: bytes | memoryview) -> tuple[frozenset[int], array, list[float]]:
        words = _words(blob)  # ascending, as a sketch keeps them
        get, unseen = self.weights.squared.get, self.weights.unseen
        return frozenset(words), words, list(accumulate(get(h, unseen) for h in words))

    def add(self, key: int, blob: bytes | memoryview) -> None:
        if key in self._kept:
            return
        self._kept[key] = kept = self._summed(blob)
        for h in kept[1]:
            self._postings.setdefault(h, []).append(key)
        if len(kept[1]) >= SKETCH:
            self._full.append(key)

    def most_alike(self, blob: bytes | memoryview, *, least: float) -> list[tuple[float, int]]:
        """(likeness, key) of the kept sketches at least ``least`` alike ``blob``, most alike first (then by key)."""
        mine, words, sums = self._summed(blob)
        if not words:
            return []
        get, unseen, postings = self.weights.squared.get, self.weights.unseen, self._postings
        weight = {h: get(h, unseen) for h in words}
        full = len(words) >= SKETCH
        # The prefix: any order of the tokens bounds alike, so the tokens the fewest kept sketches hold go
        # first and the commonest are left to the part (under least² of the weight) never walked.
        left, enough = sums[-1], least * least * sums[-1] * (1 - 1e-9)  # a margin for rounding
        candidates = set(self._full)
        for h in sorted(words, key=lambda h: (len(postings.get(h, ())), h)):
            if left < enough and not full:
                break
            candidates.update(postings.get(h, ()))
            left -= weight[h]
        found = []
        for key in candidates:
            theirs, their_words, their_sums = self._kept[key]
            both = sum(map(weight.__getitem__, mine & theirs))
            if not both:
                continue
            cut = _cut(words if full else None, their_words if len(their_words) >= SKETCH else None)
            whole = _upto(words, sums, cut) * _upto(their_words, their_sums, cut)
            if whole and (score := both / math.sqrt(whole)) >= least:
                found.append((score, key))
        found.sort(key=lambda pair: (-pair[0], pair[1]))
        return found


def _cut(a: array | None, b: array | None) -> int | None:
    """The largest hash both sketches cover (``_covered``): None when neither is full."""
    full = [s[-1] for s in (a, b) if s is not None]
    return min(full) if full else None


def _upto(words: array, sums: list[float], cut: int | None) -> float:
    """The total weight of the hashes of ``words`` up to ``cut`` (all when None)."""
    if cut is None:
        return sums[-1]
    n = bisect_right(words, cut)
    return sums[n - 1] if n else 0.0
