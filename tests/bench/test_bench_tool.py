"""The benchmark tool's own arithmetic and report (bench/bench.py): a figure
that misses its target must say so in bench/RESULTS.md."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_tool", ROOT / "bench" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "bench").mkdir()
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "RESULTS", tmp_path / "bench" / "results")
    return module


def test_percentiles_interpolate_between_ranks(bench):
    values = [float(v) for v in range(1, 101)]
    assert bench._percentile(values, 50) == pytest.approx(50.5)
    assert bench._percentile(values, 95) == pytest.approx(95.05)
    assert bench._percentile([7.0], 95) == 7.0


def test_report_marks_each_target_met_or_not(bench, tmp_path):
    results = tmp_path / "bench" / "results"
    results.mkdir()
    (results / "pages.json").write_text(json.dumps({
        "command": "python bench/bench.py pages", "when": "2026-11-23T21:00:00+00:00", "machine": "2 cores",
        "figures": {
            "queue_page": {"runs": 200, "p50_ms": 90.0, "p95_ms": 149.9, "max_ms": 180.0, "example": "/w/",
                           "target_p95_ms": 150},
            "mine_page": {"runs": 200, "p50_ms": 99.0, "p95_ms": 150.1, "max_ms": 190.0, "example": "/w/",
                          "target_p95_ms": 150},
        }}))
    (results / "sweep.json").write_text(json.dumps({
        "command": "python bench/bench.py sweep", "when": "x", "machine": "2 cores", "figures": {
            "sweep": {"open_cases": 1000000, "watched_cases": 1000000, "due": 1000, "repeat": 3,
                      "median_s": 2.5, "max_s": 3.0, "target_s": 2.0}}}))
    bench.report(None)
    text = (tmp_path / "bench" / "RESULTS.md").read_text()
    queue, mine = text.split("### queue_page")[1].split("### mine_page")
    assert "p95 149.9 ms" in queue and ": met." in queue
    assert "**NOT met**" in mine
    assert "1,000,000 open cases" in text and "Target ≤ 2.0 s: **NOT met**" in text
    assert "`python bench/bench.py pages`" in text


@pytest.mark.django_db
def test_forget_intake_removes_only_the_benchmark_complaints_and_what_refers_to_them(bench, submit, staff):
    from complaints.models import Complaint, HistoryEntry, PersonalDataAccess
    from escalation.models import Notification

    kept = submit(by="handler_gd", major_impact=True)
    logged = [submit(by="front_desk_gd", complainant_name=bench.INTAKE["complainant"]["name"], major_impact=True)
              for _ in range(2)]
    PersonalDataAccess.objects.create(user=staff["handler_gd"], complaint=logged[0], channel="api")
    assert Notification.objects.filter(complaint__in=logged).exists()
    bench.forget_intake(None)
    assert list(Complaint.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not HistoryEntry.objects.exclude(complaint=kept).exists()
    assert not PersonalDataAccess.objects.exists()
    assert Notification.objects.filter(complaint=kept).exists()
    from django.db import DatabaseError, connection, transaction

    if connection.vendor == "postgresql":  # history is append-only again afterwards (the trigger)
        with pytest.raises(DatabaseError), transaction.atomic():
            HistoryEntry.objects.filter(complaint=kept).delete()
