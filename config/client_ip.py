"""The client's address behind the documented proxies (docs/DEPLOY.md): each of
the AXES_PROXY_COUNT proxies in front appends the address it received the
request from to X-Forwarded-For (nginx: ``$proxy_add_x_forwarded_for``), so the
client is the AXES_PROXY_COUNT-th address from the right. Whatever a client
writes into the header itself stands to the left of that and is never read.
With no proxy (0, the demo) the address is the connection's own.

django-axes reads it (AXES_CLIENT_IP_CALLABLE) for its sign-in lockout, and
DRF the same way (NUM_PROXIES). django-ipware, which axes would otherwise use,
counts proxies that append their own address: with nginx's header and the
documented count of 1 it finds no address, or the left-most one a client can
write."""

from django.conf import settings


def client_ip(request) -> str | None:
    proxies = settings.PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not through the proxies (a health check from the host itself)
    return forwarded[-proxies]
