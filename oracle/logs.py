"""Logging set-up for the oracle's processes: every line (message and traceback) passes `RedactingFilter`, which
masks credentials in URLs (blackgold.redact), so an RPC or database password never reaches a log."""

from __future__ import annotations

import logging

from blackgold.redact import redact_text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        return True


def configure(level: str, fmt: str = "%(asctime)s %(levelname)s %(name)s: %(message)s") -> None:
    """basicConfig, with every root handler redacting (uvicorn's loggers propagate to it)."""
    logging.basicConfig(level=level.upper(), format=fmt)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
