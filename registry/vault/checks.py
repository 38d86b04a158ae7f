"""Deploy check: in production the key-encryption key belongs outside the instance folder."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def kek_outside_the_instance(app_configs=None, **kwargs):
    conf = getattr(settings, "REGISTRY_VAULT", {}) or {}
    if conf.get("KEK") or conf.get("KEK_FILE"):
        return []
    return [Warning(
        "The key-encryption key of the stored files is kept in REGISTRY_HOME/keys, beside the data it protects.",
        hint="Set REGISTRY_KEK_FILE (a secret mounted from outside the instance) or REGISTRY_KEK, then run "
             "`registry keys rotate` with the old key in REGISTRY_KEK_PREVIOUS.",
        id="registry.W101",
    )]
