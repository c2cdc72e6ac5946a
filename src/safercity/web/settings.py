"""Django settings for SaferCity.

Every value that can be configured is read from the one settings registry,
:mod:`safercity.settings` (``setting("name")`` below), which reads the environment variables
(``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DEBUG``, ``SAFERCITY_*``), checks their
types and documents them in ``docs/settings.md``; nothing here reads ``os.environ`` itself.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from safercity.settings import get as setting

BASE_DIR = Path(__file__).resolve().parent

DEBUG = bool(setting("debug"))
WORKSPACE = Path(setting("workspace")).resolve()
SECRET_KEY = str(setting("secret_key"))
if not SECRET_KEY:
    # `safercity serve` keeps a key in the workspace so sessions survive a restart; without one
    # (a one-off management command) a random key for this process only.
    key_file = WORKSPACE / "web-secret-key"
    SECRET_KEY = (
        key_file.read_text().strip()
        if key_file.is_file()
        else "ephemeral-" + secrets.token_urlsafe(50)
    )

ALLOWED_HOSTS = list(setting("allowed_hosts"))

MAP_TILES = str(setting("tile_url"))
MAP_TILES_ATTRIBUTION = str(setting("map_tiles_attribution"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "safercity.web.core",
    "safercity.web.accounts",
    "safercity.web.audit",
    "safercity.web.analysis",
    "safercity.web.imports",
]
# Domain apps built beside this foundation (strategy, cases, consult) join when present:
# each is a package safercity/web/<name>/ with apps.py (and urls.py, served under /<name>/).
OPTIONAL_APPS = ("strategy", "cases", "consult", "reports")
INSTALLED_APPS += [
    f"safercity.web.{name}" for name in OPTIONAL_APPS if (BASE_DIR / name / "apps.py").is_file()
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safercity.web.core.middleware.SecurityHeadersMiddleware",
    "safercity.web.analysis.middleware.ApiErrorsAsJsonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safercity.web.core.middleware.SessionIdleExpiryMiddleware",
    # Django's LocaleMiddleware for the public consultation pages (English or Welsh); every
    # other page stays English (safercity.web.consult.middleware)
    "safercity.web.consult.middleware.PublicLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safercity.web.audit.middleware.AuditActorMiddleware",
]

ROOT_URLCONF = "safercity.web.urls"
WSGI_APPLICATION = "safercity.web.wsgi.application"

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
                "safercity.web.core.context_processors.service",
            ],
        },
    },
]

DATABASE_URL = str(setting("database_url"))
if not DATABASE_URL:
    WORKSPACE.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{WORKSPACE / 'web.sqlite3'}",
        conn_max_age=int(setting("conn_max_age")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes and threads (server workers, background imports) share the file: wait
    # for locks, WAL mode, and a test database on disk (not in memory) so that every thread sees
    # the same one.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": str(WORKSPACE / "test-web.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2 when argon2-cffi is installed, otherwise PBKDF2 (Django's default, 1,000,000+ rounds).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
try:  # pragma: no cover - depends on the optional package
    import argon2  # noqa: F401

    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.Argon2PasswordHasher")
except ImportError:
    pass

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Lockout: this many failures in a row locks the account for LOCKOUT_MINUTES.
LOCKOUT_THRESHOLD = int(setting("lockout_threshold"))
LOCKOUT_MINUTES = int(setting("lockout_minutes"))

# Sessions: expire after SESSION_AGE_MINUTES idle (refreshed at most once a minute by
# core.middleware.SessionIdleExpiryMiddleware) and when the browser closes.
SESSION_COOKIE_AGE = int(setting("session_age_minutes")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "safercity.web.core.views.csrf_failure"

# Production behind HTTPS: SAFERCITY_SECURE=1 (secure cookies, HSTS, redirect to HTTPS).
SECURE = bool(setting("secure"))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []

LANGUAGE_CODE = "en-gb"
# the public pages are in English and Welsh (the consult app's catalogue); staff pages English
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(setting("static_root")) or None
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves the app's static folders directly (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded police.uk files go to <workspace>/uploads.
MEDIA_ROOT = str(WORKSPACE / "uploads")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = int(setting("upload_max_mb")) * 1024 * 1024

# Content Security Policy (safercity.web.core.middleware): no inline scripts or styles.
CSP_TILE_SOURCES = ["https:"] if MAP_TILES.startswith("https:") else []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # an ordinary 403 is one line, no traceback (a 500 keeps its traceback)
    "filters": {
        "permission_denied": {
            "()": "safercity.web.core.log_filters.PermissionDeniedWithoutTraceback"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["permission_denied"]}},
    "root": {"handlers": ["console"], "level": str(setting("log_level"))},
}

# E-mail: case-work reminders of overdue actions and emergency-access alerts to chairs. SMTP
# when email_host is set; otherwise printed on the console (development and the demo).
EMAIL_HOST = str(setting("email_host"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(setting("email_port"))
EMAIL_HOST_USER = str(setting("email_host_user"))
EMAIL_HOST_PASSWORD = str(setting("email_host_password"))
EMAIL_USE_TLS = True
DEFAULT_FROM_EMAIL = str(setting("default_from_email"))
