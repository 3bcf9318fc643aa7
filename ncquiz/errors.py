"""Errors the core raises for bad input; the CLI turns them into one line and exit status 2."""


class NcquizError(Exception):
    """Bad input from a user or a file: reported in one line, never as a traceback."""


class ParamError(NcquizError, ValueError):
    """A solver parameter is missing, malformed or outside its domain."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
