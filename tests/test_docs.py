"""The rules the code cites are in the repository: every "domain.md §N" reference points at a section of
docs/domain.md, and every code path that document names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "domain.md"


def test_every_cited_section_exists():
    sections = set(re.findall(r"^## §(\d+)", DOC.read_text(encoding="utf-8"), flags=re.M))
    cited = set()
    for path in [*ROOT.joinpath("registry").rglob("*.py"), *ROOT.joinpath("search").rglob("*.py")]:
        cited.update(re.findall(r"domain\.md §(\d+)", path.read_text(encoding="utf-8")))
    assert cited, "the code cites no section"
    assert cited <= sections, f"cited but missing in docs/domain.md: {sorted(cited - sections)}"


def test_every_code_path_the_document_names_exists():
    names = set(re.findall(r"`((?:registry|search)/[\w/.]+)`", DOC.read_text(encoding="utf-8")))
    missing = sorted(name for name in names if not (ROOT / name).exists())
    assert not missing, f"docs/domain.md names paths that do not exist: {missing}"
