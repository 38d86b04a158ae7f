"""Where a request came from: the who/where part of every access-log entry, for web, API and CLI alike."""

import getpass
import socket
import uuid
from dataclasses import dataclass, field

from django.conf import settings


def client_ip(request) -> str:
    """Who sent the request: REMOTE_ADDR, or X-Forwarded-For when REMOTE_ADDR is one of our own proxies.

    X-Forwarded-For is written by whoever sends the request, so it is believed only from the addresses in
    ``REGISTRY_TRUSTED_PROXIES``; then the client is the nearest address that is not itself a trusted proxy.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = set(getattr(settings, "REGISTRY_TRUSTED_PROXIES", ()) or ())
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else remote


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_request(cls, request) -> "RequestContext":
        return cls(
            ip=client_ip(request)[:64],
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            # Made by RequestIdMiddleware on the server; never taken from the client.
            request_id=getattr(request, "request_id", None) or uuid.uuid4().hex,
        )

    @classmethod
    def for_cli(cls, command: str = "") -> "RequestContext":
        try:
            who = getpass.getuser()
        except Exception:  # no login name in some containers
            who = "?"
        return cls(ip=f"cli:{socket.gethostname()}"[:64], user_agent=f"registry {command} ({who})"[:512])
