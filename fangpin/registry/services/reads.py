"""Sensitive reads are logged too: full records and searches by ID number. [SECURITY T-82]"""

from __future__ import annotations

from django.db import transaction

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.idnumber import mask
from fangpin.core.models import AuditAction
from fangpin.registry.models import Household


def household_read_logged(*, actor: Actor, household: Household) -> None:
    with transaction.atomic():
        audit_log(
            actor=actor,
            action=AuditAction.READ,
            object_type="household",
            object_id=household.pk,
            object_label=household.national_household_code,
            area_code=household.village_code,
            household_id=household.pk,
        )


def registry_search_logged(*, actor: Actor, id_number: str, hits: int) -> None:
    with transaction.atomic():
        audit_log(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type="person",
            object_label=mask(id_number),
            changes={"hits": [None, hits]},
        )
