"""`registry demo` loads a working office through the real actions, and a second run changes nothing."""

import io

import pytest
from django.core.management import call_command

from registry.access import visible_documents
from registry.audit.verify import check_chain
from registry.constants import Level
from registry.demo import catalogue
from registry.models import AccessLogEntry, Document, Loan, User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_office_loads_once_with_people_documents_and_a_verified_log():
    out = io.StringIO()
    call_command("demo", "--no-migrate", stdout=out)
    assert Document.objects.count() == len(catalogue.DOCUMENTS)
    assert set(Document.objects.values_list("level", flat=True)) == set(Level.values)
    assert Document.objects.filter(file="").count() == 1  # the paper-only record
    assert {u.username for u in User.objects.all()} >= {p[0] for p in catalogue.PEOPLE}
    assert "vanthu" in out.getvalue() and catalogue.DEMO_PASSWORD in out.getvalue()
    # The clerk keeps both congress dossiers; a staff member cleared "thuong" sees only ordinary documents.
    assert visible_documents(User.objects.get(username="vanthu")).count() == len(catalogue.DOCUMENTS)
    low = visible_documents(User.objects.get(username="canbo.thuong"))
    assert set(low.values_list("level", flat=True)) == {Level.THUONG}
    assert Loan.objects.filter(returned_at__isnull=True).exists()
    assert check_chain().ok
    entries = AccessLogEntry.objects.count()
    call_command("demo", "--no-migrate", stdout=io.StringIO())
    assert Document.objects.count() == len(catalogue.DOCUMENTS)
    assert AccessLogEntry.objects.count() == entries
