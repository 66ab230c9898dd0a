from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fangpin.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from fangpin.accounts import signals  # noqa: F401
