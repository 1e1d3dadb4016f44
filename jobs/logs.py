"""structlog set up once: a console on a terminal, JSON lines otherwise; secrets masked.

Masking works two ways: by key (`password=...` becomes `***`) and by value (every secret
the config resolved is replaced wherever it appears, even inside an error message), so a
driver that echoes a connection string cannot leak a password into a log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor

LogFormat = Literal["auto", "console", "json"]
MASK = "***"
SECRET_KEYS = frozenset(
    {"password", "passwd", "secret", "client_secret", "authorization", "token", "api_key"}
)

_secret_values: set[str] = set()


def register_secrets(values: Iterable[str]) -> None:
    """Values to mask wherever they appear (the resolved secrets of the config)."""
    _secret_values.update(v for v in values if v)


def _mask_text(text: str) -> str:
    for secret in sorted(_secret_values, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, dict):
        return {k: MASK if str(k).lower() in SECRET_KEYS else _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask(v) for v in value)
    if isinstance(value, BaseException):
        return _mask_text(str(value))
    return value


def redact_secrets(logger: Any, method: str, event: EventDict) -> EventDict:
    """structlog processor: secret keys become `***`, secret values are cut out of text."""
    for key in list(event):
        if key.lower() in SECRET_KEYS:
            event[key] = MASK
        else:
            event[key] = _mask(event[key])
    return event


def _redact_rendered(logger: Any, method: str, event: Any) -> Any:
    """Last line of defence: mask the rendered line (tracebacks included)."""
    return _mask_text(event) if isinstance(event, str) else event


class _StderrLogger:
    """Writes to whatever `sys.stderr` is at the time of the call, not when configured:
    a test runner or a CLI harness may swap (and close) streams between calls."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _stderr_factory(*_args: Any) -> _StderrLogger:
    return _StderrLogger()


def configure(fmt: LogFormat = "auto", level: str = "info", stream: TextIO | None = None) -> None:
    """Configure structlog once per process; later calls replace the setup."""
    out = stream or sys.stderr
    use_console = fmt == "console" or (fmt == "auto" and out.isatty())
    factory: Any = structlog.PrintLoggerFactory(file=stream) if stream else _stderr_factory
    renderer: Processor = (
        structlog.dev.ConsoleRenderer(colors=out.isatty())
        if use_console
        else structlog.processors.JSONRenderer()
    )
    processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_secrets,
        renderer,
        _redact_rendered,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str, **context: Any) -> Any:
    return structlog.get_logger(name).bind(**context)
