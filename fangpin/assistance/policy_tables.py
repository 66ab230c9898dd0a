"""The two table-valued policy parameters whose format assistance defines: the risk-to-measure
coverage table (R-EL-3) and the measure catalogue. Registered into the policy catalog from
AssistanceConfig.ready() (policy.catalog.register_table_kind), because policy sits below
assistance and may not import it. [issue 12 §3]"""

from __future__ import annotations

from typing import Any

from fangpin.assistance import rules as arules
from fangpin.monitoring.rules import RISK_LABELS
from fangpin.policy.catalog import register_table_kind


def seed_risk_coverage() -> str:
    return arules.format_risk_coverage(arules.RISK_COVERAGE, arules.DERIVED_RISKS, RISK_LABELS)


def seed_measure_catalogue() -> str:
    return arules.format_measure_catalogue(arules.MEASURE_TYPES.values())


def risk_coverage_value(value: Any) -> str:
    table, derived = arules.parse_risk_coverage(value, RISK_LABELS)
    return arules.format_risk_coverage(table, derived, RISK_LABELS)


def measure_catalogue_value(value: Any) -> str:
    return arules.format_measure_catalogue(arules.parse_measure_catalogue(value).values())


def register() -> None:
    register_table_kind("risk_coverage", normalize=risk_coverage_value, seed=seed_risk_coverage)
    register_table_kind("measure_catalogue", normalize=measure_catalogue_value, seed=seed_measure_catalogue)
