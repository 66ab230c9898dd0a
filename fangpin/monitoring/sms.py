"""Pluggable SMS sending for the outbox. No provider is wired in: the default
sender appends to a log file under FANGPIN_VAR_DIR (development and demo).
Set FANGPIN_SMS_SENDER to the dotted path of a class with `send(phone, body)`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from fangpin.core.masking import mask_phone


class SmsSender(Protocol):
    def send(self, phone: str, body: str) -> None: ...


class FileSender:
    """Writes each message (phone masked) to var/sms-outbox.log."""

    def __init__(self) -> None:
        self.path = Path(settings.VAR_DIR) / "sms-outbox.log"

    def send(self, phone: str, body: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(f"{timezone.now():%Y-%m-%d %H:%M:%S}\t{mask_phone(phone)}\t{body}\n")


def get_sender() -> SmsSender:
    dotted = os.environ.get("FANGPIN_SMS_SENDER", "")
    return import_string(dotted)() if dotted else FileSender()
