"""Test settings: the same wiring, with jobs run inline and fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("FANGPIN_JOB_MODE", "inline")

from config.settings import *  # noqa: F403
from config.settings import DATABASES, FANGPIN

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FANGPIN["JOB_MODE"] = "inline"
DEBUG = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so that browser tests' live server and jobs share it.
    DATABASES["default"]["TEST"] = {"NAME": str(FANGPIN["IMPORT_DIR"].parent / "test.sqlite3")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
