"""The add-on's package as the image installs it: built from what the Dockerfile copies.

The wheel is built offline (no build isolation, the pinned setuptools of the
test dependencies) from exactly the files the Dockerfile's `COPY` lines put
in the build directory, then unpacked and imported on its own, away from the
source tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.parser import Parser
from importlib import metadata
import json
from pathlib import Path
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
import pytest

ROOT = Path(__file__).parents[2]
ADDON = ROOT / "addon"
PACKAGE = ADDON / "vertical_farm_planner"
BUILD_TIMEOUT_S = 180


def _pyproject(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _install_step() -> tuple[list[tuple[list[str], str]], str]:
    """The Dockerfile's COPY lines before its pip install, and that RUN line."""
    copies: list[tuple[list[str], str]] = []
    for line in (ADDON / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            *sources, destination = line.split()[1:]
            copies.append((sources, destination))
        elif line.startswith("RUN pip3 install"):
            return copies, line
    raise AssertionError("the Dockerfile installs no package")


def _source_files() -> Iterator[Path]:
    """Every file of the package's source tree, bytecode aside."""
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The add-on's wheel, built the way the image builds it."""
    build = tmp_path_factory.mktemp("build")
    context = build / "context"
    context.mkdir()
    copies, _ = _install_step()
    for sources, destination in copies:
        for source in sources:
            origin = ADDON / source
            target = context / destination / (source if destination == "./" else "")
            if origin.is_dir():
                shutil.copytree(
                    origin, target, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy(origin, target)
    out = build / "dist"
    result = subprocess.run(  # noqa: S603 - this interpreter, our arguments
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(out),
            str(context),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    # Offline: setuptools comes from the test dependencies (scripts/bootstrap).
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (built,) = out.glob("vertical_farm_planner-*.whl")
    return built


def test_the_wheel_holds_every_module_and_page_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata_name,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        wheel_metadata = Parser().parsestr(archive.read(metadata_name).decode())
    expected = {path.relative_to(ADDON).as_posix(): path for path in _source_files()}
    # The page, its script and style sheet, and the migrations (in db.py).
    for name in ("web/index.html", "web/app.js", "web/app.css", "db.py"):
        assert f"vertical_farm_planner/{name}" in expected
    assert set(expected) <= names, sorted(set(expected) - names)
    pyproject = _pyproject(ADDON / "pyproject.toml")["project"]
    assert isinstance(pyproject, dict)
    assert wheel_metadata["Version"] == pyproject["version"]
    assert sorted(wheel_metadata.get_all("Requires-Dist") or []) == sorted(
        pyproject["dependencies"]
    )


def test_the_installed_package_finds_its_page_and_migrates(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    # Isolated mode: neither the source tree nor PYTHONPATH can stand in for it.
    script = f"""
import asyncio, json, sys
sys.path.insert(0, {str(site)!r})
import vertical_farm_planner
from vertical_farm_planner.db import MIGRATIONS, Database
from vertical_farm_planner.web import read_web_files

async def version():
    database = await Database.open(__import__("pathlib").Path("planner.db"))
    try:
        return await database.schema_version()
    finally:
        await database.close()

print(json.dumps({{
    "module": vertical_farm_planner.__file__,
    "files": read_web_files(),
    "version": asyncio.run(version()),
    "latest": max(migration.version for migration in MIGRATIONS),
}}))
"""
    result = subprocess.run(  # noqa: S603 - this interpreter, our arguments
        [sys.executable, "-I", "-c", script],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    answer = json.loads(result.stdout)
    assert Path(answer["module"]).is_relative_to(site)
    assert answer["files"] == {
        name: (PACKAGE / "web" / name).read_text(encoding="utf-8")
        for name in ("index.html", "app.js", "app.css")
    }
    assert answer["version"] == answer["latest"] >= 1


def _runtime_closure() -> dict[str, str]:
    """Every installed package the add-on's dependencies need, with its version."""
    pyproject = _pyproject(ADDON / "pyproject.toml")["project"]
    assert isinstance(pyproject, dict)
    found: dict[str, str] = {}
    waiting = [Requirement(text).name for text in pyproject["dependencies"]]
    while waiting:
        name = canonicalize_name(waiting.pop())
        if name in found:
            continue
        found[name] = metadata.version(name)
        for text in metadata.requires(name) or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                waiting.append(requirement.name)
    return found


def test_constraints_pin_every_runtime_dependency_as_tested() -> None:
    pins: dict[str, str] = {}
    for line in (ADDON / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, separator, version = line.partition("==")
            assert separator, line
            pins[canonicalize_name(name)] = version
    assert pins == _runtime_closure()
    copies, install = _install_step()
    assert any("constraints.txt" in sources for sources, _ in copies)
    assert re.search(r"--constraint constraints\.txt\b", install)


def test_the_build_backend_is_pinned_as_tested() -> None:
    build_system = _pyproject(ADDON / "pyproject.toml")["build-system"]
    assert isinstance(build_system, dict)
    (requirement,) = build_system["requires"]
    assert requirement == f"setuptools=={metadata.version('setuptools')}"
    test_group = _pyproject(ROOT / "pyproject.toml")["dependency-groups"]
    assert isinstance(test_group, dict)
    assert requirement in test_group["test"]
