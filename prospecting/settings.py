"""Quarry's settings, read from environment variables (see .env.example for every one).

With nothing set, Quarry runs on embedded defaults: SQLite and Celery's filesystem transport under
var/, with a secret key and an encryption key generated once into var/. With DEBUG=false it is in
production mode and refuses to start without SECRET_KEY, ALLOWED_HOSTS, QUARRY_ENCRYPTION_KEYS,
EMAIL_HOST, SITE_URL (https://), DATABASE_URL and REDIS_URL, or with ALLOWED_HOSTS=*.
"""

import base64
import binascii
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from prospecting.env import env_bool, env_choice, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QUARRY_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DEBUG", True)


def _generated_secret(filename, make):
    """A secret kept under var/ so embedded runs survive restarts; never used in production."""
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _require_in_production(name, why=""):
    value = env_str(name)
    if value is None and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is false{why}.")
    return value


SECRET_KEY = _require_in_production("SECRET_KEY") or _generated_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters when DEBUG is false.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false.")
# A wildcard would let any Host header build the absolute URLs in reset and invitation emails.
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must not contain * when DEBUG is false: list the host names Quarry answers to."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")


# Provider secrets are encrypted under their own key list, never derived from SECRET_KEY: the first
# key encrypts, every key decrypts, and `manage.py rotate_encryption_keys` moves rows to the first.
def _encryption_keys():
    keys = env_list("QUARRY_ENCRYPTION_KEYS") or [
        _require_in_production("QUARRY_ENCRYPTION_KEYS")
        or _generated_secret("encryption_key", lambda: Fernet.generate_key().decode())
    ]
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            raise ImproperlyConfigured(
                "QUARRY_ENCRYPTION_KEYS must be a comma-separated list of Fernet keys "
                "(generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')."
            ) from None
    return keys


QUARRY_ENCRYPTION_KEYS = _encryption_keys()
assert all(len(base64.urlsafe_b64decode(k)) == 32 for k in QUARRY_ENCRYPTION_KEYS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # intcomma, behind the figure filter
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "accounts",
    "prospecting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentTeamMiddleware",
    # Quarry's 404 page in DEBUG too (Django's technical 404 lists every URL); after CommonMiddleware,
    # which still redirects to the URL with a slash, and after the team, which the page shows.
    "prospecting.middleware.NotFoundPageMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authenticate() into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prospecting.urls"
WSGI_APPLICATION = "prospecting.wsgi.application"
ASGI_APPLICATION = "prospecting.asgi.application"

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
                "accounts.context_processors.current_team",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Production runs on PostgreSQL: falling back to the embedded SQLite file there would lose data quietly.
DATABASE_URL = env_url(
    "DATABASE_URL",
    _require_in_production("DATABASE_URL", " (postgres://user:password@host:5432/name)")
    or f"sqlite:///{VAR_DIR / 'quarry.sqlite3'}",
    schemes=("postgres", "postgresql", "sqlite"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL and immediate transactions let the web process, worker and beat share one SQLite file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so a real Celery worker started by the tests sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-quarry.sqlite3")}
    # The contact points' rule index INCLUDEs the person (an index-only look-up on PostgreSQL); SQLite
    # builds it on its key columns alone, which is all it needs, so its warning on every start is noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    # PostgreSQL's JIT compiler spends seconds compiling the plan of a query over a whole list (a list
    # page's count, an export) and gains nothing on these short queries: off for Quarry's connections.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c cursor_tuple_fraction=1"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_TTL = timedelta(days=env_int("INVITATION_TTL_DAYS", 7, minimum=1))
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=300)

# Lock the (username, IP) pair, not the IP alone: a whole office shares one address, and an attacker
# elsewhere must not be able to lock a colleague out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_ip"
AXES_VERBOSE = False
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Email -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
# The console backend prints every message, so password-reset links and invitation tokens would end
# up in the production logs.
if not DEBUG and not EMAIL_HOST:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set when DEBUG is false: without it, password-reset and invitation links "
        "are written to the logs instead of being emailed."
    )
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Quarry <quarry@localhost>")

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Security headers ------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)

# --- Celery ----------------------------------------------------------------------------------
# Production needs Redis: the filesystem broker and the database limiter store only work for processes
# sharing one machine's disk.
REDIS_URL = env_url(
    "REDIS_URL",
    _require_in_production("REDIS_URL", " (redis://host:6379/0: Celery's broker and the rate limiter)"),
    schemes=("redis", "rediss"),
)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    # The filesystem transport ignores the host, but kombu warns "No hostname was supplied" on every
    # connection without one.
    CELERY_BROKER_URL = "filesystem://localhost/"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Cache ---------------------------------------------------------------------------------
# Free provider look-ups (Lix's facet typeahead, Lusha's filter values) are cached so a form render or a
# keystroke does not spend a call of the key's rate limit (Lix allows one call every 3 s). Every process
# must see the same entries: Redis when there is one, else files under the var directory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Providers -------------------------------------------------------------------------------
# Base URLs default to the real hosts; operators point them at egress proxies, tests and the sandbox
# at themselves.
PROVIDER_URLS = {
    "LIX_API_URL": env_url("LIX_API_URL", "https://api.lix-it.com", schemes=("http", "https")),
    "LOOKC_API_URL": env_url("LOOKC_API_URL", "https://api.lookc.io", schemes=("http", "https")),
    "LINKUP_API_URL": env_url("LINKUP_API_URL", "https://api.linkupapi.com", schemes=("http", "https")),
    "LUSHA_API_URL": env_url("LUSHA_API_URL", "https://api.lusha.com", schemes=("http", "https")),
    "LEADIQ_GRAPHQL_URL": env_url(
        "LEADIQ_GRAPHQL_URL", "https://api.leadiq.com/graphql", schemes=("http", "https")
    ),
    "LEADIQ_PROSPECTOR_URL": env_url(
        "LEADIQ_PROSPECTOR_URL", "https://prospector.leadiq.com", schemes=("http", "https")
    ),
}
# The built-in sandbox of the five providers (prospecting/sandbox): on by default in DEBUG, refused in
# production unless QUARRY_SANDBOX=true says so explicitly.
SANDBOX_ENABLED = env_bool("QUARRY_SANDBOX", DEBUG)
# Where Quarry itself is reached, for URLs handed to others (the LookC webhook). Required in production:
# the local default would give LookC a webhook URL it can never reach.
SITE_URL = env_url(
    "SITE_URL", _require_in_production("SITE_URL") or "http://127.0.0.1:8000", schemes=("http", "https")
).rstrip("/")
# The LookC webhook URL carries the team's token: over http:// it would travel in clear text.
if not DEBUG and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// when DEBUG is false (got {SITE_URL!r}).")
SANDBOX_URL = env_url("SANDBOX_URL", "http://127.0.0.1:8100", schemes=("http", "https")).rstrip("/")
SANDBOX_PROVIDER_URLS = {
    "LIX_API_URL": f"{SANDBOX_URL}/lix",
    "LOOKC_API_URL": f"{SANDBOX_URL}/lookc",
    "LINKUP_API_URL": f"{SANDBOX_URL}/linkup",
    "LUSHA_API_URL": f"{SANDBOX_URL}/lusha",
    "LEADIQ_GRAPHQL_URL": f"{SANDBOX_URL}/leadiq/graphql",
    "LEADIQ_PROSPECTOR_URL": f"{SANDBOX_URL}/leadiq-prospector",
}

# (connect, read) seconds for every provider call.
PROVIDER_TIMEOUT = (
    env_int("PROVIDER_CONNECT_TIMEOUT", 5, minimum=1),
    env_int("PROVIDER_READ_TIMEOUT", 30, minimum=1),
)
# Days bought data stays fresh: within them, a quote counts a person's valid email (phone, company data)
# as owned, so it is not bought again.
FRESH_DAYS = env_int("FRESH_DAYS", 90, minimum=1)

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
# One console handler on the root logger, for every process (web, worker, beat): each record once,
# tokens masked, and a client error (4xx) as one line without a traceback (prospecting/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "one_line_for_client_errors": {"()": "prospecting.logs.OneLineForClientErrors"},
        "mask_tokens": {"()": "prospecting.logs.MaskTokens"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_for_client_errors", "mask_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default configuration gives the "django" logger a console handler of its own, so
        # every warning it logged (404, 403, 400) was printed twice: once there, once by the root.
        "django": {"handlers": [], "propagate": True},
        "axes": {"level": "WARNING"},
    },
}
