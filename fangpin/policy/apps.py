from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PolicyConfig(AppConfig):
    name = "fangpin.policy"
    label = "policy"
    verbose_name = "政策参数"

    def ready(self) -> None:
        from fangpin.policy.signals import seed_national_defaults, seed_package_calendar

        post_migrate.connect(seed_national_defaults, sender=self, dispatch_uid="fangpin-policy-defaults")
        post_migrate.connect(seed_package_calendar, sender=self, dispatch_uid="fangpin-policy-calendar")
