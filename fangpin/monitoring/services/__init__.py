"""Monitoring services: the only code that writes monitoring tables.

The contract other apps call (keep names and keyword arguments):
`clue_create`, `clue_create_many` (datafeeds) and `episode_record_measures`
(assistance)."""

from fangpin.monitoring.services import deadlines  # noqa: F401  (connects the calendar receiver)
from fangpin.monitoring.services.cases import case_transition, clue_start_identification, household_recommendation
from fangpin.monitoring.services.clues import (
    clue_create,
    clue_create_many,
    clue_public_status,
    clue_self_report,
    clue_transition,
)
from fangpin.monitoring.services.elimination import (
    elimination_check,
    elimination_propose,
    elimination_transition,
)
from fangpin.monitoring.services.episodes import episode_follow_up_sweep, episode_transition, episode_update
from fangpin.monitoring.services.episodes_measures import ImplementedMeasure, episode_record_measures
from fangpin.monitoring.services.notices import objection_handle, objection_record

__all__ = [
    "ImplementedMeasure",
    "case_transition",
    "clue_create",
    "clue_create_many",
    "clue_public_status",
    "clue_self_report",
    "clue_start_identification",
    "clue_transition",
    "elimination_check",
    "elimination_propose",
    "elimination_transition",
    "episode_follow_up_sweep",
    "episode_record_measures",
    "episode_transition",
    "episode_update",
    "household_recommendation",
    "objection_handle",
    "objection_record",
]
