from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fangpin.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.conf import settings

        from fangpin.core import archive, dbguard

        dbguard.install()
        archive.configure(
            archive.ZipLimits(
                max_bytes=int(settings.FANGPIN["ZIP_MAX_BYTES"]),
                max_ratio=int(settings.FANGPIN["ZIP_MAX_RATIO"]),
                max_entries=int(settings.FANGPIN["ZIP_MAX_ENTRIES"]),
            )
        )
