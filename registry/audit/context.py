"""Where a request came from: the who/where part of every access-log entry, for web, API and CLI alike."""

import getpass
import socket
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_request(cls, request) -> "RequestContext":
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
        return cls(
            ip=ip[:64],
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            request_id=getattr(request, "request_id", None) or uuid.uuid4().hex,
        )

    @classmethod
    def for_cli(cls, command: str = "") -> "RequestContext":
        try:
            who = getpass.getuser()
        except Exception:  # no login name in some containers
            who = "?"
        return cls(ip=f"cli:{socket.gethostname()}"[:64], user_agent=f"registry {command} ({who})"[:512])
