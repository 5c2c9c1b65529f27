"""What ships: the worker's wheel holds the worker and not the stand-ins; every library
the worker imports is declared; constraints.txt pins every declared dependency; the
commands that need the stand-ins say what to install when they are absent."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from sync.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("sync", "mappings", "jobs")


def _name(requirement: str) -> str:
    """The normalized distribution name of a PEP 508 requirement."""
    bare = re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def _project(path: Path) -> dict[str, object]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    project: dict[str, object] = document["project"]
    return project


def _declared_runtime() -> set[str]:
    return {_name(item) for item in _project(ROOT / "pyproject.toml")["dependencies"]}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(out), str(ROOT)], check=True, capture_output=True)
    (built,) = out.glob("partnersync-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_the_worker_and_its_migrations(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for module in ("sync/cli/main.py", "sync/engine/decide.py", "mappings/properties.py",
                   "jobs/cycle.py", "sync/ledger/migrations/versions/0003_payout_controls.py",
                   "sync/ledger/migrations/script.py.mako",
                   "sync/ledger/migrations/versions/0004_portal.py",
                   "sync/portal/templates/base.html", "sync/portal/templates/auth/sign_in.html",
                   "sync/portal/static/portal.css",
                   "sync/portal/translations/fr/LC_MESSAGES/messages.mo"):
        assert module in names, module


def test_the_wheel_leaves_the_stand_ins_out(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/", 1)[0] for name in wheel.namelist()
            if not name.startswith("partnersync-")}
    assert tops == set(PRODUCT)


@dataclass
class Stage:
    """One stage of the Dockerfile: what it starts from, what it copies from the build
    context and from other stages, and its commands."""

    base: str
    copies: list[str] = field(default_factory=list)
    from_stages: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)


def _stages() -> dict[str, Stage]:
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "FROM":
            current = Stage(words[1])
            stages[words[3] if len(words) > 3 else f"stage{len(stages)}"] = current
        elif words[0] == "COPY" and current is not None:
            source = [word for word in words[1:-1] if not word.startswith("--")]
            stage = next((word.split("=", 1)[1] for word in words if word.startswith("--from=")),
                         None)
            (current.from_stages if stage else current.copies).extend(
                [stage] if stage else source)
        elif words[0] == "RUN" and current is not None:
            current.runs.append(line)
    return stages


def _closure(stages: dict[str, Stage], name: str) -> set[str]:
    """``name`` and every stage it is built from or copies from."""
    stage, found = stages[name], {name}
    for other in [stage.base, *stage.from_stages]:
        if other in stages:
            found |= _closure(stages, other)
    return found


def _context_copies(stages: dict[str, Stage], name: str) -> set[str]:
    return {source for other in _closure(stages, name) for source in stages[other].copies}


def test_the_production_image_is_the_default_and_copies_no_stand_ins_nor_fixtures() -> None:
    stages = _stages()
    assert list(stages)[-1] == "production"  # `docker build .` builds the last stage
    copied = _context_copies(stages, "production")
    assert {"sync", "mappings", "jobs", "constraints.txt"} <= copied
    assert [source for source in copied
            if source.startswith(("standins", "fixtures", "sandbox", "tests"))] == []
    runs = " ".join(run for other in _closure(stages, "production") for run in stages[other].runs)
    assert "-c constraints.txt" in runs and "standins" not in runs


def test_the_demo_image_adds_the_stand_ins_and_the_demo_fixtures() -> None:
    stages = _stages()
    copied = _context_copies(stages, "demo")
    assert {"standins", "fixtures/demo"} <= copied
    assert "runtime" in _closure(stages, "demo") and "runtime" in _closure(stages, "production")
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not {"standins", "fixtures", "fixtures/demo"} & set(ignored)  # in the context


def _third_party_imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found
            if name not in sys.stdlib_module_names and name not in (*PRODUCT, "sandbox")}


def test_every_library_the_worker_imports_is_a_declared_dependency() -> None:
    """Not merely installed because a declared one pulls it in: declared."""
    owners = packages_distributions()
    imported = set().union(*(_third_party_imports(package) for package in PRODUCT))
    assert {"requests", "urllib3", "sqlalchemy", "stripe", "hubspot"} <= imported
    postgres = {_name(item) for item in
                _project(ROOT / "pyproject.toml")["optional-dependencies"]["postgres"]}  # type: ignore[index]
    declared = _declared_runtime() | postgres
    undeclared = {module: owners.get(module) for module in imported
                  if not {_name(owner) for owner in owners.get(module, [])} & declared}
    assert undeclared == {}


def test_constraints_pin_every_declared_dependency() -> None:
    pinned = {_name(line.split("==")[0]): line.split("==")[1]
              for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#")}
    project = _project(ROOT / "pyproject.toml")
    wanted = _declared_runtime()
    for extra in project["optional-dependencies"].values():  # type: ignore[attr-defined]
        wanted |= {_name(item) for item in extra}
    wanted |= {_name(item) for item in _project(ROOT / "standins" / "pyproject.toml")
               ["dependencies"]} - {"partnersync"}  # type: ignore[attr-defined]
    assert sorted(wanted - pinned.keys()) == []


@pytest.mark.parametrize("command", [["sandbox"], ["demo"]])
def test_without_the_stand_ins_the_command_names_what_to_install(
        command: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for module in [name for name in sys.modules if name.split(".")[0] == "sandbox"]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "sandbox", None)  # `import sandbox` now fails
    assert main(command) == 2
    error = capsys.readouterr().err
    assert error.startswith("partnersync: configuration error: `partnersync "
                            f"{command[0]}` needs the HubSpot and Stripe stand-ins")
    assert "pip install -e ./standins" in error
    assert "Traceback" not in error
