"""The docs point at files that exist: every repository path they name in backticks."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A backticked repository path: a top folder of the project, then a path ending in a file or /.
PATH = re.compile(
    r"`((?:admin_app|tests|bench|reliability|migrations|docs|\.ci)/[\w./-]*?)(?:::\w+)?`"
)
# A path inside the package, written from its wings (`web/edge/csrf.py`, `admin/views/base.py`).
WING_PATH = re.compile(r"`((?:web|staff|admin|templates|static)/[\w./-]*?\.(?:py|html|js))`")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_path_a_doc_names_exists(doc: Path) -> None:
    text = doc.read_text()
    named = set(PATH.findall(text)) | {f"admin_app/{path}" for path in WING_PATH.findall(text)}
    missing = sorted(path for path in named if "*" not in path and not (ROOT / path).exists())
    assert missing == [], f"{doc.name} names files that do not exist"


def test_ci_runs_the_test_command_the_readme_gives() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(
        r"^python3 -m venv .*&& (\.venv/bin/python -m pytest[^\n]*)$", readme, re.M
    )
    assert len(commands) == 1, "the README gives one test command"
    assert commands[0] in (ROOT / ".ci" / "run").read_text()
