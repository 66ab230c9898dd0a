from django.apps import AppConfig


class DatafeedsConfig(AppConfig):
    name = "fangpin.datafeeds"
    label = "datafeeds"
    verbose_name = "部门数据比对"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from fangpin.datafeeds import jobs  # noqa: F401  (registers job kinds)
        from fangpin.datafeeds.signals import seed_rule_templates

        post_migrate.connect(seed_rule_templates, sender=self)
