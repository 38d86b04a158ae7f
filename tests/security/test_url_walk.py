"""Deny by default: walk every URL pattern Django resolves and prove each one is either on the registry's
allow-list (registry.middleware) or answers 404, for every role, superusers made on the server included.

Path parameters are filled three ways: the id of a document hidden from everyone below (tuyet_mat, no
grant), the id of a visible one, and 1. Allowed views must not crash and must not name the hidden document.
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern

from registry.constants import Level, Role
from registry.middleware import is_allowed
from registry.models import User
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "clerk", "staff", "auditor", "admin", "superuser")
# String parameters: values that reach the view a request would really aim at (e.g. a bulk delete of
# registered documents), so that a denied view is denied for the attack and not for a typo.
STR_VALUES = {
    "app_label": "registry", "content_type_app_name": "registry", "app_name": "registry",
    "model_name": "document", "content_type_model_name": "document",
    "action": "delete", "action_name": "delete", "fmt": "csv", "filter_spec": "original",
    "uidb64": "MQ", "token": "x-token", "username": "canbo", "object_id": "1",
    "revision_id_a": "earliest", "revision_id_b": "latest",
}


def walk(patterns=None, prefix="", namespace=None):
    """Yield (route, view name or None, pattern object) for every leaf pattern."""
    for item in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(item, URLResolver):
            ns = namespace
            if item.namespace:
                ns = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from walk(item.url_patterns, prefix + str(item.pattern), ns)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name}" if namespace and item.name else item.name
            yield prefix + str(item.pattern), name, item


def _params(route: str) -> list[str]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return names + [n for n in re.findall(r"\(\?P<(\w+)>", route) if n not in names]


def _route_int_params(route: str) -> set[str]:
    return set(re.findall(r"<int:(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>\\d\+\)", route))


def build_paths(route, name, ids):
    """Concrete paths for one pattern: one per id fill (hidden, visible, 1)."""
    params = _params(route)
    int_params = _route_int_params(route)
    paths = set()
    for fill in ids:
        kwargs = {p: (fill if p in int_params else STR_VALUES.get(p, "1")) for p in params}
        try:
            paths.add(reverse(name, kwargs=kwargs) if name else _by_hand(route, kwargs))
        except Exception:
            paths.add(_by_hand(route, kwargs))
        if not int_params:
            break
    return sorted(paths)


def _by_hand(route, kwargs):
    path = route
    for key, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{key}>", str(value), path)
        path = re.sub(rf"\(\?P<{key}>[^)]*\)", str(value), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    path = path.replace(".*", "khong-co-trang-nay").replace("...", "...")
    return "/" + path


@pytest.fixture
def world(db):
    clerk = make_user("vanthu_walk", role=Role.CLERK, clearance=Level.TUYET_MAT)
    hidden = make_document(clerk=clerk, level=Level.TUYET_MAT, title="Hồ sơ nhân sự tuyệt mật không được lộ")
    visible = make_document(clerk=clerk, level=Level.THUONG, title="Thông báo thường")
    call_command("users", "add", "sieuquantri", "--superuser", "--role", "admin", "--clearance", "thuong",
                 "--password", "pw-test-123")
    users = {
        "clerk": make_user("vanthu_mat", role=Role.CLERK, clearance=Level.MAT),
        "staff": make_user("canbo", role=Role.STAFF, clearance=Level.MAT),
        "auditor": make_user("baomat", role=Role.AUDITOR, clearance=Level.MAT),
        "admin": make_user("quantri", role=Role.ADMIN, clearance=Level.MAT),
        "superuser": User.objects.get(username="sieuquantri"),
    }
    assert users["superuser"].is_superuser
    return {"hidden": hidden, "visible": visible, "users": users}


def _client(world, role):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def classified_paths(world):
    ids = (world["hidden"].pk, world["visible"].pk, 1)
    allowed, denied = [], []
    for route, name, _pattern in walk():
        for path in build_paths(route, name, ids):
            try:
                match = resolve(path)
            except Exception:
                continue  # a path we could not rebuild; the catch-all 404 covers it
            (allowed if is_allowed(match) else denied).append((path, match.view_name))
    return allowed, denied


def test_every_url_is_allowed_or_404_for_every_role(world):
    allowed, denied = classified_paths(world)
    assert len(denied) > 150 and len(allowed) > 40  # the walk really walked
    failures = []
    for role in ROLES:
        client = _client(world, role)
        for path, view in denied:
            for method in ("get", "post"):
                status = getattr(client, method)(path).status_code
                if status != 404:
                    failures.append(f"{role} {method.upper()} {path} ({view}) → {status}")
    assert not failures, "views outside the allow-list answered:\n" + "\n".join(failures)


def test_allowed_views_do_not_crash_or_name_the_hidden_document(world):
    allowed, _ = classified_paths(world)
    hidden = world["hidden"]
    failures = []
    for role in ROLES:
        client = _client(world, role)
        for path, view in allowed:
            if view in ("wagtailadmin_logout",):
                continue  # would end the session of the walk
            response = client.get(path)
            body = b"".join(response) if response.streaming else response.content
            if response.status_code >= 500:
                failures.append(f"{role} GET {path} ({view}) → {response.status_code}")
            elif hidden.title.encode() in body or (hidden.number_raw and hidden.number_raw.encode() in body):
                failures.append(f"{role} GET {path} ({view}) names the hidden document")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name, kwargs", [
    ("wagtail_bulk_action", {"app_label": "registry", "model_name": "document", "action": "delete"}),
    ("wagtail_bulk_action", {"app_label": "registry", "model_name": "document", "action": "add_to_collection"}),
    ("wagtail_bulk_action", {"app_label": "registry", "model_name": "document", "action": "add_tags"}),
    ("wagtail_bulk_action", {"app_label": "registry", "model_name": "user", "action": "delete"}),
    ("wagtaildocs:index", {}),
    ("wagtaildocs_chooser:choose", {}),
    ("wagtailadmin_api:documents:listing", {}),
    ("wagtailadmin_reports:site_history", {}),
    ("wagtailadmin_collections:index", {}),
    ("wagtailadmin_workflows:index", {}),
    ("wagtailadmin_explore_root", {}),
    ("wagtailimages:index", {}),
    ("wagtailadmin_password_reset", {}),
    ("wagtailusers_users:delete", {"pk": 1}),
    ("wagtailusers_users:history", {"pk": 1}),
    ("wagtailusers_groups:index", {}),
    ("registry_dossiers:usage", {"pk": 1}),
    ("registry_dossiers:history", {"pk": 1}),
    ("registry_holidays:history", {"pk": 1}),
])
def test_known_wagtail_views_are_off_the_allow_list(name, kwargs):
    assert not is_allowed(resolve(reverse(name, kwargs=kwargs)))


def test_an_unknown_future_view_is_denied():
    """Anything a future Wagtail adds under /admin/ resolves to a view we never listed: denied."""
    from types import SimpleNamespace

    future = SimpleNamespace(view_name="wagtailadmin_new_feature", url_name="wagtailadmin_new_feature",
                             namespaces=[], func=lambda request: None)
    assert not is_allowed(future)
    unnamed = SimpleNamespace(view_name=None, url_name=None, namespaces=[], func=lambda request: None)
    assert not is_allowed(unnamed)


def test_regex_patterns_are_walked_too():
    routes = [route for route, _name, pattern in walk() if isinstance(pattern.pattern, RegexPattern)]
    assert any("revisions/compare" in r for r in routes)
