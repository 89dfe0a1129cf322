"""The server's logs as JSON lines: one object per record, with what it carries.

`okr-coach serve` hands `log_config()` to uvicorn: the access log (`coach.access`,
written by `coach.web.observe`) at INFO, everything else at WARNING, all
as JSON on stderr, for a log shipper to read without parsing prose.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has: the rest were passed in `extra` and are written out.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def log_config(access_log: bool = True) -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn: JSON lines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "coach.logs.JsonFormatter"}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "coach.access": {"level": "INFO" if access_log else "WARNING"},
            # uvicorn's own access lines say less than ours (no id, no time taken): off.
            "uvicorn.access": {"level": "WARNING", "propagate": False, "handlers": []},
            "uvicorn": {"level": "WARNING"},
        },
    }
