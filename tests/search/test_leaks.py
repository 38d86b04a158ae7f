"""Leak tests, on every backend: for each clearance, with and without need-to-know grants, nothing about a
document the user may not see reaches hits, totals, facet counts, highlights or autocomplete."""

import datetime as dt

import pytest
from django.utils import timezone

import search
from registry.access import visible_documents
from registry.actions.people import do_add_grant
from registry.constants import LEVEL_RANK, NEED_TO_KNOW_LEVELS, Level, Role
from tests.factories import make_user
from tests.search.corpus import SECRET_ISSUER, SECRET_MAT, SECRET_TOI, SECRET_TUYET, build_corpus

pytestmark = pytest.mark.django_db

SECRETS = {"mat": SECRET_MAT, "toi_mat": SECRET_TOI, "tuyet_mat": SECRET_TUYET}
# (clearance, grants): grants name corpus documents or "dossier" (the dossier holding the toi_mat document);
# "expired:NAME" is a grant whose date has passed, "revoked:NAME" one taken back, and "superuser" makes the
# user a superuser on the server (which lifts no clearance).
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
    (Level.TUYET_MAT, ("expired:toi_mat", "expired:tuyet_mat", "expired:dossier")),
    (Level.TUYET_MAT, ("revoked:toi_mat", "revoked:tuyet_mat")),
    (Level.THUONG, ("superuser",)),
    (Level.MAT, ("superuser",)),
    (Level.MAT, ("superuser", "toi_mat", "tuyet_mat")),  # grants above clearance open nothing, even for them
]


def _user(corpus, clearance, grants):
    from registry.models import Grant

    user = make_user(role=Role.STAFF, clearance=clearance)
    until = timezone.localdate() + dt.timedelta(days=10)
    for token in grants:
        if token == "superuser":
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
            continue
        state, _, name = token.rpartition(":")
        target = {"dossier": corpus.dossier} if name == "dossier" else {"document": corpus[name]}
        if state == "expired":  # as it stands the day after its date (the action refuses past dates)
            Grant.objects.create(user=user, valid_until=timezone.localdate() - dt.timedelta(days=1),
                                 reason="Thẩm tra nhân sự (đã hết hạn)", **target)
            continue
        created = do_add_grant(user, until=until, reason="Thẩm tra nhân sự", **target)
        if state == "revoked":
            created.revoked_at = timezone.now()
            created.save(update_fields=["revoked_at"])
    return user


def expected_hidden(clearance, grants) -> set[str]:
    """The levels of SECRETS a case must not see, from the case alone (not from the policy under test)."""
    live = {token for token in grants if ":" not in token and token != "superuser"}
    covered = live | ({"toi_mat"} if "dossier" in live else set())
    return {lv for lv in SECRETS
            if LEVEL_RANK[lv] > LEVEL_RANK[clearance] or (lv in NEED_TO_KNOW_LEVELS and lv not in covered)}


def assert_no_leak(user, corpus, hidden: set[str] | None = None):
    visible = set(visible_documents(user).values_list("pk", flat=True))
    for level in hidden or ():
        assert corpus[level].pk not in visible, f"policy leaked {level} doc {corpus[level].pk}"
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
    assert_no_leak(user, corpus, expected_hidden(clearance, grants))


def test_leak_check_names_the_leaking_path(engine, monkeypatch):
    """The checker itself: a principal set that wrongly opens tuyet_mat is caught, naming where it leaked."""
    from registry.access.policy import Principals
    from search import service

    corpus = build_corpus()
    user = _user(corpus, Level.TOI_MAT, ())
    monkeypatch.setattr(service, "principals", lambda u: Principals(("thuong", "mat", "tuyet_mat"), (), (), ()))
    with pytest.raises(AssertionError, match=r"leaked tuyet_mat doc \d+"):
        assert_no_leak(user, corpus)


def test_leak_check_catches_an_expired_grant_that_still_opens(engine, monkeypatch):
    """Mutation: live grants that forget their date. The expired-grant case must fail, naming the leak."""
    from registry.access import policy
    from registry.models import Grant

    corpus = build_corpus()
    grants = ("expired:toi_mat", "expired:tuyet_mat")
    user = _user(corpus, Level.TUYET_MAT, grants)
    monkeypatch.setattr(policy, "_live_grants", lambda u: Grant.objects.filter(user=u, revoked_at__isnull=True))
    with pytest.raises(AssertionError, match=r"leaked (toi_mat|tuyet_mat) doc \d+"):
        assert_no_leak(user, corpus, expected_hidden(Level.TUYET_MAT, grants))


def test_leak_check_catches_a_superuser_above_clearance(engine, monkeypatch):
    """Mutation: a policy that lets superusers past clearance (facets and autocomplete included)."""
    from registry.access import policy

    corpus = build_corpus()
    user = _user(corpus, Level.THUONG, ("superuser",))
    original = policy.visible_levels
    monkeypatch.setattr(policy, "visible_levels",
                        lambda u: list(Level.values) if getattr(u, "is_superuser", False) else original(u))
    monkeypatch.setattr(policy, "NEED_TO_KNOW_LEVELS", frozenset())
    with pytest.raises(AssertionError, match=r"leaked (mat|toi_mat|tuyet_mat) doc \d+"):
        assert_no_leak(user, corpus, expected_hidden(Level.THUONG, ("superuser",)))


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
