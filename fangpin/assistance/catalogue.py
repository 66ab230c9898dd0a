"""The measure catalogue and the risk-type ↔ measure-category table in force for
an area on a day: county policy parameters (effective-dated, area-scoped),
seeded with the national values of fangpin.assistance.rules. Read by the measure
form and service and by the R-EL-3 elimination guard. [R-EL-3, R-AS-3, §2.24]"""

from __future__ import annotations

from datetime import date
from typing import Any

from fangpin.assistance import rules
from fangpin.monitoring.rules import RISK_LABELS
from fangpin.policy.selectors import policy_get


def measure_types(*, area: Any, on: date) -> dict[str, rules.MeasureType]:
    """code → measure type, retired ones included (old records keep their name)."""
    return rules.parse_measure_catalogue(policy_get("measure_catalogue", area=area, on=on).value)


def risk_coverage(*, area: Any, on: date) -> dict[str, frozenset[str]]:
    """risk type → the measure categories that cover it."""
    table, _derived = rules.parse_risk_coverage(
        policy_get("risk_measure_coverage", area=area, on=on).value, RISK_LABELS
    )
    return table


def measure_name(code: str, *, area: Any, on: date) -> str:
    """A measure's name: the national seed, else the county's catalogue, else the code."""
    seeded = rules.MEASURE_TYPES.get(code)
    if seeded is not None:
        return seeded.name
    entry = measure_types(area=area, on=on).get(code)
    return entry.name if entry else code
