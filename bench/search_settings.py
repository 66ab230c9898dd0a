"""Settings for the search benchmark: the app plus the Paginator peer view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.search_urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
