"""The one settings file. Production differs from development only by environment variables.

BANZU_ENV=production switches on the production posture (no debug, secure cookies, a required
secret key). DATABASE_URL selects PostgreSQL; without it an embedded SQLite database is used.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Lets forms.ModelForm[Model] and friends be subscripted at run time, as the type checker wants.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BANZU_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("BANZU_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"
if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-" + "x" * 40)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_htmx",
    "banzu.audit",
    "banzu.jobs",
    "banzu.accounts",
    "banzu.editions",
    "banzu.applications",
    "banzu.scoring",
    "banzu.recommendations",
    "banzu.documents",
    "banzu.screening",
    "banzu.review",
    "banzu.presentations",
    "banzu.results",
    "banzu.publicity",
    "banzu.certificates",
    "banzu.demo",
    "banzu.ops",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: the client's real address behind the reverse proxy, and the body size cap.
    "banzu.core.proxy.TrustedProxyMiddleware",
    "banzu.core.proxy.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "banzu.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "banzu.core.middleware.DamagedFileMiddleware",
    # Axes must be last: it turns throttled logins into a lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "banzu.urls"
WSGI_APPLICATION = "banzu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "banzu.editions.context_processors.current_edition",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite: WAL so readers never block the writer, synchronous=FULL so a committed row survives a
# power cut, IMMEDIATE transactions so two writers queue instead of failing on lock upgrade.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=20000;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("BANZU_DB_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "banzu.sqlite3")),
            "OPTIONS": SQLITE_OPTIONS,
            # Each web thread keeps its connection between requests: opening one runs the
            # PRAGMAs above and reads the schema again, about a fifth of an upload's CPU in the
            # web process (bench/deadline_burst.py, docs/benchmarks-deadline.md).
            "CONN_MAX_AGE": int(os.environ.get("BANZU_DB_CONN_MAX_AGE", "600")),
            "CONN_HEALTH_CHECKS": True,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", SQLITE_OPTIONS)
    # Tests use a file, not memory, so they run with WAL and real locking like production.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_PATH", str(VAR_DIR / "test-banzu.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Accounts -------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Log-in throttling (django-axes with banzu.accounts.throttling's handler): within the cool-off
# window, failures for one user name from one address (AXES_FAILURE_LIMIT; never per user name
# alone, so one attacker cannot lock a user out from elsewhere) and failures from one address
# across every user name (higher: a whole office may share one address), so one address cannot
# try one password on every account.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
BANZU_LOGIN_FAILURES_PER_IP = int(os.environ.get("BANZU_LOGIN_FAILURES_PER_IP", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "banzu.accounts.throttling.LoginThrottleHandler"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# The client is REMOTE_ADDR, never a header: banzu.core.proxy has already put the real client
# there behind a trusted proxy (BANZU_TRUSTED_PROXIES) and dropped X-Forwarded-For from others.
AXES_CLIENT_IP_CALLABLE = "banzu.accounts.throttling.client_ip"

# Registration: at most this many from one address per hour (counted in the database, which every
# web process shares), and how long the link that confirms the e-mail address stays valid.
BANZU_REGISTRATIONS_PER_IP = int(os.environ.get("BANZU_REGISTRATIONS_PER_IP", "10"))
BANZU_REGISTRATION_CONFIRM_HOURS = int(os.environ.get("BANZU_REGISTRATION_CONFIRM_HOURS", "72"))

# Provincial admins and experts confirm their login with a TOTP code (an authenticator app).
# On by default in production; off in development so the demo logins work without a phone.
REQUIRE_SECOND_FACTOR = os.environ.get("REQUIRE_SECOND_FACTOR", "1" if PRODUCTION else "0") == "1"
OTP_TOTP_ISSUER = "banzu 质量信得过班组"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The reverse proxies (addresses or networks) allowed to set X-Forwarded-For and
# X-Forwarded-Proto (banzu.core.proxy); from anyone else those headers are dropped. Empty: no
# proxy is trusted and REMOTE_ADDR is the client.
BANZU_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("BANZU_TRUSTED_PROXIES", "").split(",") if p.strip()
]
if BANZU_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script or style anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Development and tests serve straight from the source folders; production from collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
if PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Public files, read by nginx's own user (deploy/nginx/banzu.conf): not the 0600 of
        # FILE_UPLOAD_PERMISSIONS, which Django's storages would otherwise give them.
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
        },
    }
# The reduced CJK fonts the PDFs embed are prepared here once (banzu.documents.fonts).
DOCUMENT_FONT_DIR = Path(os.environ.get("BANZU_FONT_DIR", VAR_DIR / "fonts"))
# Uploaded files are private: they have no URL and are only served by permission-checked views.
PRIVATE_FILES_ROOT = Path(os.environ.get("BANZU_FILES_DIR", VAR_DIR / "files"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
# Django's temporary files of uploads in progress: under VAR_DIR so that `check_files` finds
# (and cleans) those a killed server left behind.
FILE_UPLOAD_TEMP_DIR = os.environ.get("BANZU_UPLOAD_TEMP_DIR", str(VAR_DIR / "tmp" / "uploads"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)  # Django does not create it
BANZU_UPLOAD_LIMITS_MB = {
    "docx": int(os.environ.get("BANZU_MAX_DOCX_MB", "30")),
    "pdf": int(os.environ.get("BANZU_MAX_PDF_MB", "50")),
    "pptx": int(os.environ.get("BANZU_MAX_PPTX_MB", "100")),
}
# The largest request body accepted at all (banzu.core.proxy): the largest upload slot and its
# form fields; the admin's archive import (a ZIP of up to 500 MB) has its own cap.
BANZU_MAX_REQUEST_MB = int(
    os.environ.get("BANZU_MAX_REQUEST_MB", str(max(BANZU_UPLOAD_LIMITS_MB.values()) + 10))
)
BANZU_REQUEST_LIMITS_MB = {"/screening/archive/import/": 510}

# --- Background work ------------------------------------------------------------------------
# Mail and other slow work run as tasks in a worker (`manage.py db_worker`), never in a request.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "banzu@localhost")
# The address people open the site at, for links in mail.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Audit journal and backups (banzu.audit, banzu.ops; docs/operations.md) ------------------
# The journal's entries are sealed with an HMAC under this key, kept out of the database, so
# whoever can write to the database cannot rewrite the journal unnoticed. Required in production
# (a system check); in development derived from SECRET_KEY. It must never change.
AUDIT_KEY = os.environ.get("BANZU_AUDIT_KEY", "")
# Append-only: the journal's head, written by `anchor_audit` and by every backup.
AUDIT_ANCHOR_FILE = Path(os.environ.get("BANZU_AUDIT_ANCHORS", VAR_DIR / "audit-anchors.log"))
BACKUP_DIR = Path(os.environ.get("BANZU_BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP = int(os.environ.get("BANZU_BACKUP_KEEP", "14"))
