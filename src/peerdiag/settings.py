"""Settings, read from the environment. Every key is listed in .env.example.

A bad value stops start-up with a message that names the key: better than a server that runs
half-configured.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from peerdiag.accounts.sso_config import from_environment

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("PEERDIAG_PROJECT_DIR", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("PEERDIAG_VAR_DIR", PROJECT_DIR / "var"))

# Whatever umask the process was started with, the files it makes (the SQLite database, uploads,
# exports, backups) are the service account's alone: files 0600, folders 0700. Every process
# that loads these settings (the `peerdiag` command, gunicorn, task workers) gets it.
# See docs/operations.md, "Files on disk".
PRIVATE_UMASK = 0o077
os.umask(PRIVATE_UMASK)


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
    # Before django_tasks_db: its `db_worker` command is replaced by ours, with a heartbeat.
    "peerdiag.common",
    "django_tasks",
    "django_tasks_db",
    # Only for its templates and static files: /api/docs then loads Swagger UI from our own
    # static files with no inline script, as the Content-Security-Policy requires (without
    # it, django-ninja loads Swagger from a CDN with an inline script).
    "ninja",
    "peerdiag.accounts",
    "peerdiag.directory",
    "peerdiag.diagnostics",
    "peerdiag.documents",
    "peerdiag.casereview",
    "peerdiag.messaging",
    "peerdiag.timetable",
    "peerdiag.findings",
    "peerdiag.reports",
    "peerdiag.evaluation",
    "peerdiag.portfolio",
    "peerdiag.privacy",
    "peerdiag.web",
    "peerdiag.api",
    "peerdiag.demo",
]

MIDDLEWARE = [
    "peerdiag.common.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "peerdiag.common.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peerdiag.accounts.session_timeout.IdleTimeoutMiddleware",
    "peerdiag.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A request over DATA_UPLOAD_MAX_MEMORY_SIZE gets a 413 page; then one-time form tokens.
    "peerdiag.web.middleware.TooBigMiddleware",
    "peerdiag.web.middleware.OnceMiddleware",
]

# The most a request may carry besides files. The largest note (50,000 characters, each up to
# four bytes of UTF-8, each byte sent as three when url-encoded: 600,000 bytes) fits with room
# for the form's other fields and for the longer report texts. Over it: a 413 page that says so.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

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
                "peerdiag.common.middleware.csp_nonce",
            ],
            # {% once_token %} in any template without a {% load %}.
            "builtins": ["peerdiag.web.templatetags.once"],
        },
    }
]

_db_url = os.environ.get("DATABASE_URL", "")
if _db_url:
    try:
        # Health checks let a connection that died (a database restart) be replaced on the next
        # request instead of failing it.
        DATABASES = {
            "default": dj_database_url.parse(_db_url, conn_max_age=60, conn_health_checks=True)
        }
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
# Django would otherwise chmod each upload to 0644 whatever the umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

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
# Where replies to invitations go (accepts, declines, questions): a mailbox someone reads. Unset,
# they go to the diagnostic's PCM, who is the invitations' organiser.
PEERDIAG_REPLY_TO = os.environ.get("PEERDIAG_REPLY_TO", "").strip()
# Where people report a security problem (security.txt): a mailto: or https: address.
SECURITY_CONTACT = os.environ.get("PEERDIAG_SECURITY_CONTACT", "mailto:security@peerdiag.local")

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "PEERDIAG_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Passkeys (WebAuthn): the domain they belong to and the origin pages load from. Empty: the
# host and scheme of each request (docs/operations.md, "Passkeys").
PEERDIAG_WEBAUTHN_RP_ID = os.environ.get("PEERDIAG_WEBAUTHN_RP_ID", "").strip()
PEERDIAG_WEBAUTHN_ORIGIN = os.environ.get("PEERDIAG_WEBAUTHN_ORIGIN", "").strip().rstrip("/")

# Single sign-on: a JSON list of OpenID Connect providers (accounts/sso_config.py checks it;
# docs/operations.md, "Single sign-on (OpenID Connect)"). Empty: passwords only.
PEERDIAG_SSO_PROVIDERS = from_environment(os.environ.get("PEERDIAG_SSO_PROVIDERS"))

# Sessions end after PEERDIAG_SESSION_HOURS, or after PEERDIAG_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = _int("PEERDIAG_SESSION_HOURS", 8) * 60 * 60
PEERDIAG_IDLE_MINUTES = _int("PEERDIAG_IDLE_MINUTES", 30)

# Where the accessibility statement tells people to ask for another format or report a problem.
ACCESSIBILITY_CONTACT = os.environ.get("PEERDIAG_ACCESSIBILITY_CONTACT", "")
# API calls a minute per token, and per IP address for calls with a bad token.
PEERDIAG_API_RATE_PER_MINUTE = _int("PEERDIAG_API_RATE_PER_MINUTE", 120)
PEERDIAG_API_ANON_RATE_PER_MINUTE = _int("PEERDIAG_API_ANON_RATE_PER_MINUTE", 30)

SESSION_COOKIE_SECURE = _bool("PEERDIAG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Security headers ---------------------------------------------------------------------
# Content-Security-Policy, set by peerdiag.common.middleware on every response. Scripts only
# from our own static files; inline <style> only with the per-request nonce; no inline script,
# no eval, no other origin, never inside another site's frame.
PEERDIAG_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'nonce-{nonce}'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Report violations to the browser console only, without blocking: for trying a new policy.
PEERDIAG_CSP_REPORT_ONLY = _bool("PEERDIAG_CSP_REPORT_ONLY", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Production profile -------------------------------------------------------------------
# PEERDIAG_PROFILE=production turns on everything `peerdiag check --deploy` asks for, and
# refuses to start without a real secret key and host names. See docs/operations.md.
PROFILE = os.environ.get("PEERDIAG_PROFILE", "development").strip().lower() or "development"
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"PEERDIAG_PROFILE must be development or production, not {PROFILE!r}"
    )
if PROFILE == "production":
    if DEBUG:
        raise ImproperlyConfigured("PEERDIAG_DEBUG must be off when PEERDIAG_PROFILE is production")
    _key = os.environ.get("PEERDIAG_SECRET_KEY", "")
    if len(_key) < 50 or len(set(_key)) < 5 or _key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "PEERDIAG_SECRET_KEY must be set to a random value of 50 or more characters when "
            "PEERDIAG_PROFILE is production"
        )
    if not os.environ.get("PEERDIAG_ALLOWED_HOSTS", "").strip() or not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "PEERDIAG_ALLOWED_HOSTS must name the site's host names when PEERDIAG_PROFILE is "
            "production"
        )
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("PEERDIAG_ALLOWED_HOSTS may not be * in production")
    if not os.environ.get("PEERDIAG_CASE_KEYS", "").strip():
        # Checked here too, not only when case content is first read: better to stop now.
        raise ImproperlyConfigured(
            "PEERDIAG_CASE_KEYS must be set when PEERDIAG_PROFILE is production"
        )
    # Plain HTTP is redirected to HTTPS, except the health check (load balancers probe it
    # over HTTP inside the private network).
    SECURE_SSL_REDIRECT = _bool("PEERDIAG_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = 31_536_000  # one year
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Compressed, content-hashed static files, cached for a year (run collectstatic first).
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# The cache holds short-lived counters (the API's rate limits). "local" is per process;
# "database" is shared by every process and machine (run `peerdiag createcachetable` once).
CACHE_KIND = (
    os.environ.get("PEERDIAG_CACHE", "database" if PROFILE == "production" else "local")
    .strip()
    .lower()
)
if CACHE_KIND == "local":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_KIND == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "peerdiag_cache",
        }
    }
else:
    raise ImproperlyConfigured(f"PEERDIAG_CACHE must be local or database, not {CACHE_KIND!r}")
# Behind a proxy or load balancer that ends TLS and sets X-Forwarded-Proto, believe it.
# Only when the proxy always sets the header itself: otherwise a client could fake HTTPS.
if _bool("PEERDIAG_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging ------------------------------------------------------------------------------
# PEERDIAG_LOG_FORMAT=json writes one JSON object a line (common/logging.py); text is for
# people reading a terminal. Both carry the request id.
LOG_FORMAT = os.environ.get("PEERDIAG_LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"PEERDIAG_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOG_LEVEL = os.environ.get("PEERDIAG_LOG_LEVEL", "WARNING").strip().upper() or "WARNING"
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"PEERDIAG_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}"
    )
# Every record is redacted as it is made (tokens in paths, query strings; common/logging.py),
# and every handler redacts again. Django's own handlers are replaced by ours: its "django"
# logger writes through the root's handler, and the development server's request lines
# through a handler of the same shape as Django's, both redacting.
LOGGING_CONFIG = "peerdiag.common.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "peerdiag.common.logging.RedactFilter"},
        "request_id": {"()": "peerdiag.common.logging.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "peerdiag.common.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact", "request_id"],
            "formatter": LOG_FORMAT,
        },
        "server": {
            "class": "logging.StreamHandler",
            "filters": ["redact", "request_id"],
            "formatter": "server" if LOG_FORMAT == "text" else "json",
        },
    },
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
