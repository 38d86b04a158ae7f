"""Production: secrets come from the environment with no default, so a misconfigured instance fails fast."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env_bool

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set for production settings.")

DEBUG = False
SESSION_COOKIE_SECURE = os.environ.get("REGISTRY_INSECURE_COOKIES", "") != "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# TLS usually ends at the office's reverse proxy; turn these on where the app itself sees HTTPS.
SECURE_SSL_REDIRECT = env_bool("REGISTRY_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("REGISTRY_HSTS_SECONDS", 0))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("REGISTRY_BEHIND_TLS_PROXY") else None
X_FRAME_OPTIONS = "DENY"
WHITENOISE_USE_FINDERS = False  # production serves the collected files (docker/Dockerfile runs collectstatic)
