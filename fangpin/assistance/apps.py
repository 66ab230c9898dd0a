from django.apps import AppConfig

from fangpin.assistance import policy_tables


class AssistanceConfig(AppConfig):
    name = "fangpin.assistance"
    label = "assistance"
    verbose_name = "帮扶"

    def ready(self) -> None:
        policy_tables.register()
        # The elimination guard (R-EL-3) asks assistance which risk types the measures cover.
        from fangpin.assistance.services import covered_risk_types
        from fangpin.monitoring.services.elimination import COVERAGE_PROVIDERS

        if covered_risk_types not in COVERAGE_PROVIDERS:
            COVERAGE_PROVIDERS.append(covered_risk_types)
