"""Department warning states: ONE literal transition table. [DOMAIN §3.7]"""

from __future__ import annotations

from fangpin.datafeeds.models import WarningStatus as S

# (source state, action) -> target state.  Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.RECEIVED, "distribute"): S.DISTRIBUTED,
    (S.DISTRIBUTED, "verify_no_risk"): S.NO_RISK,
    (S.DISTRIBUTED, "verify_included"): S.INCLUDED,
    (S.DISTRIBUTED, "verify_policy_issue"): S.POLICY_ISSUE,
    (S.NO_RISK, "send_feedback"): S.FEEDBACK_SENT,
    (S.INCLUDED, "send_feedback"): S.FEEDBACK_SENT,
    (S.POLICY_ISSUE, "send_feedback"): S.FEEDBACK_SENT,
    (S.FEEDBACK_SENT, "close"): S.CLOSED,
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


def target_of(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))
