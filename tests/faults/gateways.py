"""SMS gateways for fault tests, writing what they send to FAULT_GATEWAY_FILE (shared across processes)."""

from __future__ import annotations

import os
import time
import uuid

from core.notifications.backends import SmsMessage


def _write(line: str) -> None:
    with open(os.environ["FAULT_GATEWAY_FILE"], "a", encoding="utf-8") as f:
        f.write(line + "\n")


class FileGateway:
    name = "file"

    def send(self, message: SmsMessage) -> str:
        _write(f"sent {message.phone}")
        return uuid.uuid4().hex


class SlowFileGateway:
    """Takes a while, so a test can kill the worker in the middle of a delivery."""

    name = "slow-file"

    def send(self, message: SmsMessage) -> str:
        _write(f"start {message.phone}")
        time.sleep(float(os.environ.get("FAULT_GATEWAY_DELAY", "4")))
        _write(f"sent {message.phone}")
        return uuid.uuid4().hex
