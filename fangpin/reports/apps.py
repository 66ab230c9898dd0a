from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fangpin.reports"
    label = "reports"
    verbose_name = "统计与数据质量"
