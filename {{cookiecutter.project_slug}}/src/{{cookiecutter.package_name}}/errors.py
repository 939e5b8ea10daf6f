"""The one error type the CLI turns into a clear one-line message."""


class LifecycleError(Exception):
    """A problem the user can fix; its message names the problem and the fix."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type's name when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
