"""Leak tests, on every backend: for each clearance, with and without need-to-know grants, nothing about a
document the user may not see reaches hits, totals, facet counts, highlights or autocomplete."""

import datetime as dt

import pytest
from django.utils import timezone

import search
from registry.access import visible_documents
from registry.actions.people import do_add_grant
from registry.constants import Level, Role
from tests.factories import make_user
from tests.search.corpus import SECRET_ISSUER, SECRET_MAT, SECRET_TOI, SECRET_TUYET, build_corpus

pytestmark = pytest.mark.django_db

SECRETS = {"mat": SECRET_MAT, "toi_mat": SECRET_TOI, "tuyet_mat": SECRET_TUYET}
# (clearance, grants): grants name corpus documents or "dossier" (the dossier holding the toi_mat document)
CASES = [
    (Level.THUONG, ()),
    (Level.MAT, ()),
    (Level.TOI_MAT, ()),
    (Level.TOI_MAT, ("toi_mat",)),
    (Level.TOI_MAT, ("dossier",)),
    (Level.TOI_MAT, ("tuyet_mat",)),  # a grant above clearance opens nothing
    (Level.TUYET_MAT, ()),
    (Level.TUYET_MAT, ("toi_mat",)),
    (Level.TUYET_MAT, ("tuyet_mat",)),
    (Level.TUYET_MAT, ("dossier", "tuyet_mat")),
]


def _user(corpus, clearance, grants):
    user = make_user(role=Role.STAFF, clearance=clearance)
    until = timezone.localdate() + dt.timedelta(days=10)
    for name in grants:
        target = {"dossier": corpus.dossier} if name == "dossier" else {"document": corpus[name]}
        do_add_grant(user, until=until, reason="Thẩm tra nhân sự", **target)
    return user


def assert_no_leak(user, corpus):
    visible = set(visible_documents(user).values_list("pk", flat=True))
    forbidden = [(lv, corpus[lv]) for lv in SECRETS if corpus[lv].pk not in visible]
    allowed = [(lv, corpus[lv]) for lv in SECRETS if corpus[lv].pk in visible]

    browse = search.search("", user, per_page=100)
    assert browse.total == len(visible), f"total leaked: {browse.total} counted, {len(visible)} visible"
    assert {h.id for h in browse.hits} == visible
    broad = [browse, search.search("báo cáo nhân sự", user), search.search("kết luận", user),
             search.search("lý lịch", user)]
    for level, doc in forbidden:
        word = SECRETS[level]
        where = f"{level} doc {doc.pk}"
        direct = search.search(word, user)
        assert doc.pk not in [h.id for h in direct.hits], f"hits leaked {where}"
        assert direct.total == 0, f"total leaked {where}"
        assert not any(sum(counts.values()) for counts in direct.facets.values()), f"facet counts leaked {where}"
        by_number = search.search(doc.number_raw, user)
        assert doc.pk not in [h.id for h in by_number.hits], f"number search leaked {where}"
        assert all(doc.pk != h.id for r in broad for h in r.hits), f"hits leaked {where}"
        level_count = browse.facets["level"].get(level, 0)
        visible_count = visible_documents(user).filter(level=level).count()
        assert level_count == visible_count, f"facet counts leaked {where}"
        if level == Level.TUYET_MAT:
            assert SECRET_ISSUER not in browse.facets["issuer"], f"facet counts leaked {where} (issuer)"
        for results in broad + [direct, by_number]:
            for hit in results.hits:
                for field, fragment in hit.highlight.items():
                    assert word not in fragment, f"highlights leaked {where} via hit {hit.id}.{field}"
        for typed in (word[:3], word[:6], word):
            words = [s["word"] for s in search.autocomplete(typed, user, limit=20)]
            assert not any(word in w for w in words), f"autocomplete leaked {where}: {words}"
        numbers = [s["word"] for s in search.autocomplete(doc.number_raw[:3], user, limit=20)]
        assert doc.number_raw not in numbers, f"autocomplete leaked {where} number"
    for level, doc in allowed:  # the same probes do find what the user may see: the checks can fail
        word = SECRETS[level]
        assert [h.id for h in search.search(word, user).hits] == [doc.pk], f"{level} doc {doc.pk} not found"
        assert word in [s["word"] for s in search.autocomplete(word[:5], user)]
    return len(forbidden)


@pytest.mark.parametrize("clearance,grants", CASES, ids=[f"{c}+{'+'.join(g) or 'none'}" for c, g in CASES])
def test_nothing_leaks(engine, clearance, grants):
    corpus = build_corpus()
    user = _user(corpus, clearance, grants)
    assert_no_leak(user, corpus)


def test_leak_check_names_the_leaking_path(engine, monkeypatch):
    """The checker itself: a principal set that wrongly opens tuyet_mat is caught, naming where it leaked."""
    from registry.access.policy import Principals
    from search import service

    corpus = build_corpus()
    user = _user(corpus, Level.TOI_MAT, ())
    monkeypatch.setattr(service, "principals", lambda u: Principals(("thuong", "mat", "tuyet_mat"), (), (), ()))
    with pytest.raises(AssertionError, match=r"leaked tuyet_mat doc \d+"):
        assert_no_leak(user, corpus)


def test_revoked_grant_closes_search(engine):
    corpus = build_corpus()
    user = _user(corpus, Level.TOI_MAT, ("toi_mat",))
    assert search.search(SECRET_TOI, user).total == 1
    grant = user.grants.get()
    from registry.actions.people import do_revoke_grant

    do_revoke_grant(grant)
    assert search.search(SECRET_TOI, user).total == 0
    assert search.autocomplete(SECRET_TOI[:5], user) == []


def test_user_without_search_right_is_refused(engine):
    build_corpus()
    inactive = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    inactive.is_active = False
    inactive.save()
    from registry.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        search.search("báo cáo", inactive)
    assert search.autocomplete("bao", inactive) == []
