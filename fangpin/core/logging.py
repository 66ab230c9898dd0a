"""A logging filter that masks ID and phone numbers before any handler writes."""

from __future__ import annotations

import logging

from fangpin.core.masking import mask_text


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        # Newlines would let a farmer-typed name forge a log line (SECURITY T-32).
        masked = masked.replace("\r", "\\r").replace("\n", "\\n")
        if masked != message:
            record.msg = masked
            record.args = None
        return True
