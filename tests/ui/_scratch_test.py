import pytest
@pytest.mark.django_db
def test_dump(client_for, submit, staff):
    c = submit(by="front_desk_gd")
    cl = client_for("front_desk_gd")
    for url in ["/complaints/new/", f"/complaints/{c.pk}/receipt/", "/workspace/?tab=queue"]:
        r = cl.get(url, HTTP_ACCEPT_LANGUAGE="en-US")
        print("=====", url, r.status_code)
        print(r.content.decode()[:200000])
    h = client_for("handler_gd")
    r = h.get(f"/complaints/{c.pk}/")
    print(r.content.decode())
