"""API shapes: only masked ID and phone numbers ever leave the server."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    reasons: list[str] = []


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class PersonOut(Schema):
    id: int
    household_id: int
    name: str
    id_number_masked: str
    gender: str
    birth_date: date
    relationship: str
    ethnicity: str
    education: str
    student_status: str
    is_chronic_ill: bool
    is_seriously_ill: bool
    is_disabled: bool
    disability_grade: int | None
    labour_capacity: str
    work_location: str
    work_months: int | None
    in_resident_medical: bool
    in_employee_medical: bool
    in_serious_illness: bool
    is_dibao: bool
    is_tekun: bool
    phone_masked: str
    status: str


class HouseholdOut(Schema):
    id: int
    national_household_code: str
    village_code: str
    grid_code: str | None
    household_type: str
    escape_year: int | None
    address: str
    phone_masked: str
    status: str
    version: int


class SnapshotOut(Schema):
    id: int
    kind: str
    year: int
    window_start: date
    window_end: date
    wage_income: str
    business_income: str
    property_income: str
    transfer_income: str
    business_expense: str
    insurance_claim_income: str
    eligible_out_of_pocket: str
    household_size: int
    net_income: str
    per_capita_net_income: str


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]
    snapshots: list[SnapshotOut]


class Page(Schema):
    next_cursor: int | None


class HouseholdPage(Page):
    items: list[HouseholdOut]


class PersonPage(Page):
    items: list[PersonOut]


class IdLookupIn(Schema):
    id_number: str
