"""The one error type of the project: a message a person can act on."""

from __future__ import annotations


class StudioError(Exception):
    """An error with where it happened (file, line, field) and what to do about it."""

    def __init__(self, message: str, where: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class Cancelled(BaseException):
    """A cancelled job (SIGTERM): unwinds like Ctrl+C, so `finally` blocks clean up.

    Not a KeyboardInterrupt: a KeyboardInterrupt raised by a SIGTERM handler while the export
    was importing gguf was caught by cli_main, yet the process still ended by SIGINT (exit -2,
    about one cancel in ten); an exception of our own is not treated that way."""


def cancel_on_sigterm() -> None:
    """From now on, SIGTERM raises Cancelled in the main thread."""
    import signal

    def handler(signum: int, frame: object) -> None:
        raise Cancelled

    signal.signal(signal.SIGTERM, handler)


def cli_main(main):
    """Decorate a CLI entry point so a StudioError prints one line and exits 1, never a traceback."""
    import functools
    import sys

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except StudioError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        except (KeyboardInterrupt, Cancelled):
            print("interrupted", file=sys.stderr)
            return 130

    return wrapper
