"""The same time-zone arithmetic on PostgreSQL: after-hours boundaries, refusals per local day, the yearly
15/12 boundary — through the console commands against a freshly migrated database."""

import json
import subprocess
import sys

import pytest

from tests.postgres import ROOT, registry_env, run_registry

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SEED = r'''
import datetime
import django
django.setup()
from tests.audit.helpers import local, plant
from tests.factories import make_document, make_user
from registry.constants import Action, Level, Outcome, Role

clerk = make_user("vanthu", role=Role.CLERK, clearance=Level.TUYET_MAT)
make_user("kiemtra", role=Role.AUDITOR, clearance=Level.MAT)
reader = make_user("docgia", clearance=Level.MAT, unit="VP")
# Registrations count by register date (the arrival date): the last day of reporting year 2020, and the first
# day of 2021.
doc = make_document(clerk=clerk, level=Level.MAT, arrival_date=datetime.date(2020, 12, 14))
make_document(clerk=clerk, level=Level.MAT, arrival_date=datetime.date(2020, 12, 15))
for moment in (local(2020, 6, 1, 7, 29, 59), local(2020, 6, 1, 7, 30), local(2020, 6, 1, 16, 59, 59),
               local(2020, 6, 1, 17, 0)):
    plant(Action.VIEW, moment, actor=reader, document=doc)
# Three refusals on one local day (two of them on the previous UTC day), two on the next.
for moment in (local(2020, 6, 2, 0, 10), local(2020, 6, 2, 6, 50), local(2020, 6, 2, 23, 50),
               local(2020, 6, 3, 0, 10), local(2020, 6, 3, 1, 0)):
    plant(Action.VIEW, moment, actor=reader, document=doc, outcome=Outcome.REFUSED)
'''


def test_anomalies_and_yearly_on_postgres(pg_database, tmp_path):
    env = registry_env(pg_database, tmp_path / "home")
    subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    out = run_registry(["audit", "anomalies", "--from", "2020-06-01", "--to", "2020-06-03", "--json",
                        "--as", "kiemtra"], env).stdout
    found = {(a["kind"], a["from"][:19]) for a in json.loads(out)["anomalies"]}
    assert found == {("after_hours", "2020-06-01T07:29:59"), ("repeated_refusals", "2020-06-02T00:10:00")}
    stats = json.loads(run_registry(["audit", "yearly", "--year", "2020", "--json", "--as", "kiemtra"], env).stdout)
    assert stats["levels"]["mat"]["registered_in"] == 1
    assert stats["levels"]["mat"]["reads"] == 4 and stats["levels"]["mat"]["refused_reads"] == 5
