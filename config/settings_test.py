"""Test settings: the same wiring, with jobs run inline and fast hashing."""

from __future__ import annotations

import os

os.environ.setdefault("FANGPIN_JOB_MODE", "inline")

from config.settings import *  # noqa: F403
from config.settings import DATABASES, FANGPIN, VAR_DIR

# Each xdist worker has its own test database, so row ids repeat across
# workers: files named after a row id (uploads, job progress, exports,
# evidence) must live in a directory of the worker's own.
_WORK_DIR = VAR_DIR / "test" / os.environ.get("PYTEST_XDIST_WORKER", "main")
_WORK_DIR.mkdir(parents=True, exist_ok=True)
for _key, _sub in {
    "IMPORT_DIR": "imports",
    "EXPORT_DIR": "exports",
    "EVIDENCE_DIR": "evidence",
    "AUDIT_ANCHOR_FILE": "audit_anchor.log",
}.items():
    if _key in FANGPIN:
        FANGPIN[_key] = _WORK_DIR / _sub

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
