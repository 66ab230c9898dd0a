from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fangpin.assistance"
    label = "assistance"
    verbose_name = "帮扶"
