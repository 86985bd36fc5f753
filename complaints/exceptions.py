"""Domain exceptions; mapped to HTTP in one place (complaints.api.errors)."""

from django.core.exceptions import ValidationError  # noqa: F401  (400, field errors)


class ComplaintError(Exception):
    default_message = ""

    def __init__(self, message: str = ""):
        super().__init__(message or str(self.default_message))
        self.message = message or str(self.default_message)


class NotVisible(ComplaintError):
    """The case is outside the user's scope: answered as if it did not exist (404)."""


class NotPermitted(ComplaintError):
    """The user sees the case but may not do this (403)."""


class TransitionNotAllowed(ComplaintError):
    """The state (or a condition of the case) does not allow this (409)."""


class ConcurrentChange(ComplaintError):
    """Another user changed the case first (409)."""


class TooManySearches(ComplaintError):
    """Too many searches by full phone or ID number in a short time (429)."""

    def __init__(self, message: str = "", *, wait: int = 60):
        super().__init__(message)
        self.wait = wait
