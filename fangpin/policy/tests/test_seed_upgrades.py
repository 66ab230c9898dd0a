"""Databases seeded by an older release keep their figures when a parameter gets its first reader."""

from __future__ import annotations

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps

from fangpin.policy.models import PolicyParameter

UPGRADE = import_module("fangpin.policy.migrations.0003_household_size_rule_default")


def _row(value: str, note: str) -> PolicyParameter:
    PolicyParameter.objects.filter(key="household_size_rule").delete()
    return PolicyParameter.objects.create(
        key="household_size_rule", area=None, value=value, effective_from=date(2021, 1, 1), note=note
    )


@pytest.mark.django_db
def test_the_old_seed_value_of_the_household_size_rule_becomes_the_co_resident_count():
    row = _row("active_members", "全国默认值（可由省、市、县按年度另行设定）")
    UPGRADE.forwards(apps, None)
    row.refresh_from_db()
    assert row.value == "snapshot_size"


@pytest.mark.django_db
def test_a_household_size_rule_someone_set_on_purpose_is_kept():
    row = _row("active_members", "2025年省厅通知：按在册成员计算")
    UPGRADE.forwards(apps, None)
    row.refresh_from_db()
    assert row.value == "active_members"
