import re
import uuid

from django.conf import settings
from django.utils import translation

from config.logs import request_id


class RequestIdMiddleware:
    """Every request has an id: the proxy's X-Request-ID when it sent a sane one
    (nginx: ``proxy_set_header X-Request-ID $request_id``), else a new one. It is
    on ``request.id``, in every log line written while the request is served
    (config/logs.py), in the answer's X-Request-ID header and in gunicorn's
    access line, and it travels with the Celery tasks the request starts."""

    HEADER = "HTTP_X_REQUEST_ID"
    SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(self.HEADER, "")
        request.id = given if self.SANE.match(given) else uuid.uuid4().hex
        token = request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class NoStoreForStaffMiddleware:
    """What a signed-in member of staff is sent (pages, the API, exports,
    evidence) may carry full phone and ID numbers: no browser, proxy or shared
    PC keeps a copy (Cache-Control: no-store). Static files are not touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or request.META.get("HTTP_AUTHORIZATION")
        if signed_in and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            from django.utils.cache import patch_cache_control

            patch_cache_control(response, no_store=True, private=True)
        return response


class RejectNulCharactersMiddleware:
    """A NUL character in a query or form value is refused with 400 before any
    view sees it: PostgreSQL cannot store or compare one, so it would surface
    as a server error in whatever list filter or search received it (the
    admin's list filters did). JSON bodies are checked by the serializers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _form_has_nul(request)):
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            return HttpResponseBadRequest(_("The request contains a NUL character, which is not allowed."),
                                          content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


def _form_has_nul(request) -> bool:
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return False
    return _has_nul(request.POST)


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese first (docs/rules.md): the language a user chose with the
    language switch (its cookie) or else zh-hans — never the browser's
    Accept-Language, so an English-configured PC at a branch still shows Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response



class DatabaseUnavailableMiddleware:
    """When the database is down or restarting, answer 503 with a clear message
    (JSON for the API, the error page otherwise) instead of a bare 500. The
    request's transaction was rolled back; CONN_HEALTH_CHECKS makes the next
    request open a fresh connection, so the app recovers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError, close_old_connections
        from django.http import HttpResponse, JsonResponse
        from django.template.loader import render_to_string
        from django.utils.translation import gettext as _

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        import logging

        logging.getLogger(__name__).error("Database unavailable: %s", exception)
        close_old_connections()
        if request.method in ("GET", "HEAD", "OPTIONS"):
            message = _("The database is temporarily unavailable; please reload in a minute.")
        else:
            # The connection may have dropped after the commit: whether this was saved is not known here.
            message = _("The database is temporarily unavailable, so whether this operation was saved is not "
                        "known. Look the case up by its number or the caller's phone before trying again; "
                        "an API client retries with the same Idempotency-Key and logs nothing twice.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            # Rendered without the request: its context processors would query the database.
            response = HttpResponse(render_to_string("500.html"), status=503)
        response["Retry-After"] = "30"
        return response
