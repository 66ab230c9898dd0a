"""Fixtures shared by every test: a small world of two counties and one
persona per role (SECURITY.md §5 "fixture world").  Never a superuser."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from fangpin.core import dbguard

# Property tests judge correctness, never speed: on a loaded 2-core machine
# Hypothesis' timing health check and per-example deadline would fail
# correct code.
hypothesis_settings.register_profile("fangpin", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("fangpin")

# Django's test teardown empties every table, the audit log included.
dbguard.ALWAYS_OPEN = True
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CANARY_ID = "34010219800101159X"
CANARY_PHONE = "13912345678"
CANARY_NAME = "金丝雀"


def make_id(region: str, born: date, seq: int) -> str:
    from fangpin.core.idnumber import check_digit

    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


@dataclass
class World:
    areas: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    households: dict[str, list[Any]] = field(default_factory=dict)
    canary: Any = None

    def visible_households(self, area_key: str) -> set[int]:
        """The oracle: households whose village code starts with the area's prefix."""
        area = self.areas[area_key]
        if area.level == "grid":
            return {h.pk for hs in self.households.values() for h in hs if h.grid_id == area.pk}
        return {h.pk for hs in self.households.values() for h in hs if h.village_code.startswith(area.prefix)}


AREAS = [
    ("prov", "340000000000", "示例省", "province", None),
    ("city", "340100000000", "示例市", "city", "prov"),
    ("A", "340102000000", "甲县", "county", "city"),
    ("B", "340103000000", "乙县", "county", "city"),
    ("A1", "340102001000", "东镇", "township", "A"),
    ("A2", "340102002000", "西乡", "township", "A"),
    ("B1", "340103001000", "南镇", "township", "B"),
    ("A1a", "340102001001", "一村", "village", "A1"),
    ("A1b", "340102001002", "二村", "village", "A1"),
    ("A2a", "340102002001", "三村", "village", "A2"),
    ("B1a", "340103001001", "四村", "village", "B1"),
    ("A1a-g1", "340102001001001", "一村第1网格", "grid", "A1a"),
    ("A1a-g2", "340102001001002", "一村第2网格", "grid", "A1a"),
]

PERSONAS = [
    ("county_admin_a", "county_admin", "A"),
    ("county_staff_a", "county_staff", "A"),
    ("township_a1", "township_staff", "A1"),
    ("township_a2", "township_staff", "A2"),
    ("village_a1a", "village_cadre", "A1a"),
    ("village_a1b", "village_cadre", "A1b"),
    ("grid_a1a", "grid_worker", "A1a-g1"),
    ("liaison_a", "department_liaison", "A"),
    ("auditor_a", "auditor", "A"),
    ("county_admin_b", "county_admin", "B"),
    ("village_b1a", "village_cadre", "B1a"),
    ("province_admin", "province_admin", "prov"),
    ("orphan", "village_cadre", None),
    ("misfit", "village_cadre", "A1"),
]
PASSWORD = "Test-password-2026"


def build_world() -> World:
    from fangpin.accounts.models import User
    from fangpin.areas.models import Area
    from fangpin.registry.choices import HouseholdType, LabourCapacity, Relationship
    from fangpin.registry.models import Household, IncomeSnapshot, Person

    world = World()
    for key, code, name, level, parent in AREAS:
        world.areas[key] = Area.objects.create(
            code=code, name=name, level=level, parent=world.areas.get(parent) if parent else None
        )
    for username, role, area in PERSONAS:
        world.users[username] = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            area=world.areas.get(area) if area else None,
            display_name=username,
        )
    seq = 1
    for village_key in ("A1a", "A1b", "A2a", "B1a"):
        village = world.areas[village_key]
        world.households[village_key] = []
        for i in range(3):
            grid = world.areas["A1a-g1"] if village_key == "A1a" and i < 2 else None
            h = Household.objects.create(
                national_household_code=f"{village.code}{i:04d}",
                village=village,
                village_code=village.code,
                grid=grid,
                household_type=HouseholdType.ESCAPED if i == 0 else HouseholdType.ORDINARY,
                address=f"{village.name}{i}号",
                phone=f"1380000{seq:04d}",
            )
            world.households[village_key].append(h)
            head_id = CANARY_ID if (village_key == "A1a" and i == 0) else make_id("340102", date(1970, 1, 1 + i), seq)
            Person.objects.create(
                household=h,
                name=CANARY_NAME if head_id == CANARY_ID else f"户主{village_key}{i}",
                id_number=head_id,
                gender="M",
                birth_date=date(1980, 1, 1) if head_id == CANARY_ID else date(1970, 1, 1 + i),
                relationship=Relationship.HEAD,
                labour_capacity=LabourCapacity.ORDINARY,
                phone=CANARY_PHONE if head_id == CANARY_ID else "",
                in_resident_medical=True,
            )
            Person.objects.create(
                household=h,
                name=f"配偶{village_key}{i}",
                id_number=make_id("340102", date(1972, 2, 1 + i), seq + 1),
                gender="F",
                birth_date=date(1972, 2, 1 + i),
                relationship=Relationship.SPOUSE,
                labour_capacity=LabourCapacity.ORDINARY,
                in_resident_medical=True,
            )
            Person.objects.create(
                household=h,
                name=f"孩子{village_key}{i}",
                id_number=make_id("340102", date(2015, 3, 1 + i), seq + 3),
                gender="M",
                birth_date=date(2015, 3, 1 + i),
                relationship=Relationship.SON,
                labour_capacity=LabourCapacity.NONE,
                student_status="primary",
            )
            IncomeSnapshot.objects.create(
                household=h,
                year=2025,
                window_start=date(2025, 1, 1),
                window_end=date(2025, 12, 31),
                wage_income=20000 + 1000 * i,
                business_income=5000,
                property_income=0,
                transfer_income=1000,
                business_expense=2000,
                household_size=3,
            )
            seq += 5
    world.canary = Person.objects.get(id_number=CANARY_ID)
    return world


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def client_as(world: World) -> Any:
    from django.test import Client

    def make(username: str, **kwargs: Any) -> Client:
        client = Client(**kwargs)
        client.force_login(world.users[username])
        return client

    return make


@pytest.fixture
def actor_for(world: World) -> Any:
    from fangpin.core.actor import Actor

    return lambda username: Actor(user=world.users[username])
