from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fangpin.monitoring"
    label = "monitoring"
    verbose_name = "监测与风险消除"

    def ready(self) -> None:
        # The services declare the machines (clue, identification, elimination, episode) and
        # register them with the engine: every reader of the registry finds them after setup.
        from fangpin.monitoring import services  # noqa: F401
