"""The department warning machine on the transition engine: its table is
`datafeeds/workflow.py`; every single status change goes through `warning_transition`
(the engine's one transition service), and the batched path of a monthly run checks each
warning's step against the same machine (`batch_target`). [DOMAIN §3.7]"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.datafeeds import workflow
from fangpin.datafeeds.models import DepartmentWarning, WarningStatus
from fangpin.engine.machine import Machine, register
from fangpin.engine.service import Step, transition


def _scope(warning: DepartmentWarning) -> tuple[Area | None, Any]:
    """The warning's village (the household is the registry's, not a grid worker's object)."""
    return Area.objects.filter(code=warning.village_code).first(), None


def _outcome(step: Step) -> list[str]:
    """The clue's verification outcome and closing time, copied onto the warning."""
    step.obj.verification_result = str(step.inputs.get("outcome") or "")
    step.obj.closed_at = step.inputs.get("closed_at")
    step.payload["clue"] = step.obj.clue_id
    return ["verification_result", "closed_at"]


WARNING = register(
    Machine(
        name="warning",  # CaseEvent.case_kind holds 16 characters
        label="部门预警",
        rows=workflow.TRANSITIONS,
        action_labels=workflow.ACTION_LABELS,
        model=DepartmentWarning,
        states=tuple(WarningStatus.values),
        closed=frozenset({WarningStatus.CLOSED}),
        effects={"outcome": _outcome},
        scope=_scope,
        title=lambda warning, action: f"部门预警：{workflow.ACTION_LABELS[action]}",
        url=lambda warning: reverse("datafeeds:run", args=[warning.run_id]),
        notify=False,  # only services move a warning: nobody is asked to act next
        audit_type="DepartmentWarning",
    )
)


def warning_transition(
    *, warning: DepartmentWarning, action: str, actor: Actor, inputs: dict[str, Any] | None = None
) -> DepartmentWarning:
    """Fire a SYSTEM row of the warning table for the calling service (which checked who asks)."""
    moved: DepartmentWarning = transition(
        machine=WARNING, obj=warning, action=action, actor=actor, inputs=inputs, internal=True
    )
    return moved


def batch_target(state: str, action: str) -> str:
    """The target of a SYSTEM row for the batched path; refused (TransitionRefused) like
    the engine refuses anything not in the table."""
    return WARNING.row(state=state, action=action, role="system").target
