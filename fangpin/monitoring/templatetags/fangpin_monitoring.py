from django import template

from fangpin.core.masking import mask_text
from fangpin.monitoring.choices import CaseStatus, ClueStatus, EliminationStatus, EpisodeStatus, NoticeKind
from fangpin.monitoring.rules import RISK_LABELS
from fangpin.monitoring.workflow import ACTION_LABELS

register = template.Library()
EXTRA = {
    "create": "创建",
    "open": "开始监测",
    "post": "发布",
    "objection_received": "收到异议",
    "deadline_recomputed": "时限按新录入的放假安排重新计算",
}


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or EXTRA.get(action, action)


@register.filter
def risk_labels(values: list[str]) -> str:
    return "、".join(RISK_LABELS.get(v, v) for v in values or [])


@register.filter
def absval(value: int) -> int:
    return abs(int(value or 0))


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, key)


@register.filter
def masked(text: str) -> str:
    """Free text may hold ID or phone numbers: mask them on the server."""
    return mask_text(str(text or ""))


def _state_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for choices in (NoticeKind, EpisodeStatus, EliminationStatus, CaseStatus, ClueStatus):
        labels.update({value: str(label) for value, label in choices.choices})
    return labels


@register.filter
def state_label(state: str) -> str:
    """A state code in the timeline as its Chinese label (codes shared by machines read alike)."""
    return _state_labels().get(state, state)
