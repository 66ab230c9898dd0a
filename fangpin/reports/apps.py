from django.apps import AppConfig

from fangpin.monitoring.signals import sweep_done


class ReportsConfig(AppConfig):
    name = "fangpin.reports"
    label = "reports"
    verbose_name = "统计与数据质量"

    def ready(self) -> None:
        from fangpin.reports import roster, services  # noqa: F401  (register the roster and refresh jobs)

        sweep_done.connect(services.refresh_after_sweep, dispatch_uid="reports.refresh_after_sweep")
