"""Server-side masking of ID numbers and phone numbers (SECURITY.md §0 item 6)."""

from __future__ import annotations

import re

from fangpin.core.idnumber import mask as mask_id_number

_ID_IN_TEXT = re.compile(r"(?<![0-9])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9])")
_ID15_IN_TEXT = re.compile(r"(?<![0-9])(\d{15})(?![0-9])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9]\d)(\d{4})(\d{4})(?![0-9])")


def mask_phone(phone: str | None) -> str:
    """`138****1234` for mobiles; landlines keep only their last four digits."""
    if not phone:
        return ""
    if "*" in phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_text(text: str) -> str:
    """Mask anything in free text that looks like an ID number or a mobile number."""
    if not text:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _ID15_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


__all__ = ["mask_id_number", "mask_phone", "mask_text"]
