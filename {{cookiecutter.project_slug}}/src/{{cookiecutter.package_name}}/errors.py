"""The one error type the CLI turns into a clear one-line message."""


class LifecycleError(Exception):
    """A problem the user can fix; its message names the problem and the fix."""


class InvalidInputError(LifecycleError):
    """Input that breaks the data contract; `status` is the HTTP status a server answers with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type's name when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
