from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fangpin.registry"
    label = "registry"
    verbose_name = "农户信息库"

    def ready(self) -> None:
        from fangpin.registry import exporting  # noqa: F401  (registers job kinds)
        from fangpin.registry.importing import jobs  # noqa: F401
