"""Fixtures for the library tests: the bundled library and an editable copy of its files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import shutil
from typing import Any

import pytest
import yaml

from custom_components.vertical_farm.engine.profiles import Library
from custom_components.vertical_farm.library import (
    LIBRARY_DIR,
    load_library,
    read_yaml_file,
)

type Edit = Callable[[str, Callable[[dict[str, Any]], object]], None]


@pytest.fixture(scope="session")
def bundled() -> Library:
    """The bundled library, loaded once for the whole run."""
    return load_library()


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled YAML files."""
    for source in LIBRARY_DIR.glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


@pytest.fixture
def edit(library_dir: Path) -> Edit:
    """Change one file of the copy: parse it, let the test mutate it, write it back."""

    def change(file: str, mutate: Callable[[dict[str, Any]], object]) -> None:
        path = library_dir / file
        content = read_yaml_file(path)
        mutate(content)
        text = yaml.dump(content, Dumper=yaml.CSafeDumper, sort_keys=False)
        path.write_text(text, encoding="utf-8")

    return change
