"""One case carried from received to archived through the API only."""

from tests.conftest import api_payload


def test_it_creates_and_carries_a_case_to_archived(api, staff):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    cid = body["id"]
    assert body["state"] == "received" and body["owner"] == "handler_gd"
    h = api("handler_gd")
    for name, payload in [("verify", {}), ("propose", {"remedy": "补发", "amount": "100.00"})]:
        r = h.post(f"/api/v1/complaints/{cid}/{name}/", payload, format="json")
        assert r.status_code == 200, r.content
    (step,) = api("supervisor_gd").get("/api/v1/approvals/").json()["results"]
    assert (step["complaint"], step["amount"], step["position"], step["of"]) == (cid, "100.00", 1, 1)
    r = api("supervisor_gd").post(f"/api/v1/approvals/{step['id']}/approve/", {}, format="json")
    assert r.status_code == 200, r.content
    r = api("finance_gd").post(f"/api/v1/complaints/{cid}/payment/", {"reference": "FK001", "amount": "100.00"},
                               format="json")
    assert r.status_code == 201, r.content
    for name, payload in [("resolve", {"resolution": "已补发", "notice": {"channel": "phone"}}),
                          ("revisit", {"reached": True, "satisfied": True, "note": "满意"}),
                          ("archive", {"root_cause": "商户发货慢"})]:
        r = h.post(f"/api/v1/complaints/{cid}/{name}/", payload, format="json")
        assert r.status_code == 200, r.content
    assert r.json()["state"] == "archived"
    assert [(e["transition"], e["to"]) for e in r.json()["history"]] == [
        ("receive", "received"), ("verify", "verified"), ("propose", "proposed"),
        ("approve_step", "proposed"), ("approve", "approved"), ("payment", "approved"),
        ("resolve", "resolved"), ("revisit", "revisited"), ("archive", "archived")]


def test_intake_answers_exactly_what_reading_the_case_answers(api):
    """The 201 answer is built from the case just logged (no re-read of six
    tables); it must be the same document GET returns."""
    for user, extra in [("front_desk_gd", {}), ("handler_gd", {"claim_amount": "88.00", "vip": True})]:
        payload = api_payload(**{k: v for k, v in extra.items() if k != "vip"})
        if extra.get("vip"):
            payload["complainant"]["vip"] = True
        created = api(user).post("/api/v1/complaints/", payload, format="json")
        assert created.status_code == 201, created.content
        read = api(user).get(f"/api/v1/complaints/{created.json()['id']}/")
        assert created.json() == read.json()
