from django.apps import AppConfig

from fangpin.assistance import policy_tables


class AssistanceConfig(AppConfig):
    name = "fangpin.assistance"
    label = "assistance"
    verbose_name = "帮扶"

    def ready(self) -> None:
        policy_tables.register()
