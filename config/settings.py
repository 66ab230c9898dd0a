"""fangpin settings: one env-driven file (see README "Settings")."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FANGPIN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    key = os.environ.get("FANGPIN_SECRET_KEY")
    if key:
        return key
    # Embedded deployments keep a generated key beside the SQLite file.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("FANGPIN_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("FANGPIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("FANGPIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "template_partials",
    "django_htmx",
    "fangpin.core",
    "fangpin.accounts",
    "fangpin.areas",
    "fangpin.policy",
    "fangpin.registry",
    "fangpin.engine",
    "fangpin.monitoring",
    "fangpin.assistance",
    "fangpin.quality",
    "fangpin.reports",
    "fangpin.synth",
    "fangpin.datafeeds",
    "fangpin.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fangpin.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fangpin.accounts.middleware.ActiveUserMiddleware",
    # Before any view (and before the CSRF check reads the body): oversize uploads, then NUL bytes.
    "fangpin.core.uploads.UploadGuardMiddleware",
    "fangpin.core.middleware.NulByteMiddleware",
    "fangpin.core.middleware.DeniedAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fangpin.core.middleware.SecurityHeadersMiddleware",
    # Last, so that it sees the login views' outcome and turns a lockout into the Chinese page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fangpin.accounts.context_processors.navigation",
                "fangpin.monitoring.context_processors.bell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fangpin.sqlite3'}"),
        conn_max_age=int(os.environ.get("FANGPIN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while an import commits; IMMEDIATE avoids
        # the "database is locked" upgrade deadlock between two writers.
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # Keep one slow request from holding locks for ever (SECURITY.md §3.1).
    DATABASES["default"]["OPTIONS"].setdefault(
        "options",
        "-c statement_timeout={} -c lock_timeout={} -c idle_in_transaction_session_timeout=600000".format(
            os.environ.get("FANGPIN_PG_STATEMENT_TIMEOUT_MS", "0"),
            os.environ.get("FANGPIN_PG_LOCK_TIMEOUT_MS", "30000"),
        ),
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes first: every authenticate() call (the login page, /admin/login/, any other form)
# is refused while the username is locked from that client address (等保 8.1.4.1 b).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOCKOUT_FAILURES = int(os.environ.get("FANGPIN_LOCKOUT_FAILURES", "5"))
LOCKOUT_MINUTES = int(os.environ.get("FANGPIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_MINUTES)
# The pair, not either alone: a stranger's five tries from elsewhere cannot lock a cadre out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A refused try while locked does not extend the lock (the lock ends LOCKOUT_MINUTES after the
# last counted failure, as before).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "fangpin.accounts.views.lockout_response"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("FANGPIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_AGE = int(os.environ.get("FANGPIN_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("FANGPIN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The guard first: it stops an upload past FANGPIN_UPLOAD_MAX_BYTES while it streams in, and the
# handlers after it then delete their partial file (fangpin.core.uploads).
FILE_UPLOAD_HANDLERS = [
    "fangpin.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Application settings (README "Settings").
# Read by key all over the code base: values are paths, ints and strings, so Any (not object).
FANGPIN: dict[str, Any] = {
    # How background jobs (imports, exports, feed runs) run: "spawn" starts a
    # `fangpin run-job` process per job; "worker" leaves them for `fangpin worker`;
    # "inline" runs them after commit in the same process (tests).
    "JOB_MODE": os.environ.get("FANGPIN_JOB_MODE", "spawn"),
    "UPLOAD_MAX_BYTES": int(os.environ.get("FANGPIN_UPLOAD_MAX_BYTES", str(200 * 1024 * 1024))),
    # Zip-bomb guard of every XLSX opened (fangpin.core.archive): expanded size, ratio, entries.
    "ZIP_MAX_BYTES": int(os.environ.get("FANGPIN_ZIP_MAX_BYTES", str(2 * 1024**3))),
    "ZIP_MAX_RATIO": int(os.environ.get("FANGPIN_ZIP_MAX_RATIO", "100")),
    "ZIP_MAX_ENTRIES": int(os.environ.get("FANGPIN_ZIP_MAX_ENTRIES", "1000")),
    "IMPORT_DIR": VAR_DIR / "imports",
    "EXPORT_DIR": VAR_DIR / "exports",
    # Evidence files of assistance measures (never under the static tree).
    "EVIDENCE_DIR": VAR_DIR / "evidence",
    "EXPORT_TTL_HOURS": int(os.environ.get("FANGPIN_EXPORT_TTL_HOURS", "24")),
    "PAGE_SIZE": 50,
    "LOCKOUT_MINUTES": LOCKOUT_MINUTES,
    "AUDIT_ANCHOR_FILE": VAR_DIR / "audit_anchor.log",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"mask": {"()": "fangpin.core.logging.MaskingFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("FANGPIN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
