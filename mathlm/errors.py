"""Errors that are the user's to fix: the CLI prints their message (no traceback) and exits non-zero."""


class MathlmError(Exception):
    """Base class of errors caused by input, configuration or environment; the message says what to do."""
