"""Chinese resident identity numbers (GB 11643-1999), the one module used everywhere.

Pure functions, no Django: the import, the forms, the API and the data-feed
pipeline all call these.  Errors carry a code; `fangpin.core.messages` turns
codes into Chinese text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric as _ric

# Codes for every way an ID can be refused (see fangpin.core.messages).
EMPTY = "empty"
EXCEL_NUMERIC = "excel_numeric"
EXCEL_SCIENTIFIC = "excel_scientific"
EXCEL_TRUNCATED = "excel_truncated"
BAD_CHARS = "bad_chars"
BAD_LENGTH = "bad_length"
BAD_BIRTH_DATE = "bad_birth_date"
FUTURE_BIRTH_DATE = "future_birth_date"
BAD_CHECK_DIGIT = "bad_check_digit"
BIRTH_DATE_MISMATCH = "birth_date_mismatch"
SEX_MISMATCH = "sex_mismatch"

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_SEPARATORS = re.compile(r"[\s\-_‐‑‒–—]+")


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; `code` says why."""

    def __init__(self, code: str, raw: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.raw = raw


@dataclass(frozen=True, slots=True)
class ParsedId:
    number: str  # normalised 18-character form
    birth_date: date
    sex: str  # "M" or "F"
    upgraded_from_15: bool = False


def normalize(raw: object) -> str:
    """Full-width digits to ASCII, separators removed, lower-case x upper-cased."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    text = _SEPARATORS.sub("", text.strip())
    return text.upper()


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits [GB 11643]."""
    # stdnum drops the last character (it expects the check digit to be present).
    return str(_ric.calc_check_digit(first17 + "0"))


def is_valid_check(number18: str) -> bool:
    return len(number18) == 18 and number18[:17].isdigit() and check_digit(number18[:17]) == number18[17]


def upgrade_15(number15: str) -> str:
    """A legacy 15-digit number (born 19YY) as its 18-digit form."""
    first17 = number15[:6] + "19" + number15[6:15]
    return first17 + check_digit(first17)


def _birth_date(digits8: str) -> date:
    try:
        return date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError as exc:
        raise IdNumberError(BAD_BIRTH_DATE) from exc


def parse(raw: object, *, cell_is_numeric: bool = False, today: date | None = None) -> ParsedId:
    """Validate and normalise one ID number, refusing Excel-mangled values. [GB 11643]"""
    if cell_is_numeric or (isinstance(raw, (int, float)) and not isinstance(raw, bool)):
        # Excel keeps 15 significant digits: the last three are gone for ever.
        raise IdNumberError(EXCEL_NUMERIC, str(raw))
    text = normalize(raw)
    if not text:
        raise IdNumberError(EMPTY)
    if _SCIENTIFIC.match(text):
        raise IdNumberError(EXCEL_SCIENTIFIC, text)
    if text.endswith(".0") and text[:-2].isdigit():
        raise IdNumberError(EXCEL_NUMERIC, text)
    upgraded = False
    if len(text) == 15:
        if not text.isdigit():
            raise IdNumberError(BAD_CHARS, text)
        text = upgrade_15(text)
        upgraded = True
    if len(text) != 18:
        if not re.fullmatch(r"\d*X?", text):
            raise IdNumberError(BAD_CHARS, text)
        raise IdNumberError(BAD_LENGTH, text)
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        raise IdNumberError(BAD_CHARS, text)
    born = _birth_date(text[6:14])
    if born > (today or date.today()) or born.year < 1880:  # noqa: DTZ011 - the local calendar date
        raise IdNumberError(FUTURE_BIRTH_DATE if born.year >= 1880 else BAD_BIRTH_DATE, text)
    if check_digit(text[:17]) != text[17]:
        code = EXCEL_TRUNCATED if text.endswith("000") else BAD_CHECK_DIGIT
        raise IdNumberError(code, text)
    sex = "M" if int(text[16]) % 2 == 1 else "F"
    return ParsedId(number=text, birth_date=born, sex=sex, upgraded_from_15=upgraded)


def cross_check(parsed: ParsedId, *, birth_date: date | None, sex: str | None) -> list[str]:
    """Codes for disagreements between the number and the recorded facts."""
    problems = []
    if birth_date is not None and birth_date != parsed.birth_date:
        problems.append(BIRTH_DATE_MISMATCH)
    if sex and sex != parsed.sex:
        problems.append(SEX_MISMATCH)
    return problems


def mask(number: str | None) -> str:
    """`3401**********123X`: region prefix and last four kept, the rest starred."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def last4(number: str | None) -> str:
    return (number or "")[-4:]
