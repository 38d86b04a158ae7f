"""Liveness for the orchestrator's health check: the process answers and the database is reachable.

Anonymous on purpose, and it says nothing about the registry's contents (no counts, no versions).
"""

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
