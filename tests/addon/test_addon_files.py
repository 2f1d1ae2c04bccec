"""The add-on's packaging files: what the Supervisor and the store read."""

from __future__ import annotations

from importlib import metadata
import os
from pathlib import Path
import re
import tomllib
from typing import Any

from PIL import Image
import pytest
import yaml

from vertical_farm_planner import __version__
from vertical_farm_planner.config import DEFAULT_PORT, LogLevel

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addon"
BRAND = ROOT / "custom_components" / "vertical_farm" / "brand"
SERVICE = ADDON / "rootfs" / "etc" / "s6-overlay" / "s6-rc.d" / "planner"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def load_yaml(path: Path) -> Any:
    """Return the parsed YAML file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    """Return the parsed add-on config.yaml."""
    loaded: dict[str, Any] = load_yaml(ADDON / "config.yaml")
    return loaded


def test_config_has_the_required_keys(config: dict[str, Any]) -> None:
    for key in ("name", "version", "slug", "description", "arch"):
        assert config[key], key
    assert config["name"] == "Vertical Farm Planner"
    assert config["slug"] == "vertical_farm_planner"
    assert sorted(config["arch"]) == ["aarch64", "amd64"]
    assert config["url"].startswith("https://")


def test_config_version_matches_the_package(config: dict[str, Any]) -> None:
    pyproject = tomllib.loads((ADDON / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["version"] == __version__ == pyproject["project"]["version"]
    changelog = (ADDON / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__}" in changelog


def test_config_runs_under_s6_with_ingress_and_discovery(
    config: dict[str, Any],
) -> None:
    assert config["init"] is False
    assert config["ingress"] is True
    assert config["ingress_port"] == DEFAULT_PORT
    assert config["panel_icon"].startswith("mdi:")
    assert "vertical_farm" in config["discovery"]
    assert config["hassio_api"] is True
    # The watchdog polls the one endpoint that needs no token.
    assert config["watchdog"].endswith(f":[PORT:{DEFAULT_PORT}]/api/v1/health")
    # No ports published to the host: Home Assistant and ingress reach it inside.
    assert "ports" not in config
    assert "host_network" not in config


def test_every_option_has_a_schema_and_a_translation(config: dict[str, Any]) -> None:
    assert set(config["options"]) == set(config["schema"]) == {"token", "log_level"}
    assert config["options"]["token"] == ""
    assert config["schema"]["token"].startswith("password")
    listed = re.fullmatch(r"list\((.+)\)", config["schema"]["log_level"])
    assert listed is not None
    assert listed.group(1).split("|") == [level.value for level in LogLevel]
    assert config["options"]["log_level"] in listed.group(1).split("|")

    translations = load_yaml(ADDON / "translations" / "en.yaml")
    for option in config["schema"]:
        entry = translations["configuration"][option]
        assert entry["name"].strip(), option
        assert entry["description"].strip(), option


def test_docs_describe_options_and_api(config: dict[str, Any]) -> None:
    docs = (ADDON / "DOCS.md").read_text(encoding="utf-8")
    for option in config["schema"]:
        assert f"### Option: `{option}`" in docs
    for path in ("/api/v1/health", "/api/v1/openapi.json"):
        assert path in docs
    assert "discovery" in docs
    assert (
        (ADDON / "README.md")
        .read_text(encoding="utf-8")
        .startswith("# Vertical Farm Planner")
    )


def test_dockerfile_pins_an_official_python_base() -> None:
    dockerfile = (ADDON / "Dockerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert bases
    for base in bases:
        image, _, tag = base.partition(":")
        assert image.startswith("ghcr.io/home-assistant/"), base
        assert "base-python" in image, base
        assert "$" not in base, "the base must not depend on a build argument"
        # Pinned to a dated release, never a moving tag.
        assert re.fullmatch(r"3\.\d+-alpine3\.\d+-\d{4}\.\d{2}\.\d+", tag), base
        assert "latest" not in tag
    assert 'io.hass.type="addon"' in dockerfile
    assert "COPY vertical_farm_planner" in dockerfile
    assert "pip3 install ." in dockerfile
    # The Supervisor warns about build.yaml and will stop reading it.
    assert not (ADDON / "build.yaml").exists()


def test_package_dependencies_are_pinned_to_the_tested_versions() -> None:
    pyproject = tomllib.loads((ADDON / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = pyproject["project"]["dependencies"]
    names = set()
    for requirement in dependencies:
        name, separator, version = requirement.partition("==")
        assert separator, requirement
        assert metadata.version(name) == version, requirement
        names.add(name)
    assert names == {"aiohttp", "aiosqlite", "voluptuous"}


def test_s6_service_runs_the_module() -> None:
    run = SERVICE / "run"
    assert run.is_file()
    assert os.access(run, os.X_OK)
    assert os.access(SERVICE / "finish", os.X_OK)
    text = run.read_text(encoding="utf-8")
    assert text.startswith("#!/command/with-contenv bashio\n")
    assert "exec python3 -m vertical_farm_planner" in text
    assert (SERVICE / "type").read_text(encoding="utf-8").strip() == "longrun"
    user_bundle = SERVICE.parent / "user" / "contents.d" / "planner"
    assert user_bundle.is_file()


def test_apparmor_profile_is_named_after_the_slug(config: dict[str, Any]) -> None:
    profile = (ADDON / "apparmor.txt").read_text(encoding="utf-8")
    assert profile.startswith("#include <tunables/global>")
    assert f"profile {config['slug']} flags=" in profile
    assert profile.count("{") == profile.count("}")
    assert "/data/** rw" in profile


def test_repository_file_names_the_store_entry() -> None:
    repository = load_yaml(ROOT / "repository.yaml")
    assert repository["name"] == "Vertical Farm add-ons"
    assert repository["url"].startswith("https://")
    assert repository["maintainer"]


@pytest.mark.parametrize(
    ("path", "size"),
    [
        (ADDON / "icon.png", (128, 128)),
        (ADDON / "logo.png", (250, 100)),
        (BRAND / "icon.png", (256, 256)),
        (BRAND / "icon@2x.png", (512, 512)),
        (BRAND / "logo.png", (256, 256)),
        (BRAND / "logo@2x.png", (512, 512)),
    ],
)
def test_images_are_transparent_pngs(path: Path, size: tuple[int, int]) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == size
        assert image.mode == "RGBA"
        alpha = image.getchannel("A")
        # Transparent corners, drawn artwork in between.
        assert alpha.getpixel((0, 0)) == 0
        low, high = alpha.getextrema()
        assert (low, high) == (0, 255)
