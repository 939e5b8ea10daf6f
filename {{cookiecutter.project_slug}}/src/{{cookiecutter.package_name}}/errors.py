"""The one error type the CLI turns into a clear one-line message."""


class LifecycleError(Exception):
    """A problem the user can fix; its message names the problem and the fix."""
