"""The drills of issue 20, against the real cluster of ``scripts/cluster`` (run them with
``scripts/cluster drills``; CI does). Each breaks one part the way it breaks in a
machine room, checks what the product promises, and prints what happened.

1. A web instance dies: nginx routes around it, no intake in flight is lost or doubled
   (the client retries with its Idempotency-Key), and /healthz on the dead one fails.
2. The active beat dies: the other takes over within BEAT_LOCK_TIMEOUT_SECONDS, and the
   deadline sweep runs once in every minute, none twice, none skipped.
3. The replica falls behind or stops: reports read the primary with a note, no 500, no
   figure staler than the lag the report states; /healthz shows the lag.
   And: reads right after a write (the workflow) never go to the lagging replica.
4. A worker is killed while it delivers an SMS: every notice reaches the customer once.
5. A rolling release: migrate, then restart one web instance at a time, no failed request.
"""

import datetime as dt
import json
import os
import random
import re
import subprocess
import threading
import time
import uuid

import pytest
import requests

import bench

pytestmark = pytest.mark.real_clock


def fresh(narrative: str) -> dict:
    """An intake of a new customer (a number never seen: not a repeat complaint)."""
    return dict(bench.INTAKE, narrative=narrative,
                complainant=dict(bench.INTAKE["complainant"], phone=f"13{random.randint(10**8, 10**9 - 1)}"))


def say(drill: str, message: str) -> None:
    print(f"\n[drill {drill}] {message}", flush=True)


def primary_sql(cluster, sql: str) -> str:
    return cluster.psql(sql, db=cluster.DB)


def replica_sql(cluster, sql: str) -> str:
    return cluster.psql(sql, port=cluster.REPLICA_PORT, db=cluster.DB)


class Load:
    """Clients sending intakes (and page reads) through nginx until stopped. With
    ``retry`` an intake that failed is sent again with the same Idempotency-Key, as
    the API's clients do; without, every failure is counted."""

    def __init__(self, cluster, api, *, tag: str, posters: int = 3, readers: int = 1, retry: bool):
        self.cluster, self.tag, self.retry = cluster, tag, retry
        self.token = api("front_desk_gd").http.headers["Authorization"]
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.intakes: dict[str, dict] = {}   # key -> {"attempts", "statuses", "id"}
        self.reads: list[int] = []
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._post, args=(n,)) for n in range(posters)]
        self.threads += [threading.Thread(target=self._read) for _ in range(readers)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def _session(self) -> requests.Session:
        session = requests.Session()
        session.headers.update({"Authorization": self.token, "X-Forwarded-Proto": "https"})
        return session

    def _post(self, n: int) -> None:
        session, rng = self._session(), random.Random(n)
        while not self.stop.is_set():
            key = f"{self.tag}-{uuid.uuid4().hex[:16]}"
            body = dict(bench.INTAKE, narrative=f"演练 {self.tag}：{bench.INTAKE['narrative']}",
                        complainant=dict(bench.INTAKE["complainant"], phone=f"139{rng.randint(10**7, 10**8 - 1)}"))
            record = {"attempts": 0, "statuses": [], "id": None}
            with self.lock:
                self.intakes[key] = record
            while record["attempts"] < 30:
                record["attempts"] += 1
                try:
                    answer = session.post(self.cluster.BASE + "/api/v1/complaints/", json=body, timeout=40,
                                          headers={"Idempotency-Key": key})
                    record["statuses"].append(answer.status_code)
                    if answer.status_code in (200, 201):
                        record["id"] = answer.json()["id"]
                        break
                except requests.RequestException as exc:
                    record["statuses"].append(type(exc).__name__)
                if not self.retry:
                    with self.lock:
                        self.failures.append(f"POST {key}: {record['statuses'][-1]}")
                    break
                time.sleep(0.2)

    def _read(self) -> None:
        session = self._session()
        paths = ["/api/v1/complaints/?page_size=20", "/healthz?check=database", "/api/v1/complaints/?state=received"]
        i = 0
        while not self.stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                status = session.get(self.cluster.BASE + path, timeout=40).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            with self.lock:
                self.reads.append(status)
                if status != 200:
                    self.failures.append(f"GET {path}: {status}")

    def summary(self) -> dict:
        retried = {k: r for k, r in self.intakes.items() if r["attempts"] > 1}
        return {"intakes": len(self.intakes), "created": sum(1 for r in self.intakes.values() if r["id"]),
                "retried": len(retried), "retried_statuses": sorted({str(s) for r in retried.values()
                                                                     for s in r["statuses"][:-1]}),
                "reads": len(self.reads), "failures": len(self.failures)}


def cases_tagged(cluster, tag: str) -> int:
    return int(primary_sql(cluster, f"SELECT count(*) FROM complaints_complaint WHERE narrative LIKE '演练 {tag}：%'"))


# --- 1. A web instance dies --------------------------------------------------------------

@pytest.fixture
def restarted(cluster):
    """Parts a drill kills are started again after it, whatever happened (the next drill needs them)."""
    killed = []
    yield killed
    for name in killed:
        if name in cluster.started():
            continue  # the drill started it again itself
        if name.startswith("web"):
            cluster.start_web(name)
        elif name.startswith("worker"):
            cluster.start_worker(name)
        else:
            cluster.start_part(name)


def test_drill_1_a_web_instance_dies(cluster, api, restarted):
    tag = f"d1-{uuid.uuid4().hex[:6]}"
    restarted.append("web1")
    with Load(cluster, api, tag=tag, retry=True) as load:
        time.sleep(3)
        killed_at = time.time()
        cluster.kill_part("web1")
        say(1, f"killed web1 (SIGKILL to gunicorn and its workers) under load of {len(load.intakes)} intakes so far")
        time.sleep(6)
    summary = load.summary()
    try:
        code = cluster.get(f"http://127.0.0.1:{cluster.WEB_PORTS['web1']}/healthz", timeout=2)[0]
    except OSError as exc:
        code = type(exc).__name__
    through_nginx = cluster.get(cluster.BASE + "/healthz?check=database")[0]
    after = [json.loads(line) for line in (cluster.VAR / "nginx" / "access.log").read_text().splitlines()
             if line.strip()]
    after = [e for e in after if _iso_ts(e["time"]) >= killed_at + 1]
    # nginx logs every upstream it tried ("a, b"): the last one answered
    on_web1 = [e for e in after if e["upstream"].split(", ")[-1] == f"127.0.0.1:{cluster.WEB_PORTS['web1']}"]
    made = cases_tagged(cluster, tag)
    ids = [r["id"] for r in load.intakes.values() if r["id"]]
    say(1, f"{summary['intakes']} intakes sent, {summary['created']} answered with their case; "
           f"resent with the same Idempotency-Key: {summary['retried']} (after {summary['retried_statuses']}); "
           f"{made} cases in the database for {len(set(ids))} distinct answers; {summary['reads']} reads, "
           f"{summary['failures']} failed; /healthz on web1's port: {code}; through nginx: {through_nginx}; "
           f"requests web1 answered from 1 s after the kill: {len(on_web1)} of {len(after)}")
    assert summary["created"] == summary["intakes"] > 0
    assert made == len(set(ids)) == len(ids)  # each intake exactly once, however often it was sent
    assert summary["failures"] == 0
    assert code != 200 and through_nginx == 200
    assert after and on_web1 == []
    cluster.start_web("web1")
    assert cluster.get(f"http://127.0.0.1:{cluster.WEB_PORTS['web1']}/healthz?check=database")[0] == 200
    say(1, "web1 started again and answers /healthz")


def _iso_ts(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


# --- 2. The active beat dies ---------------------------------------------------------------

def sweep_claims(cluster) -> list[dict]:
    """Every message of the deadline sweep the workers received: its slot, whether it ran."""
    found = []
    for name in ("worker1", "worker2"):
        path = cluster.VAR / f"{name}.log"
        for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
            if '"sweep-deadlines"' in line and "periodic slot" in line:
                entry = json.loads(line)
                found.append({"slot": entry["slot"], "ran": entry["message"] == "periodic slot claimed",
                              "at": _iso_ts(entry["time"]), "worker": name})
    return sorted(found, key=lambda e: e["at"])


def test_drill_2_the_active_beat_dies(cluster, restarted):
    lock_timeout = int(os.environ.get("BEAT_LOCK_TIMEOUT_SECONDS", "30"))
    active = cluster.active_beat()
    standby = {"beat1": "beat2", "beat2": "beat1"}[active]
    assert active and cluster.alive(cluster.started()[standby]["pid"])
    # Kill it 4 s before a minute begins, in a minute that was swept: the slot about to
    # start is the one at risk.
    cluster.wait_for("a first sweep", lambda: any(c["ran"] for c in sweep_claims(cluster)), 75)
    cluster.wait_for("4 s before a minute that was swept", lambda: 52 <= time.time() % 60 < 56 and int(
        time.time()) // 60 in {c["slot"] for c in sweep_claims(cluster) if c["ran"]}, 150)
    first_slot = int(time.time() + 10) // 60  # the minute about to begin
    since = cluster.log_size(standby)
    killed_at = time.time()
    cluster.kill_part(active)
    restarted.append(active)
    say(2, f"killed {active}, the beat holding the lock, at second {killed_at % 60:.1f} of the minute")
    cluster.wait_for("the standby beat taking over", lambda: cluster.log_has(standby, "beat: Acquired lock", since),
                     lock_timeout + 15)
    took_over = time.time() - killed_at
    # Wait for the sweep of the slot the takeover fell in and of the one after.
    cluster.wait_for("two sweeps after the takeover",
                     lambda: {first_slot, first_slot + 1} <= {c["slot"] for c in sweep_claims(cluster) if c["ran"]},
                     150)
    claims = [c for c in sweep_claims(cluster) if c["slot"] >= first_slot - 2]
    ran = [c["slot"] for c in claims if c["ran"]]
    refused = [c["slot"] for c in claims if not c["ran"]]
    late = next(c for c in claims if c["slot"] == first_slot and c["ran"])
    say(2, f"{standby} took the lock {took_over:.1f} s after the kill (BEAT_LOCK_TIMEOUT_SECONDS={lock_timeout}, "
           f"plus up to 5 s until it asks again); sweeps by slot: {ran} (slot {first_slot} ran "
           f"{late['at'] - first_slot * 60:.1f} s into its minute); messages refused as a repeat: {refused}")
    assert took_over <= lock_timeout + 5 + 3  # the lock's timeout, one poll, and our reading of the log
    assert first_slot - 1 in ran and ran == list(range(ran[0], ran[-1] + 1))  # none skipped
    assert len(ran) == len(set(ran))  # none twice
    cluster.start_part(active)
    time.sleep(8)
    assert cluster.active_beat() == standby
    say(2, f"{active} started again and waits as the standby; {standby} keeps the lock")


# --- 3. The replica falls behind, or stops -------------------------------------------------------

def report_reads(cluster, staff, api, number: str) -> dict:
    """What each report says now: status, source and whether the case ``number`` is in it."""
    manager, manager_api = staff("general_manager_hq"), api("general_manager_hq")
    dashboard = manager.get("/dashboard/")
    report = manager.get("/dashboard/report/")
    workbook = manager.get(f"/dashboard/cases.xlsx?q={number}")
    summary = manager_api.get("/api/v1/stats/summary/")
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True)) \
        if workbook.status_code == 200 else []
    noted = re.search(r'data-source="(\w+)"', dashboard.text)
    return {"statuses": [dashboard.status_code, report.status_code, workbook.status_code, summary.status_code],
            "source": workbook.headers.get("X-Reporting-Source"), "api_source": summary.headers.get("X-Reporting-Source"),
            "note": noted.group(1) if noted else None, "report_note": 'data-source="' in report.text,
            "has_case": any(number in str(cell) for row in rows[1:] for cell in row)}


def stated_lag(source: str) -> float:
    found = re.search(r"lag=([\d.]+)s", source or "")
    return float(found.group(1)) if found else 0.0


def test_drill_3_the_replica_falls_behind_then_stops(cluster, api, staff):
    most = int(os.environ.get("REPORTING_MAX_LAG_SECONDS", "30"))
    # A first case, replayed by the replica: its lag is then counted from a moment ago.
    first = api("handler_gd").post("/api/v1/complaints/", fresh("演练 3：副本跟上")).json()
    cluster.wait_for("the replica to have the first case", lambda: replica_sql(
        cluster, f"SELECT count(*) FROM complaints_complaint WHERE id = {first['id']}") == "1", 30)
    cluster.replica_delay(3600)
    try:
        case = api("handler_gd").post("/api/v1/complaints/", fresh("演练 3：副本落后")).json()
        written_at = time.time()
        seen = []
        while time.time() - written_at < most + 8:
            now = report_reads(cluster, staff, api, case["number"])
            age = time.time() - written_at
            seen.append((round(age, 1), now["source"], now["has_case"]))
            assert now["statuses"] == [200, 200, 200, 200], now
            if not now["has_case"]:  # stale: only while the stated lag covers the case's age
                assert now["source"].startswith("replica") and stated_lag(now["source"]) >= age - 1.5, (age, now)
            if now["source"].startswith("primary"):
                assert now["has_case"], now
            time.sleep(1)
        # Well past the limit every report reads the primary and says so (each request
        # measures the replica itself: near the limit, two requests of one second may differ).
        assert now["note"] == "default" and now["report_note"] and now["api_source"] == "primary; replica behind"
        health = json.loads(cluster.get(cluster.BASE + "/healthz?check=replica")[1])["checks"]["replica"]
        say(3, f"replica held back (recovery_min_apply_delay); a case written, then every second (age s, "
               f"source, case in the export): {seen}; /healthz: {health}")
        assert any(source.startswith("replica") and not shown for _, source, shown in seen)  # stale, and said
        assert seen[-1][1] == "primary; replica behind" and health["status"] == "fail" and health["lag_seconds"] > most
        assert replica_sql(cluster, f"SELECT count(*) FROM complaints_complaint WHERE id = {case['id']}") == "0"
    finally:
        cluster.replica_delay(0)
    cluster.wait_for("the replica to catch up", lambda: replica_sql(
        cluster, f"SELECT count(*) FROM complaints_complaint WHERE id = {case['id']}") == "1", 60)
    cluster.wait_for("reports back on the replica",
                     lambda: report_reads(cluster, staff, api, case["number"])["source"].startswith("replica"), 30)
    say(3, "delay lifted: the replica caught up and the reports read it again")

    cluster.replica_ctl("stop")
    try:
        now = report_reads(cluster, staff, api, case["number"])
        health = json.loads(cluster.get(cluster.BASE + "/healthz")[1])["checks"]["replica"]
        say(3, f"replica stopped: reports {now['statuses']}, source {now['source']!r}, note on the dashboard: "
               f"{now['note'] is not None}; /healthz replica: {health}")
        assert now["statuses"] == [200, 200, 200, 200]
        assert now["source"] == now["api_source"] == "primary; replica unreachable"
        assert now["has_case"] and now["note"] == "default" and now["report_note"]
        assert health["status"] == "fail"
    finally:
        cluster.replica_ctl("start")
    cluster.wait_for("reports back on the replica after it restarted", lambda: report_reads(
        cluster, staff, api, case["number"])["source"].startswith("replica"), 60)
    say(3, "replica started again: it caught up through its slot and the reports read it again")


def test_reads_right_after_a_write_never_see_the_lagging_replica(cluster, api, staff):
    """The workflow through nginx while the replica is held an hour behind: every step
    reads the case as the step before left it."""
    cluster.replica_delay(3600)
    try:
        # The branch supervisor works it: the drills' alike intakes become a batch, which the
        # near-duplicate check hands to the supervisor at any moment.
        handler = api("supervisor_gd")
        case = handler.post("/api/v1/complaints/", fresh("演练：写后即读")).json()
        steps = [("verify", {"cause": "SERVICE"}, "verified"), ("contacts", {"outcome": "reached", "note": "已联系"}, None),
                 ("propose", {"remedy": "补发商品", "amount": "0.00"}, None)]
        seen = []
        for action, body, state in steps:
            answer = handler.post(f"/api/v1/complaints/{case['id']}/{action}/", body)
            assert answer.status_code in (200, 201), (action, answer.text[:300])
            detail = handler.get(f"/api/v1/complaints/{case['id']}/").json()
            page = staff("supervisor_gd").get(f"/complaints/{case['id']}/")
            assert page.status_code == 200 and case["number"] in page.text
            if state:
                assert detail["state"] == state
            seen.append(detail["state"])
        assert detail["first_callback_at"] is not None
        on_replica = replica_sql(cluster, f"SELECT count(*) FROM complaints_complaint WHERE id = {case['id']}")
        say(3, f"workflow with the replica an hour behind: states read after each step {seen}; "
               f"the replica has the case: {on_replica == '1'}")
        assert on_replica == "0"
    finally:
        cluster.replica_delay(0)


# --- 4. A worker is killed during delivery -------------------------------------------------------

def sms_events(cluster) -> list[dict]:
    path = cluster.SMS_LOG
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def worker_talking_to(cluster, port: int) -> str | None:
    out = subprocess.run(["ss", "-tnpH", "state", "established", f"( dport = :{port} )"],
                         capture_output=True, text=True).stdout
    for pid in re.findall(r"pid=(\d+)", out):
        group = os.getpgid(int(pid))
        for name, part in cluster.started().items():
            if part.get("pid") == group and name.startswith("worker"):
                return name
    return None


def test_drill_4_a_worker_is_killed_while_it_delivers(cluster, api, restarted):
    lease = int(os.environ.get("NOTICE_LEASE_SECONDS", "120"))
    cluster.SMS_HOLD.write_text("60")  # the gateway keeps its answer to the next message a minute
    before = len(sms_events(cluster))
    handler = api("front_desk_gd")
    cases = [handler.post("/api/v1/complaints/", fresh(f"演练 4：{n}")).json() for n in range(5)]
    ids = [int(primary_sql(cluster, f"SELECT id FROM complaints_notice WHERE complaint_id = {c['id']}"))
           for c in cases]
    wanted = {f"notice-{pk}" for pk in ids}
    cluster.wait_for("the gateway holding a message",
                     lambda: any(e["event"] == "holding" for e in sms_events(cluster)[before:]), 90)
    held = next(e["id"] for e in sms_events(cluster)[before:] if e["event"] == "holding")
    cluster.wait_for("the worker that sends it", lambda: worker_talking_to(cluster, cluster.SMS_PORT), 10)
    victim = worker_talking_to(cluster, cluster.SMS_PORT)
    cluster.kill_part(victim)
    restarted.append(victim)
    killed_at = time.time()
    say(4, f"{victim} killed (SIGKILL) while it waited for the gateway's answer to {held}")

    def all_sent():
        rows = primary_sql(cluster, "SELECT status FROM complaints_notice WHERE id IN (%s)" % ",".join(map(str, ids)))
        return rows.split() == ["sent"] * len(ids)

    cluster.wait_for("every notice sent", all_sent, lease + 90)
    events = [e for e in sms_events(cluster)[before:] if e["id"] in wanted]
    delivered = [e["id"] for e in events if e["event"] == "delivered"]
    repeats = [e["id"] for e in events if e["event"] == "repeat"]
    attempts = primary_sql(cluster, f"SELECT attempts FROM complaints_notice WHERE id = {held.split('-')[1]}")
    say(4, f"all {len(ids)} notices sent {time.time() - killed_at:.0f} s after the kill (lease "
           f"{lease} s); handed to the carrier: {len(delivered)} ({len(set(delivered))} distinct); sent again with "
           f"the same message id and dropped by the gateway: {repeats}; attempts of {held}: {attempts}")
    assert sorted(delivered) == sorted(wanted)  # each customer's phone got its SMS once
    assert repeats == [held] and attempts == "2"  # only the one the killed worker held was sent twice
    cluster.start_worker(victim)
    say(4, f"{victim} started again")


# --- 5. A rolling release ---------------------------------------------------------------------

def test_drill_5_a_rolling_release(cluster, api):
    tag = f"d5-{uuid.uuid4().hex[:6]}"
    with Load(cluster, api, tag=tag, retry=False) as load:
        time.sleep(2)
        migrated = cluster.manage("migrate", "--noinput", quiet=True).stdout.strip().splitlines()
        say(5, f"migrate against the primary while the old version serves: {migrated[-1] if migrated else ''}")
        for name in ("web1", "web2"):
            started_at = time.time()
            cluster.rolling_restart(name)
            say(5, f"{name}: taken out of nginx's upstream, stopped (SIGTERM, in-flight requests finished), "
                   f"started, healthy, put back in {time.time() - started_at:.1f} s")
            time.sleep(2)
    summary = load.summary()
    say(5, f"during the release: {summary['intakes']} intakes, {summary['reads']} reads, "
           f"{summary['failures']} failed {load.failures[:5]}")
    assert summary["failures"] == 0 and summary["created"] == summary["intakes"] > 0
    assert cases_tagged(cluster, tag) == summary["intakes"]
