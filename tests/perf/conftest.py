"""Query discipline (issue 8, STYLE.md §6): every list costs the same number of
queries whatever the number of rows it shows.

Each test fetches a list once to warm per-process caches, measures it with a
few rows, adds many more rows the user sees, measures again and asserts the two
counts are equal (and under a ceiling). ``assert_flat`` also checks that the
added rows are really shown, so a test never passes on an empty page."""

import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import ApprovalStep
from approvals.services import complaint_propose, step_approve
from complaints import services
from tests.complaints.conftest import case_in  # noqa: F401  (re-exported fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64

# The states a case walks through; lists get a mix of them, across levels and lines.
STATES = ("received", "verified", "proposed", "approved", "resolved", "revisited", "archived")
CATEGORIES = ("I-2", "II-A", "III-A", "INS-CLAIMS", "I-5")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _measured(fetch):
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, getattr(response, "content", b"")[:2000]
    return response, [q["sql"] for q in ctx.captured_queries]


def _shape(sql: str) -> str:
    """The query without its literal values, to name what repeats."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _extra(few: list[str], many: list[str]) -> str:
    grown = Counter(map(_shape, many)) - Counter(map(_shape, few))
    return "\n".join(f"+{n}: {sql[:400]}" for sql, n in grown.most_common())


def assert_flat(fetch, grow, *, rows, at_most: int) -> int:
    """``fetch()`` -> response; ``grow()`` adds rows; ``rows(response)`` -> how
    many rows the response shows. Returns the query count."""
    fetch()  # caches filled once per process (content types, translations)
    few_response, few = _measured(fetch)
    grow()
    many_response, many = _measured(fetch)
    assert rows(many_response) > rows(few_response), "the added rows are not shown"
    assert len(many) == len(few), f"{len(few)} → {len(many)} queries; repeated:\n{_extra(few, many)}"
    assert len(few) <= at_most, "\n".join(few)
    return len(few)


@pytest.fixture
def browser(client_for):
    """browser("handler_gd") -> a Django test client signed in as that user."""
    return client_for


@pytest.fixture
def mixed_cases(case_in, submit):
    """mixed_cases(n, by="handler_gd"): n cases of several categories in every
    state, worked by ``by``; one in eight waits in the GD handler queue (logged
    at the front desk)."""

    def make(n, by="handler_gd", **intake):
        made = []
        for i in range(n):
            varied = {"category": CATEGORIES[i % len(CATEGORIES)], "complainant_region": f"区{i % 3}",
                      "product_ref": f"P-{i % 4}", **intake}
            if i % 8 == 7:
                made.append(submit(by="front_desk_gd", **varied))
            else:
                made.append(case_in(STATES[i % len(STATES)], by=by, **varied))
        return made

    return make


@pytest.fixture
def proposed(submit, staff):
    """proposed(amount="100.00"): a GD case verified and proposed by handler_gd;
    its first approval step waits for a supervisor."""

    def make(amount="100.00", by="handler_gd", **intake):
        case = submit(by=by, **intake)
        services.complaint_verify(complaint_id=case.pk, by=staff[by])
        return complaint_propose(complaint_id=case.pk, by=staff[by], remedy="补偿", amount=amount)

    return make


@pytest.fixture
def approved_unpaid(proposed, staff):
    """A GD case approved with an amount to pay: on finance's To pay list."""

    def make():
        case = proposed(amount="150.00")
        for step in ApprovalStep.objects.filter(chain__complaint=case, status="pending"):
            step_approve(step_id=step.pk, by=staff["supervisor_gd"])
        return case

    return make


@pytest.fixture
def busy_case(staff):
    """busy(case, n): n more rounds of work on one case: calls, evidence, a
    paused and resumed clock (history) told to the customer (notices), each
    telling people (notifications)."""

    def grow(case, n):
        owner = staff["handler_gd"]
        for i in range(n):
            services.contact_record(complaint_id=case.pk, by=owner, outcome="no_answer", note=f"第{i}次")
            services.attachment_add(complaint_id=case.pk, by=owner,
                                    upload=SimpleUploadedFile(f"p{i}.png", PNG), kind="photo")
            services.complaint_pause(complaint_id=case.pk, by=owner, reason="送鉴定", notice={"channel": "sms"})
            services.complaint_resume(complaint_id=case.pk, by=owner, reason="鉴定完成")

    return grow



@pytest.fixture(params=["cases", "rollups"])
def figures_from(request, settings):
    """Figures computed from the cases, and read from the roll-ups (issue 17 item 6):
    ``figures_from.grown(grow)`` grows the data and folds it in as beat would; its
    ``.most(cases, rollups)`` picks the query cap of the way under test."""
    from dashboards import rollups

    class Way:
        name = request.param

        def grown(self, grow):
            def do():
                grow()
                rollups.fold()
            return do

        def most(self, from_cases: int, from_rollups: int) -> int:
            return from_cases if self.name == "cases" else from_rollups

    if request.param == "rollups":
        settings.FIGURES_FOLD_SECONDS = 60
    return Way()
