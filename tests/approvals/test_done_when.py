"""Issue 4 "Done when", through the API: a handler proposes a 60,000.00 refund,
the five approvers each approve it from their queue, finance pays it, the
handler resolves it, and every step shows in the case history."""

import pytest

from tests.conftest import api_payload

pytestmark = pytest.mark.django_db

APPROVERS = [("supervisor_gd", "supervisor"), ("channel_head_hq", "channel_head"),
             ("ops_director_hq", "ops_director"), ("cfo_hq", "cfo"), ("general_manager_hq", "general_manager")]


def test_a_60000_refund_goes_through_five_approvers_payment_and_resolve(api, people):
    handler = api("handler_gd")
    response = handler.post("/api/v1/complaints/", api_payload(category="I-2"), format="json")
    assert response.status_code == 201, response.content
    cid = response.json()["id"]
    assert handler.post(f"/api/v1/complaints/{cid}/verify/", {}, format="json").status_code == 200
    response = handler.post(f"/api/v1/complaints/{cid}/propose/",
                            {"remedy": "全额退款", "amount": "60000.00", "comment": "商户违约，退还兑换款"},
                            format="json")
    assert response.status_code == 200, response.content

    for position, (who, role) in enumerate(APPROVERS, 1):
        others = [name for name, _ in APPROVERS if name != who]
        assert all(not any(i["complaint"] == cid for i in api(people[o]).get("/api/v1/approvals/").json()["results"])
                   for o in others), f"step {position} is in someone else's queue"
        (item,) = api(people[who]).get("/api/v1/approvals/").json()["results"]
        assert (item["complaint"], item["amount"], item["role"], item["position"], item["of"]) == (
            cid, "60000.00", role, position, 5)
        response = api(people[who]).post(f"/api/v1/approvals/{item['id']}/approve/", {"comment": "同意"},
                                         format="json")
        assert response.status_code == 200, response.content

    assert handler.get(f"/api/v1/complaints/{cid}/").json()["state"] == "approved"
    assert handler.post(f"/api/v1/complaints/{cid}/resolve/", {"resolution": "已退款", "notice": {"channel": "phone"}},
                        format="json").status_code == 409
    response = api("finance_gd").post(f"/api/v1/complaints/{cid}/payment/",
                                      {"reference": "FK-2026-0060", "amount": "60000.00"}, format="json")
    assert response.status_code in (200, 201), response.content
    response = handler.post(f"/api/v1/complaints/{cid}/resolve/", {"resolution": "已全额退款，客户认可",
                                                                    "notice": {"channel": "phone"}},
                            format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "resolved"

    history = [(e["transition"], e["by"], e["to"]) for e in response.json()["history"]]
    assert history == [
        ("receive", "handler_gd", "received"),
        ("verify", "handler_gd", "verified"),
        ("propose", "handler_gd", "proposed"),
        *[("approve_step", who, "proposed") for who, _ in APPROVERS],
        ("approve", "general_manager_hq", "approved"),
        ("payment", "finance_gd", "approved"),
        ("resolve", "handler_gd", "resolved"),
    ]
    chain = handler.get(f"/api/v1/complaints/{cid}/approvals/").json()
    assert chain["status"] == "approved"
    assert [(s["role"], s["status"], s["decided_by"]) for s in chain["steps"]] == [
        (role, "approved", who) for who, role in APPROVERS]
