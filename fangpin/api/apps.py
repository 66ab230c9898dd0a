from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fangpin.api"
    label = "api"
    verbose_name = "接口"
