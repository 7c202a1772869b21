"""Settings, read from the environment. Every key is listed in .env.example.

A bad value stops start-up with a message that names the key: better than a server that runs
half-configured.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("PEERDIAG_PROJECT_DIR", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("PEERDIAG_VAR_DIR", PROJECT_DIR / "var"))


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


DEBUG = _bool("PEERDIAG_DEBUG", False)
_secret = os.environ.get("PEERDIAG_SECRET_KEY", "")
if not _secret:
    if not DEBUG and not _bool("PEERDIAG_ALLOW_DEV_SECRET", True):
        raise ImproperlyConfigured("PEERDIAG_SECRET_KEY must be set when PEERDIAG_DEBUG is off")
    # Development only: production sets PEERDIAG_ALLOW_DEV_SECRET=false and a real key.
    _secret = "dev-only-not-secret-peerdiag"  # noqa: S105
SECRET_KEY = _secret
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PEERDIAG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "peerdiag.common",
    "peerdiag.accounts",
    "peerdiag.directory",
    "peerdiag.diagnostics",
    "peerdiag.documents",
    "peerdiag.casereview",
    "peerdiag.timetable",
    "peerdiag.findings",
    "peerdiag.reports",
    "peerdiag.evaluation",
    "peerdiag.web",
    "peerdiag.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peerdiag.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "peerdiag.urls"
WSGI_APPLICATION = "peerdiag.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

_db_url = os.environ.get("DATABASE_URL", "")
if _db_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
    except Exception as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "peerdiag.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [d for d in [PROJECT_DIR / "assets" / "build"] if d.exists()]
MEDIA_ROOT = Path(os.environ.get("PEERDIAG_MEDIA_ROOT", VAR_DIR / "media"))

# Uploaded files go through Django's storage API: local disk by default, S3-compatible object
# storage in production. Static files keep Django's default storage (WhiteNoise serves them).
STORAGE_KIND = os.environ.get("PEERDIAG_STORAGE", "local").strip().lower() or "local"
if STORAGE_KIND == "local":
    _default_storage: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_KIND == "s3":
    _bucket = os.environ.get("PEERDIAG_S3_BUCKET", "").strip()
    if not _bucket:
        raise ImproperlyConfigured("PEERDIAG_S3_BUCKET must be set when PEERDIAG_STORAGE is s3")
    _endpoint = os.environ.get("PEERDIAG_S3_ENDPOINT_URL", "").strip() or None
    if _endpoint and not _endpoint.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"PEERDIAG_S3_ENDPOINT_URL must start with http:// or https://, not {_endpoint!r}"
        )
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": _endpoint,
            "region_name": os.environ.get("PEERDIAG_S3_REGION", "").strip() or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # Never public: every download goes through a permission-checked view.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"PEERDIAG_STORAGE must be local or s3, not {STORAGE_KIND!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PEERDIAG_UPLOAD_MAX_MB = _int("PEERDIAG_UPLOAD_MAX_MB", 25)
if PEERDIAG_UPLOAD_MAX_MB < 1:
    raise ImproperlyConfigured(
        f"PEERDIAG_UPLOAD_MAX_MB must be 1 or more, not {PEERDIAG_UPLOAD_MAX_MB}"
    )

EMAIL_BACKEND = os.environ.get(
    "PEERDIAG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("PEERDIAG_EMAIL_HOST", "localhost")
EMAIL_PORT = _int("PEERDIAG_EMAIL_PORT", 25)
SITE_URL = os.environ.get("PEERDIAG_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"PEERDIAG_SITE_URL must start with http:// or https://, not {SITE_URL!r}"
    )
DEFAULT_FROM_EMAIL = os.environ.get("PEERDIAG_FROM_EMAIL", "peerdiag <no-reply@peerdiag.local>")

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "PEERDIAG_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

SESSION_COOKIE_SECURE = _bool("PEERDIAG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PEERDIAG_LOG_LEVEL", "WARNING")},
}
