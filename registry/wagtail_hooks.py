"""Admin integration only. Each area keeps its hooks in its own module; importing them registers them."""

from registry.audit import admin_hooks as _audit_hooks  # noqa: F401
from registry.views import admin_hooks as _registry_hooks  # noqa: F401
