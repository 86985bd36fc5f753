from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops import health


@never_cache
@require_GET
def healthz(request):
    """GET /healthz, public, for load balancers and monitoring: 200 when the
    database(s), Redis (when configured) and a recent deadline sweep are all
    fine, else 503; each check with its status and latency. No personal data.
    ``?check=database`` (repeatable) runs only the named checks: a load balancer
    asks whether this web process can serve, monitoring asks about everything."""
    only = set(request.GET.getlist("check"))
    if unknown := only - set(health.CHECKS):
        return JsonResponse({"status": "fail", "error": f"unknown check: {', '.join(sorted(unknown))}",
                             "checks": {}}, status=400)
    ok, checks = health.run(only)
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)
