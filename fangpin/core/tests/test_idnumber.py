"""The ID module: GB 11643 check digits, legacy upgrade, normalisation, Excel damage."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangpin.core import idnumber
from fangpin.core.idnumber import IdNumberError, parse

VALID = "34010219800101159X"


def _independent_check(first17: str) -> str:
    # Written from the standard, not from the module under test.
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (VALID, VALID),
        ("34010219800101159x", VALID),
        (" 3401 0219 8001 0115 9X ", VALID),
        ("３４０１０２１９８００１０１１５９Ｘ", VALID),
        ("340102-19800101-159X", VALID),
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert parse(raw).number == expected


def test_birth_date_and_sex_come_from_the_number():
    parsed = parse(VALID)
    assert parsed.birth_date == date(1980, 1, 1)
    assert parsed.sex == "M"


def test_fifteen_digit_legacy_number_is_upgraded_with_a_new_check_digit():
    legacy = "340102800101159"
    parsed = parse(legacy)
    assert parsed.number == "34010219800101159X"
    assert parsed.upgraded_from_15


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", idnumber.EMPTY),
        ("340102198001011590", idnumber.BAD_CHECK_DIGIT),
        ("3401021980010115", idnumber.BAD_LENGTH),
        ("34010219800101159Y", idnumber.BAD_CHARS),
        ("340102198002301593", idnumber.BAD_BIRTH_DATE),
        ("3.40102E+17", idnumber.EXCEL_SCIENTIFIC),
        ("340102198001011000", idnumber.EXCEL_TRUNCATED),
        ("340102198001011590.0", idnumber.EXCEL_NUMERIC),
    ],
)
def test_bad_numbers_are_refused_with_their_reason(raw, code):
    with pytest.raises(IdNumberError) as err:
        parse(raw)
    assert err.value.code == code


def test_a_numeric_spreadsheet_cell_is_refused_even_if_it_looks_complete():
    with pytest.raises(IdNumberError) as err:
        parse(340102198001011590)
    assert err.value.code == idnumber.EXCEL_NUMERIC
    with pytest.raises(IdNumberError) as err:
        parse(VALID, cell_is_numeric=True)
    assert err.value.code == idnumber.EXCEL_NUMERIC


def test_future_birth_date_is_refused():
    first17 = "34010220990101159"
    with pytest.raises(IdNumberError) as err:
        parse(first17 + _independent_check(first17), today=date(2026, 1, 1))
    assert err.value.code == idnumber.FUTURE_BIRTH_DATE


def test_cross_check_finds_wrong_birth_date_and_sex():
    parsed = parse(VALID)
    assert idnumber.cross_check(parsed, birth_date=date(1980, 1, 2), sex="F") == [
        idnumber.BIRTH_DATE_MISMATCH,
        idnumber.SEX_MISMATCH,
    ]
    assert idnumber.cross_check(parsed, birth_date=date(1980, 1, 1), sex="M") == []


def test_mask_keeps_region_and_last_four():
    assert idnumber.mask(VALID) == "3401**********159X"


ids = st.builds(
    lambda region, d, seq: f"{region:06d}{d:%Y%m%d}{seq:03d}",
    st.integers(110000, 659999),
    st.dates(date(1900, 1, 1), date(2020, 12, 31)),
    st.integers(0, 999),
).map(lambda first17: first17 + _independent_check(first17))


@given(ids)
def test_every_number_built_by_an_independent_implementation_is_accepted(number):
    assert parse(number, today=date(2026, 1, 1)).number == number


@given(ids, st.integers(0, 16), st.integers(1, 9))
def test_every_single_digit_change_is_refused(number, position, delta):
    digit = (int(number[position]) + delta) % 10
    mutated = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(IdNumberError):
        parse(mutated, today=date(2026, 1, 1))
