"""Settings shared by every deployment.

Everything an instance owns (SQLite database, stored files, search index, signing keys) lives under one
folder, ``REGISTRY_HOME`` (default ``./var``), so that one instance is one folder to back up.
Environment variables switch to the production parts: ``DATABASE_URL`` (PostgreSQL),
``REGISTRY_STORAGE=s3`` (S3-compatible object storage), ``REGISTRY_SEARCH_BACKEND=elasticsearch``.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything this process creates (SQLite database and its journal, stored files, search index, signing keys,
# outbox) is for the registry's own account only: files 0600, folders 0700. Set before anything is created.
os.umask(0o077)
REGISTRY_HOME = Path(os.environ.get("REGISTRY_HOME", BASE_DIR / "var")).resolve()
REGISTRY_HOME.mkdir(mode=0o700, parents=True, exist_ok=True)
try:
    REGISTRY_HOME.chmod(0o700)  # an instance made before this rule, or a folder made by hand
except OSError:  # not ours (e.g. a mounted volume): the operator's business
    pass


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
# Off unless asked for on purpose (scripts/demo does): a crash must never show settings, paths or variables.
DEBUG = env_bool("REGISTRY_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "registry",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "registry.views.users_app.RegistryUsersAppConfig",  # wagtail.users with the registry's user forms
    "wagtail.documents",
    "wagtail.images",  # required by the admin's templates (wagtail_config); its menu is hidden
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_otp",  # second factor (TOTP devices, throttling, replay protection): registry/actions/accounts.py
    "django_otp.plugins.otp_totp",
    "axes",  # login lockout by username, counted atomically in the database: registry/accounts.py
    "drf_spectacular",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "registry.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "registry.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "csp.middleware.CSPMiddleware",
    "registry.middleware.AdminAllowListMiddleware",  # deny by default: before anything looks at the user
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "registry.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],  # templates live inside the packages (registry/templates, search/templates)
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default (one machine, nothing but Python); DATABASE_URL switches to PostgreSQL.
# IMMEDIATE transactions make SQLite take its write lock up front, so concurrent writers queue
# instead of failing half-way (serial allocation and the access-log chain rely on this).
_default_sqlite = f"sqlite:///{REGISTRY_HOME / 'registry.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "registry.User"
WAGTAILDOCS_DOCUMENT_MODEL = "registry.Document"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
# The lockout check first (django-axes, with the same password-hash cost as any attempt), then the password.
AUTHENTICATION_BACKENDS = ["registry.accounts.LockoutBackend", "registry.accounts.RoleModelBackend"]
LOGIN_URL = "wagtailadmin_login"
WAGTAILADMIN_USER_LOGIN_FORM = "registry.views.login_form.RegistryLoginForm"
# No reset by e-mail (air-gapped office, and a reset link is a way around the second factor): the
# administrator sets a new password for staff and clerks; auditors' and administrators' on the server.
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Accounts: lockout after repeated failures, short idle sessions.
REGISTRY_LOGIN_MAX_FAILURES = int(os.environ.get("REGISTRY_LOGIN_MAX_FAILURES", 5))
REGISTRY_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("REGISTRY_LOGIN_LOCKOUT_MINUTES", 15))
# django-axes: lock by username (unknown names too, so a lock reveals nothing), counted in the database with
# a row lock; the cool-off runs from the last failure; a success resets. Failures are logged by our handler.
AXES_HANDLER = "registry.accounts.LoggingAxesHandler"
AXES_FAILURE_LIMIT = "registry.accounts.failure_limit"  # REGISTRY_LOGIN_MAX_FAILURES, read at each attempt
AXES_COOLOFF_TIME = "registry.accounts.cool_off"  # REGISTRY_LOGIN_LOCKOUT_MINUTES
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "registry.accounts.lockout_response"  # the same login page as a wrong password
AXES_DISABLE_ACCESS_LOG = True  # successes are in our access log
AXES_VERBOSE = False
# axes.W006 asks for the IP address in the lockout parameters. We lock by username on purpose: a name is
# locked whichever address or user agent the guesses come from, so rotating them gains nothing.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Second factor: users cleared at this level or above must pass TOTP in the session before reading content
# on the web; API tokens (which carry no second factor) never read content at or above it. "" turns it off.
REGISTRY_REQUIRE_2FA_FROM = os.environ.get("REGISTRY_REQUIRE_2FA_FROM", "toi_mat")
# Consecutive wrong TOTP codes after which the session is ended (django-otp also throttles: 1, 2, 4 … s).
REGISTRY_OTP_MAX_FAILURES = int(os.environ.get("REGISTRY_OTP_MAX_FAILURES", 5))
OTP_TOTP_ISSUER = "So dang ky tai lieu mat"
OTP_TOTP_THROTTLE_FACTOR = 1
# API tokens: only a SHA-256 of the secret is stored; each expires after this many days.
REGISTRY_API_TOKEN_DAYS = int(os.environ.get("REGISTRY_API_TOKEN_DAYS", 90))
SESSION_COOKIE_AGE = int(os.environ.get("REGISTRY_SESSION_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "registry" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("REGISTRY_STATIC_ROOT", REGISTRY_HOME / "static"))
STATIC_ROOT.mkdir(exist_ok=True)  # collectstatic fills it in production; WhiteNoise expects it to exist
WHITENOISE_USE_FINDERS = True  # serve app static files straight from the apps (no collectstatic needed on one machine)
MEDIA_ROOT = REGISTRY_HOME / "files"
MEDIA_URL = "/media-not-served/"  # stored files are never served directly; every read goes through a view
# Password reset by email is off (its views answer 404, deny by default): the administrator sets a staff
# member's password; protected accounts are reset on the server (registry users add NAME --password …).
WAGTAIL_PASSWORD_RESET_ENABLED = False
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# The address written to the access log is REMOTE_ADDR, unless the request comes from one of these reverse
# proxies (comma list of addresses); only then is the client taken from X-Forwarded-For.
REGISTRY_TRUSTED_PROXIES = [a.strip() for a in os.environ.get("REGISTRY_TRUSTED_PROXIES", "").split(",") if a.strip()]

# Content-Security-Policy (django-csp): our own origin only; no CDN, no inline scripts, nothing framed.
# Wagtail's admin sets style attributes inline (icons, tab panels, progress bars, Stimulus controllers), so
# style-src needs 'unsafe-inline'; script-src stays 'self'. Stored files carry their own stricter header.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Storage: local disk by default; REGISTRY_STORAGE=s3 for S3-compatible object storage. Either way the
# default storage is registry.vault's EncryptedStorage around it: the backend only ever holds ciphertext.
if os.environ.get("REGISTRY_STORAGE", "local") == "s3":
    _s3_options = {
        "bucket_name": os.environ.get("REGISTRY_S3_BUCKET", "registry"),
        "endpoint_url": os.environ.get("REGISTRY_S3_ENDPOINT"),
        "access_key": os.environ.get("REGISTRY_S3_ACCESS_KEY"),
        "secret_key": os.environ.get("REGISTRY_S3_SECRET_KEY"),
        "region_name": os.environ.get("REGISTRY_S3_REGION", "us-east-1"),
        "default_acl": None,  # private objects: no ACL grant, the bucket's (private) policy applies
        "querystring_auth": True,  # never an unsigned public URL (and EncryptedStorage hands out none)
        "file_overwrite": False,
        "object_parameters": {},
    }
    # Server-side encryption on top of ours, passed through to every PUT: "AES256" or "aws:kms" (+ key id).
    if os.environ.get("REGISTRY_S3_SSE"):
        _s3_options["object_parameters"]["ServerSideEncryption"] = os.environ["REGISTRY_S3_SSE"]
    if os.environ.get("REGISTRY_S3_SSE_KMS_KEY_ID"):
        _s3_options["object_parameters"]["SSEKMSKeyId"] = os.environ["REGISTRY_S3_SSE_KMS_KEY_ID"]
    _inner_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    _inner_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": {"BACKEND": "registry.vault.storage.EncryptedStorage", "OPTIONS": {"inner": _inner_storage}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Encryption at rest (registry.vault): the key-encryption key comes from REGISTRY_KEK (base64 of 32 bytes)
# or REGISTRY_KEK_FILE in production; otherwise it is made and kept in REGISTRY_KEYS_DIR/vault. During a
# rotation the previous key goes in REGISTRY_KEK_PREVIOUS(_FILE) until `registry keys rotate` has finished.
REGISTRY_VAULT = {
    "KEK": os.environ.get("REGISTRY_KEK", ""),
    "KEK_FILE": os.environ.get("REGISTRY_KEK_FILE", ""),
    "KEK_PREVIOUS": os.environ.get("REGISTRY_KEK_PREVIOUS", ""),
    "KEK_PREVIOUS_FILE": os.environ.get("REGISTRY_KEK_PREVIOUS_FILE", ""),
}

# Background tasks (registry.tasks): "inline-after-commit" runs them in the same process once the request's
# transaction has committed (no broker; the embedded default); "celery" sends them to Celery workers.
REGISTRY_TASKS = os.environ.get("REGISTRY_TASKS", "inline-after-commit")
# In inline mode, run tasks on one background thread of this process (a one-machine web server: the clerk's
# upload returns before OCR is done); off, they run in the calling thread right after the commit.
REGISTRY_TASKS_THREAD = os.environ.get("REGISTRY_TASKS_THREAD", "") in ("1", "true", "yes")
# A run "running" this long is taken to belong to a worker that died: the catch-up runs it again.
REGISTRY_TASK_STALE_SECONDS = float(os.environ.get("REGISTRY_TASK_STALE_SECONDS", 2 * 3600))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None  # results and errors live in TaskRun rows (the admin's task list)
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again (tasks are idempotent)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
REGISTRY_TASK_RETRY_BACKOFF = float(os.environ.get("REGISTRY_TASK_RETRY_BACKOFF", 30))  # seconds, doubled per try
REGISTRY_FIXITY_SCHEDULE_HOURS = float(os.environ.get("REGISTRY_FIXITY_SCHEDULE_HOURS", 24))
REGISTRY_FIXITY_SAMPLE = int(os.environ.get("REGISTRY_FIXITY_SAMPLE", 0)) or None  # None: every object

WAGTAIL_SITE_NAME = "Sổ đăng ký tài liệu mật Đại hội"
WAGTAILADMIN_BASE_URL = os.environ.get("REGISTRY_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False  # air-gapped: no call home
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAIL_USER_CUSTOM_FIELDS = ["clearance", "unit", "role"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "registry.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "registry.api.authentication.SecondFactorForContent",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "registry.api.views.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Congress registry API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Our schema is generated from registry.api.schema_urlconf; the deploy check would walk every URL,
    # including Wagtail's internal admin API, and warn about views that are not part of our API.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# --- Registry domain configuration (data, not code; see docs/domain.md) ---
REGISTRY_MAX_UPLOAD_BYTES = int(os.environ.get("REGISTRY_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))
REGISTRY_INTAKE_TIMEOUT_SECONDS = int(os.environ.get("REGISTRY_INTAKE_TIMEOUT_SECONDS", 60))
REGISTRY_INTAKE_MEMORY_BYTES = int(os.environ.get("REGISTRY_INTAKE_MEMORY_BYTES", 1024 * 1024 * 1024))
# How many files one sandboxed parser process may handle before it is replaced (1 = a fresh process per
# file). Workers are retired at once after any overrun or crash; see registry/intake/sandbox.py.
REGISTRY_INTAKE_WORKER_FILES = int(os.environ.get("REGISTRY_INTAKE_WORKER_FILES", 50))
REGISTRY_BODY = os.environ.get("REGISTRY_BODY", "Đảng ủy Bộ Công Thương")
REGISTRY_PARENT_BODY = os.environ.get("REGISTRY_PARENT_BODY", "Đảng ủy Khối các cơ quan Trung ương")
REGISTRY_TERM = os.environ.get("REGISTRY_TERM", "2020-2025")
# The symbols in the numbers the office issues itself: "N-TYPE/ĐU" (party, per type per term) and
# "N-TYPE/ĐH" (the congress's own shared sequence).
REGISTRY_SYMBOL = os.environ.get("REGISTRY_SYMBOL", "ĐU")
REGISTRY_CONGRESS_SYMBOL = os.environ.get("REGISTRY_CONGRESS_SYMBOL", "ĐH")
REGISTRY_KEYS_DIR = Path(os.environ.get("REGISTRY_KEYS_DIR", REGISTRY_HOME / "keys"))
# Encrypt marked copies with a one-time password for these levels (AES-256).
REGISTRY_ENCRYPT_LEVELS = [lv for lv in os.environ.get("REGISTRY_ENCRYPT_LEVELS", "").split(",") if lv]

# Search: the embedded engine (tantivy) by default; Elasticsearch when configured.
REGISTRY_SEARCH = {
    "BACKEND": os.environ.get("REGISTRY_SEARCH_BACKEND", "embedded"),
    "INDEX_DIR": str(REGISTRY_HOME / "index"),
    "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL", ""),
    "INDEX_PREFIX": os.environ.get("REGISTRY_SEARCH_INDEX_PREFIX", "registry"),
    # A secured cluster (Elasticsearch 8 default): a user of the registry's own and the cluster's CA.
    "ELASTICSEARCH_OPTIONS": {
        k: v for k, v in {
            "basic_auth": (
                (os.environ["ELASTICSEARCH_USERNAME"], os.environ.get("ELASTICSEARCH_PASSWORD", ""))
                if os.environ.get("ELASTICSEARCH_USERNAME") else None
            ),
            "api_key": os.environ.get("ELASTICSEARCH_API_KEY") or None,
            "ca_certs": os.environ.get("ELASTICSEARCH_CA_CERTS") or None,
        }.items() if v is not None
    },
}

# Anomaly thresholds (the security officer may tune them).
REGISTRY_ANOMALIES = {
    "bulk_read_documents": 20,
    "bulk_read_minutes": 60,
    "work_days": [0, 1, 2, 3, 4],
    "work_start": "07:30",
    "work_end": "17:00",
    "refusals_per_day": 3,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("REGISTRY_LOG_LEVEL", "WARNING")},
    # django-axes warns on every failed login; each one is in the access log already (LOGIN_FAILED).
    "loggers": {"axes": {"level": "ERROR"}},
}

# Whether a tuyet_mat summary (trích yếu) may be recorded, by effective date (domain.md §1): under the 2020
# rules only with a recorded authorisation, from 2026 never. Data, not code: amend when the rules change.
# The table lives in registry/rules (with the other dated rules); this setting is kept for its readers.
from registry.rules import summary_rules_setting as _summary_rules_setting  # noqa: E402

REGISTRY_SUMMARY_RULES = _summary_rules_setting()
