"""Department warning states: ONE literal table (engine rows, fangpin.engine.machine.Row);
anything not in it is refused. Only services move a warning: the run distributes it when it
raises the clue, the outcome sync verifies it when the clue's outcome comes back, and the
feedback and closing steps; so every row is a SYSTEM row, fired with `internal=True` (the
calling service checked who may ask). [DOMAIN §3.7]

received ─▶ distributed ─▶ {no_risk | included | policy_issue_referred} ─▶ feedback_sent ─▶ closed
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fangpin.datafeeds.models import WarningStatus as S
from fangpin.engine.machine import SYSTEM, table

Y = SYSTEM
V = "village"  # a warning belongs to its person's village

# fmt: off
TRANSITIONS = table([
    # source           action                 target            roles level guards reason stamp              effect
    (S.RECEIVED,       "distribute",          S.DISTRIBUTED,    Y,    V,    (),    False, "distributed_at",  None),
    (S.DISTRIBUTED,    "verify_no_risk",      S.NO_RISK,        Y,    V,    (),    False, None,              "outcome"),
    (S.DISTRIBUTED,    "verify_included",     S.INCLUDED,       Y,    V,    (),    False, None,              "outcome"),
    (S.DISTRIBUTED,    "verify_policy_issue", S.POLICY_ISSUE,   Y,    V,    (),    False, None,              "outcome"),
    (S.NO_RISK,        "send_feedback",       S.FEEDBACK_SENT,  Y,    V,    (),    False, "feedback_sent_at", None),
    (S.INCLUDED,       "send_feedback",       S.FEEDBACK_SENT,  Y,    V,    (),    False, "feedback_sent_at", None),
    (S.POLICY_ISSUE,   "send_feedback",       S.FEEDBACK_SENT,  Y,    V,    (),    False, "feedback_sent_at", None),
    (S.FEEDBACK_SENT,  "close",               S.CLOSED,         Y,    V,    (),    False, None,              None),
])
# fmt: on

ACTION_LABELS = {
    "distribute": _("分派核实"),
    "verify_no_risk": _("核实无风险"),
    "verify_included": _("核实纳入监测"),
    "verify_policy_issue": _("转行业部门"),
    "send_feedback": _("反馈部门"),
    "close": _("办结"),
}

# Clue outcomes of the monitoring app → the verification action on the warning.
OUTCOME_ACTIONS = {
    "not_at_risk": "verify_no_risk",
    "duplicate": "verify_no_risk",
    "already_monitored": "verify_included",
    "identification_started": "verify_included",
    "green_channel": "verify_included",
    "referred": "verify_policy_issue",
}
