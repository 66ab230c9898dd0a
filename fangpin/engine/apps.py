from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "fangpin.engine"
    label = "engine"
    verbose_name = "办理流程引擎"
