"""The only code that writes registry data: one transaction, one audit record each."""

from fangpin.registry.services.households import (
    household_change_head,
    household_create,
    household_merge,
    household_split,
    household_transfer,
    household_update,
)
from fangpin.registry.services.migrant_work import migrant_work_end, migrant_work_record
from fangpin.registry.services.persons import (
    person_add,
    person_move,
    person_remove,
    person_reveal,
    person_update,
)
from fangpin.registry.services.reads import household_read_logged, registry_search_logged
from fangpin.registry.services.snapshots import snapshot_add

__all__ = [
    "household_change_head",
    "household_create",
    "household_merge",
    "household_read_logged",
    "household_split",
    "household_transfer",
    "household_update",
    "migrant_work_end",
    "migrant_work_record",
    "person_add",
    "person_move",
    "person_remove",
    "person_reveal",
    "person_update",
    "registry_search_logged",
    "snapshot_add",
]
