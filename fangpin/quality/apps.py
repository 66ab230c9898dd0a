from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "fangpin.quality"
    label = "quality"
    verbose_name = "数据质量检查"

    def ready(self) -> None:
        # After the app registry is ready: the checks import models.
        from fangpin.monitoring.services.quality_guard import register_blocking_checks
        from fangpin.quality.selectors import household_blocking_problems

        register_blocking_checks(household_blocking_problems)
