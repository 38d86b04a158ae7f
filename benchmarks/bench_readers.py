"""Concurrent readers: N processes downloading marked copies (the download button's action), with the
access-log write, against a control doing the same reads without it; on PostgreSQL and on SQLite.

    .venv/bin/python benchmarks/bench_readers.py [--readers 16] [--seconds 10] [--backend pg|sqlite|both]

Each side runs ``do_read_document`` (policy check, copy number, stamping, and — on the logged side — one
chained access-log entry committed with the copy number) in ``--readers`` processes for ``--seconds``. The
control replaces the log write by a stand-in that writes nothing: a benchmark-only path, patched in here;
the product has no switch to turn logging off. Target: logged ≥ 0.5× control. Afterwards the chain is
verified. A fresh PostgreSQL database (127.0.0.1:5432, trust auth) and a fresh SQLite instance are created
and dropped.
"""

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("REGISTRY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DOCUMENTS = 8


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--readers", type=int, default=16)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--backend", choices=["pg", "sqlite", "both"], default="both")
    p.add_argument("--child", choices=["pg", "sqlite"], help=argparse.SUPPRESS)
    return p.parse_args()


# --- child: one backend, in a process whose settings point at it -------------------------------------------


class _Entry:
    """What the control's stand-in for ``record`` returns: an entry that was never written."""

    pk = 0

    def __init__(self):
        from django.utils import timezone

        self.at = timezone.now()


def _no_log(*args, **kwargs):
    return _Entry()


def _reader(args):
    worker, seconds, logged, doc_ids, start_at = args
    import django

    django.setup()
    from django.db import connection

    from registry.actions import reading
    from registry.models import User

    if not logged:
        reading.record = _no_log  # benchmark-only: the same reads without the log write
    user = User.objects.get(username="docgia")
    done, errors = 0, 0
    while time.time() < start_at:
        time.sleep(0.01)
    deadline = start_at + seconds
    i = worker
    while time.time() < deadline:
        try:
            copy = reading.do_read_document(doc_ids[i % len(doc_ids)], actor=user, purpose="Đo hiệu năng")
            if copy.content[:4] == b"%PDF":
                done += 1
        except Exception:
            errors += 1
        i += 1
    connection.close()
    return done, errors


def _side(readers, seconds, logged, doc_ids) -> dict:
    start_at = time.time() + 1.0
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(readers) as pool:
        results = pool.map(_reader, [(w, seconds, logged, doc_ids, start_at) for w in range(readers)])
    done = sum(r[0] for r in results)
    return {"reads": done, "errors": sum(r[1] for r in results), "per_second": done / seconds}


def _setup_instance() -> list[int]:
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    from registry.actions.people import do_add_user
    from registry.constants import Level
    from registry.intake import register_file
    from tests.factories import make_metadata
    from tests.intake import samples

    clerk = do_add_user("vanthu_bench", role="clerk", clearance="tuyet_mat", unit="Văn phòng", password="pw-bench-123")
    do_add_user("docgia", role="staff", clearance="mat", unit="Văn phòng", password="pw-bench-123")
    ids = []
    with tempfile.TemporaryDirectory() as work:
        for n in range(DOCUMENTS):
            path = Path(work) / f"doc{n}.pdf"
            path.write_bytes(samples.text_pdf(pages=2, marker=f"bench {n}"))
            ids.append(register_file(path, meta=make_metadata(level=Level.MAT, number=f"{n + 1}-CV/BENCH"),
                                     actor=clerk).pk)
    return ids


def child(backend: str, readers: int, seconds: float):
    import django

    django.setup()
    from django.db import connections

    ids = _setup_instance()
    connections.close_all()
    control = _side(readers, seconds, False, ids)
    logged = _side(readers, seconds, True, ids)
    from registry.audit.verify import verify_chain

    result = verify_chain()
    print(json.dumps({"backend": backend, "readers": readers, "seconds": seconds, "control": control,
                      "logged": logged, "ratio": (logged["per_second"] / control["per_second"]
                                                  if control["per_second"] else None),
                      "verify_ok": bool(result.ok), "entries": result.entries}))


# --- parent ------------------------------------------------------------------------------------------------


def run_backend(backend: str, args) -> dict:
    import psycopg

    home = Path(tempfile.mkdtemp(prefix=f"registry-bench-{backend}-"))
    env = {**os.environ, "REGISTRY_HOME": str(home), "DJANGO_SETTINGS_MODULE": "registry.settings.base",
           "PYTHONPATH": str(ROOT), "REGISTRY_LOG_LEVEL": "ERROR", "REGISTRY_TASKS": "inline-after-commit"}
    env.pop("DATABASE_URL", None)
    name = None
    if backend == "pg":
        name = f"registry_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        out = subprocess.run([sys.executable, __file__, "--child", backend, "--readers", str(args.readers),
                              "--seconds", str(args.seconds)], env=env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"{backend} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if name:
            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        import shutil

        shutil.rmtree(home, ignore_errors=True)


def main():
    args = parse_args()
    if args.child:
        child(args.child, args.readers, args.seconds)
        return
    backends = ["pg", "sqlite"] if args.backend == "both" else [args.backend]
    failed = False
    for backend in backends:
        r = run_backend(backend, args)
        label = {"pg": "PostgreSQL", "sqlite": "SQLite"}[backend]
        print(f"{label}: {r['readers']} readers, {r['seconds']:.0f} s per side")
        print(f"  control (no log write): {r['control']['per_second']:8.1f} copies/s ({r['control']['reads']} reads,"
              f" {r['control']['errors']} errors)")
        print(f"  logged:                 {r['logged']['per_second']:8.1f} copies/s ({r['logged']['reads']} reads,"
              f" {r['logged']['errors']} errors)")
        ratio = r["ratio"] or 0
        print(f"  ratio logged/control:   {ratio:8.2f}x  (target >= 0.50x) {'OK' if ratio >= 0.5 else 'BELOW TARGET'}")
        print(f"  chain verify after:     {'ok' if r['verify_ok'] else 'BROKEN'} ({r['entries']} entries)")
        failed |= ratio < 0.5 or not r["verify_ok"] or r["logged"]["errors"] > 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
