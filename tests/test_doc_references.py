"""Every document the code, the tests and the docs point at exists in the repository: a
reader who follows a reference finds it (documents kept outside the repository, such as
the specification the rules were read from, are not ours to cite)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A Markdown file named in text: `docs/rules.md`, [x](../docs/sandbox.md#fixtures), README.md.
REFERENCE = re.compile(r"(?<![\w/.-])((?:\.\.?/)?(?:[\w.-]+/)*[\w.-]+\.md)\b")
SCANNED = (".py", ".md", ".toml", ".sh", ".yml", ".yaml", ".cfg", ".html", ".j2", "Dockerfile")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in listed.stdout.splitlines()
            if name.endswith(SCANNED) and (ROOT / name).is_file()
            and ROOT / name != Path(__file__).resolve()]  # its control names missing ones


def _exists(reference: str, source: Path) -> bool:
    candidates = [ROOT / reference, source.parent / reference]
    return any(candidate.resolve().is_file() for candidate in candidates)


def missing_references(files: list[Path]) -> list[str]:
    missing = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for reference in REFERENCE.findall(line):
                if not _exists(reference, path):
                    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                    missing.append(f"{shown}:{number}: {reference}")
    return missing


def test_every_referenced_document_exists() -> None:
    files = _tracked_files()
    assert len(files) > 300  # the scan really covers the repository
    assert missing_references(files) == []


def test_a_reference_to_a_document_outside_the_repository_is_caught(tmp_path: Path) -> None:
    """Positive control: the scan flags what it is there to flag."""
    source = tmp_path / "module.py"
    source.write_text('"""Rules from ELSEWHERE.md; see docs/rules.md and ../outside/x.md."""\n',
                      encoding="utf-8")
    assert missing_references([source]) == ["module.py:1: ELSEWHERE.md",
                                            "module.py:1: ../outside/x.md"]
