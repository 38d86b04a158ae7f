"""Search backends, built from ``settings.REGISTRY_SEARCH``. Each module exports ``SearchBackend``."""

import importlib
import threading

from django.conf import settings
from django.core.signals import setting_changed

BACKENDS = {
    "embedded": "search.backends.embedded",
    "elasticsearch": "search.backends.elasticsearch",
}

_lock = threading.Lock()
_cache: dict = {}


def load_backend(config: dict | None = None):
    """A new backend for ``config`` (default: settings.REGISTRY_SEARCH)."""
    config = dict(settings.REGISTRY_SEARCH if config is None else config)
    name = config.get("BACKEND", "embedded")
    module = importlib.import_module(BACKENDS.get(name, name))
    return module.SearchBackend(config)


def get_backend():
    """The process-wide backend for the current settings (rebuilt when settings change in tests)."""
    with _lock:
        backend = _cache.get("default")
        if backend is None:
            backend = _cache["default"] = load_backend()
        return backend


def reset_backend(**_kwargs):
    with _lock:
        backend = _cache.pop("default", None)
    if backend is not None:
        backend.close()


def _on_setting_changed(setting, **kwargs):
    if setting == "REGISTRY_SEARCH":
        reset_backend()


setting_changed.connect(_on_setting_changed)
