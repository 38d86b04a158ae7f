"""Attack: forge an entry into the chain so that it takes the seq that verification's own log entry would use.

`registry audit verify` used to crash with IntegrityError (no verdict, no JSON). It must compute and print the
verdict first, try to log itself, and still print the verdict (and exit 1) when the log refuses its entry.
The integrity page must say the same in Vietnamese.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from registry.audit.chain import entry_hash, fields_of
from registry.audit.log import record
from registry.constants import Action, Level, Role
from registry.models import AccessLogEntry, ChainHead
from tests.factories import make_user
from tests.integrity.helpers import sql, triggers_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keys_dir(settings, tmp_path):
    settings.REGISTRY_KEYS_DIR = tmp_path / "keys"


@pytest.fixture
def forged():
    """Eight honest entries, then a row forged in the middle: entries 5.. are shifted up by one seq and a
    fake one takes seq 5, so the highest seq is head+1 — the seq that the next record() would take."""
    auditor = make_user("kiemtra_v", role=Role.AUDITOR, clearance=Level.TUYET_MAT)
    for i in range(8):
        record(Action.SEARCH, actor=auditor, query=f"q{i}")
    head = ChainHead.objects.get(pk=1).seq
    with triggers_lifted():
        for seq in range(head, 4, -1):
            sql("UPDATE registry_accesslogentry SET seq = seq + 1 WHERE seq = %s", [seq])
        template = AccessLogEntry.objects.get(seq=4)
        fields = fields_of(template)
        fields.update(seq=5, prev_hash=template.hash, query="forged")
        forged_hash = entry_hash(fields)
        AccessLogEntry.objects.bulk_create([AccessLogEntry(**fields, hash=forged_hash)])
    assert AccessLogEntry.objects.filter(seq=head + 1).exists()
    return auditor, head


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_verify_reports_the_forgery_and_does_not_crash(forged):
    auditor, head = forged
    before = AccessLogEntry.objects.count()
    code, text = run("--json")
    assert code == 1
    result = json.loads(text)
    assert set(result) == {"ok", "entries", "first_broken", "problem"}
    assert result["ok"] is False and result["first_broken"] is not None and result["problem"]
    assert AccessLogEntry.objects.count() == before  # its own entry could not be appended; nothing else changed
    code, text = run("--as", auditor.username)
    assert code == 1 and "NHẬT KÝ BỊ THAY ĐỔI" in text


def test_integrity_page_and_verify_button_state_the_verdict(client, forged):
    auditor, head = forged
    client.force_login(auditor)
    page = client.get(reverse("registry_audit_integrity"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Không ghi được" in body
    response = client.post(reverse("registry_audit_verify_now"), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "NHẬT KÝ ĐÃ BỊ THAY ĐỔI" in body
    assert "{&quot;ok&quot;" not in body and '{"ok"' not in body
