"""Django settings of the platform, for the embedded store (no server to install) or a
PostgreSQL server.

The figures come from the store (``MIXITE_STORE``: a DuckDB file, or a
``postgresql://`` URL). Accounts and sessions live in a SQLite file beside the store, or
where ``MIXITE_COMPTES`` says (a file, or a ``postgresql://`` URL of a database of
their own). Static files (DSFR, htmx) are served by the application itself.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mixite.io import est_url

_store = os.environ.get("MIXITE_STORE", "mixite.duckdb")
STORE: Path | str = _store if est_url(_store) else Path(_store).resolve()
_accounts = os.environ.get(
    "MIXITE_COMPTES",
    "mixite.comptes.sqlite3"
    if isinstance(STORE, str)
    else str(STORE.with_suffix(".comptes.sqlite3")),
)
#: Where the platform keeps its files (reports, uploaded files) when the store is a
#: server's database: folders beside ``mixite`` in ``MIXITE_FICHIERS`` (default: the
#: working folder); beside the store's file otherwise.
FICHIERS = Path(os.environ.get("MIXITE_FICHIERS", ".")).resolve() / "mixite"
#: The accounts' SQLite file (with the local secret and collected static files beside
#: it); with accounts on PostgreSQL, the working folder's.
ACCOUNTS = Path("mixite.comptes.sqlite3").resolve() if est_url(_accounts) else Path(_accounts)

# A local secret per installation, kept beside the accounts (never in the repository).
_secret_file = ACCOUNTS.with_suffix(".secret")
if "MIXITE_SECRET" in os.environ:
    SECRET_KEY = os.environ["MIXITE_SECRET"]
elif _secret_file.exists():
    SECRET_KEY = _secret_file.read_text(encoding="utf-8").strip()
else:
    SECRET_KEY = secrets.token_urlsafe(50)
    try:
        _secret_file.parent.mkdir(parents=True, exist_ok=True)
        _secret_file.write_text(SECRET_KEY, encoding="utf-8")
        _secret_file.chmod(0o600)
    except OSError:  # a read-only place: the key lives for this process only
        pass

DEBUG = os.environ.get("MIXITE_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("MIXITE_HOTES", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "django_htmx",
    "mixite.plateforme",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mixite.plateforme.securite.EntetesDeSecurite",
    "mixite.plateforme.securite.Acteur",
    "mixite.plateforme.fraicheur.Fraicheur",
    "mixite.plateforme.securite.ErreursMixite",
]

ROOT_URLCONF = "mixite.plateforme.urls"
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
                "mixite.plateforme.vues.contexte",
            ]
        },
    }
]
WSGI_APPLICATION = "mixite.plateforme.wsgi.application"
# WAL: the background import's progress writes do not block the pages reading accounts
# and sessions; writers wait for each other (timeout) instead of failing. The test
# database is a file too (an in-memory one locks whole tables between threads).
DATABASES: dict[str, dict[str, object]] = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(ACCOUNTS),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"mixite-test-{os.getpid()}.sqlite3")},
    }
}
if est_url(_accounts):  # accounts and sessions in a PostgreSQL database of their own
    _url = urlsplit(_accounts)
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
        "CONN_MAX_AGE": 60,
    }

# Strong password hashing (scrypt, memory-hard), long enough passwords.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]  # fmt: skip
LOGIN_URL = "connexion"
LOGIN_REDIRECT_URL = "tableau"
LOGOUT_REDIRECT_URL = "connexion"

# Sessions: 8 hours at most, ended with the browser; cookies unreadable by scripts.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS (MIXITE_HTTPS=1): secure cookies and HSTS.
if os.environ.get("MIXITE_HTTPS") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000

# Uploads: at most 50 MB in memory and on disk, files only of the formats mixite reads.
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
#: Largest file imported from the browser, in MB.
IMPORT_MAX_MO = int(os.environ.get("MIXITE_IMPORT_MAX_MO", "200"))
#: Requests per minute allowed to each partner API token (docs/api.md).
API_DEBIT = int(os.environ.get("MIXITE_API_DEBIT", "120"))
#: Seconds between two background recomputations of a figure while writes keep coming
#: (:mod:`mixite.plateforme.fraicheur`; 0: after every write).
RECALCUL_S = float(os.environ.get("MIXITE_RECALCUL_S", "30"))
#: The figures the background recomputes are computed in a process of their own, at a
#: lower priority (:mod:`mixite.plateforme.a_part`; 0: in the serving process).
CALCULS_A_PART = os.environ.get("MIXITE_CALCULS_A_PART", "1") != "0"

LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = ACCOUNTS.parent / "static-collecte"
#: The cache of rate limits, login throttling and « the writer waits for its own change »
#: (:mod:`mixite.plateforme.fraicheur`): in the process by default (one gunicorn process
#: of several threads); ``MIXITE_CACHE=base`` keeps it in the accounts' database, shared
#: by several gunicorn processes (``mixite plateforme --sans-serveur`` creates its table).
CACHE_PARTAGE = os.environ.get("MIXITE_CACHE", "memoire") == "base"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                      "LOCATION": "mixite_cache"} if CACHE_PARTAGE else
          {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # fmt: skip
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {"version": 1, "disable_existing_loggers": False}
