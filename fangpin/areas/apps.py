from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "fangpin.areas"
    label = "areas"
    verbose_name = "行政区划"
