"""The server's log lines as JSON objects."""

from __future__ import annotations

import json
import logging
import logging.config

from coach.logs import JsonFormatter, log_config


def test_the_json_formatter_writes_one_object_with_the_extras():
    record = logging.makeLogRecord(
        {
            "name": "coach.access",
            "levelname": "INFO",
            "msg": "GET / 200",
            "request_id": "r1",
            "status": 200,
        }
    )
    entry = json.loads(JsonFormatter().format(record))
    assert (
        entry["message"] == "GET / 200" and entry["request_id"] == "r1" and entry["status"] == 200
    )
    assert entry["level"] == "info" and entry["time"].endswith("+00:00")


def test_the_log_config_is_valid_and_turns_the_access_log_on_or_off():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    access = logging.getLogger("coach.access")
    try:
        for on in (True, False):
            logging.config.dictConfig(log_config(access_log=on))
            assert access.isEnabledFor(logging.INFO) is on
    finally:
        root.handlers[:], root.level = handlers, level
        access.setLevel(logging.NOTSET)
        for name in ("uvicorn", "uvicorn.access"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        logging.getLogger("uvicorn.access").propagate = True
