"""Log formatting shared by the web processes and the Celery worker.

Every process writes its timestamps in UTC with an explicit `Z`: Django sets the process's local
time zone to TIME_ZONE (Asia/Shanghai) once settings load, while servers and workers start
before it, so local-time stamps would mix zones in one log stream.
"""

from __future__ import annotations

import logging
import time


class UTCFormatter(logging.Formatter):
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def converter(self, timestamp: float | None) -> time.struct_time:  # type: ignore[override]
        return time.gmtime(timestamp)


class OneLineRefusals(logging.Filter):
    """A refused request (403, 404) is an answer, not a fault: log one line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
        return True
