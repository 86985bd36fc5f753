"""Text rules every app shares."""


def one_line(value: str) -> str:
    """Text that goes into a title, a subject or a header: every run of blanks
    and line breaks made one space (a newline in a mail header fails the
    message on every attempt)."""
    return " ".join((value or "").split())
