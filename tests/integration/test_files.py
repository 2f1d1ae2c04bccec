"""Packaging files follow Home Assistant's and HACS's rules; translations cover every form."""

import ast
import json
from pathlib import Path
import re
import struct
from typing import Any, Final

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.vertical_farm.const import DOMAIN

from .conftest import PLANT_ID, RACK_ID, TANK_ID

ROOT = Path(__file__).parents[2]
INTEGRATION = ROOT / "custom_components" / DOMAIN
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))


def test_manifest() -> None:
    """Every key hassfest and HACS need for a custom integration, in hassfest's order."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    for key in (
        "domain",
        "name",
        "version",
        "documentation",
        "issue_tracker",
        "codeowners",
        "config_flow",
        "integration_type",
        "iot_class",
        "requirements",
        "dependencies",
    ):
        assert key in manifest, key
    assert manifest["domain"] == DOMAIN
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "hub"
    assert manifest["iot_class"] == "local_push"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:]), "hassfest wants the rest sorted"
    assert all(owner.startswith("@") for owner in manifest["codeowners"])


def test_hacs_json() -> None:
    """HACS needs a name and the minimum Home Assistant version."""
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert hacs["name"] == "Vertical Farm"
    assert hacs["homeassistant"] == "2026.8.0"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_brand_images() -> None:
    """Icon and logo are there, square PNGs, @2x twice the size."""
    brand = INTEGRATION / "brand"
    for name in ("icon", "logo"):
        width, height = _png_size(brand / f"{name}.png")
        assert width == height, f"{name}.png is square"
        assert width >= 256
        if (brand / f"{name}@2x.png").exists():
            assert _png_size(brand / f"{name}@2x.png") == (width * 2, height * 2)


def test_icons_json_covers_translated_entities() -> None:
    """Every entity that has a translated name has an icon, and the reverse."""
    icons = json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))
    named = {
        (platform, key)
        for platform, entities in EN.get("entity", {}).items()
        for key in entities
    }
    with_icon = {
        (platform, key)
        for platform, entities in icons["entity"].items()
        for key, icon in entities.items()
        if icon["default"].startswith("mdi:")
    }
    assert named <= with_icon


def test_quality_scale_marks_every_rule() -> None:
    """Each rule is done, todo or exempt; todo and exempt say why."""
    scale = yaml.safe_load(
        (INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8")
    )
    rules = scale["rules"]
    assert len(rules) >= 50
    for rule, status in rules.items():
        if isinstance(status, str):
            assert status == "done", rule
        else:
            assert status["status"] in ("todo", "exempt"), rule
            assert status["comment"].strip(), rule


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def _error_keys(source: str) -> set[str]:
    return set(re.findall(r'errors\[[A-Z_]+\] = "(\w+)"', source)) | set(
        re.findall(r'\{CONF_\w+: "(\w+)"\}', source)
    )


def test_every_error_key_is_translated() -> None:
    """Error keys written in the code exist in every form section that can show them."""
    validation = (INTEGRATION / "validation.py").read_text(encoding="utf-8")
    flows = (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
    options = (INTEGRATION / "options_flow.py").read_text(encoding="utf-8")
    used = _error_keys(validation) | _error_keys(flows)
    known = set(EN["config"]["error"])
    for section in EN["config_subentries"].values():
        known |= set(section["error"])
    assert used <= known, used - known
    assert _error_keys(options) <= set(EN["options"]["error"])
    farm_errors = _error_keys(
        validation[
            validation.index("def normalize_farm") : validation.index("def _siblings")
        ]
    )
    assert farm_errors <= set(EN["config"]["error"])


def _fields(result: dict[str, Any]) -> set[str]:
    return {str(marker) for marker in result["data_schema"].schema}


def _assert_step_translated(
    section: dict[str, Any], step: str, fields: set[str]
) -> None:
    strings = section["step"][step]
    assert strings.get("title"), step
    assert fields <= set(strings["data"]), (step, fields - set(strings["data"]))
    assert fields <= set(strings["data_description"]), step


async def test_every_form_field_is_translated(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Open every form of every flow and check its fields have names and descriptions."""
    flow = hass.config_entries.flow
    for step in ("farm", "kit"):
        result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        assert set(result["menu_options"]) <= set(
            EN["config"]["step"]["user"]["menu_options"]
        )
        result = await flow.async_configure(result["flow_id"], {"next_step_id": step})
        _assert_step_translated(EN["config"], step, _fields(result))
        flow.async_abort(result["flow_id"])
    result = await loaded_farm.start_reconfigure_flow(hass)
    _assert_step_translated(EN["config"], "reconfigure", _fields(result))

    options = hass.config_entries.options
    result = await options.async_init(loaded_farm.entry_id)
    for step in result["menu_options"]:
        assert step in EN["options"]["step"]["init"]["menu_options"]
        menu = await options.async_init(loaded_farm.entry_id)
        form = await options.async_configure(menu["flow_id"], {"next_step_id": step})
        _assert_step_translated(EN["options"], step, _fields(form))
        options.async_abort(form["flow_id"])
    options.async_abort(result["flow_id"])

    subentries = hass.config_entries.subentries
    for subentry_type, subentry_id in (
        ("rack", RACK_ID),
        ("tank", TANK_ID),
        ("plant", PLANT_ID),
    ):
        section = EN["config_subentries"][subentry_type]
        assert section["entry_type"]
        assert set(section["initiate_flow"]) == {"user", "reconfigure"}
        result = await subentries.async_init(
            (loaded_farm.entry_id, subentry_type), context={"source": SOURCE_USER}
        )
        _assert_step_translated(section, "user", _fields(result))
        subentries.async_abort(result["flow_id"])
        result = await subentries.async_init(
            (loaded_farm.entry_id, subentry_type),
            context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
        )
        _assert_step_translated(section, "reconfigure", _fields(result))
        subentries.async_abort(result["flow_id"])


def test_selector_translations_cover_choices() -> None:
    """Every fixed choice offered in a form has a translated label."""
    library_dir = INTEGRATION / "library"
    kits = yaml.safe_load((library_dir / "kits.yaml").read_text(encoding="utf-8"))
    presets = yaml.safe_load(
        (library_dir / "care_presets.yaml").read_text(encoding="utf-8")
    )
    selectors = EN["selector"]
    assert set(_keys(kits)) <= set(selectors["kit"]["options"])
    assert set(_keys(presets)) <= set(selectors["care_preset"]["options"])
    assert set(selectors["phase"]["options"]) == {
        "germination",
        "seedling",
        "vegetative",
        "flowering",
        "fruiting",
        "ripening",
        "harvest",
        "dormancy",
    }


def _keys(document: Any) -> list[str]:
    """Top-level keys of a library file (a mapping, or a mapping under one root key)."""
    if isinstance(document, dict) and len(document) == 1:
        (only,) = document.values()
        if isinstance(only, dict):
            return list(only)
    return list(document)


def test_repair_texts_use_their_placeholders() -> None:
    """Repair notices only use placeholders the code fills in."""
    filled = {
        "rack_removed": {"farm", "name", "children"},
        "tank_removed": {"farm", "name", "children"},
        "tank_conflict": {"farm", "name", "plants"},
        "light_conflict": {"farm", "name", "plants"},
        "missing_entity": {"farm", "name", "entity"},
        "unit": {"farm", "name", "entity", "unit", "quantity"},
        "pump_stuck": {"pump", "rack"},
        "pump_left_on": {"farm", "pump", "rack"},
        "planner_unreachable": {"farm", "url"},
        "planner_auth_failed": {"farm", "url"},
        "planner_records_refused": {"farm", "url", "count"},
        "planner_server_error": {"farm", "url", "status", "error"},
        "antagonists": {"farm", "rack", "pairs"},
        "level_mismatch": {"farm", "name", "level", "volume", "tolerance", "unit"},
    }
    assert set(EN["issues"]) == set(filled)
    for key, issue in EN["issues"].items():
        texts = [issue["title"]]
        if "fix_flow" in issue:
            texts += [
                step["description"] for step in issue["fix_flow"]["step"].values()
            ]
        else:
            texts.append(issue["description"])
        for text in texts:
            assert _placeholders(text) <= filled[key], key


_RAISED: Final = ("FarmError", "ServiceValidationError", "HomeAssistantError")


def _raised_codes() -> dict[str, list[str]]:
    """Each code the integration raises by name, with where it is raised."""
    found: dict[str, list[str]] = {}
    for path in sorted(INTEGRATION.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in _RAISED:
                continue
            code = (
                node.args[0]
                if name == "FarmError" and node.args
                else next(
                    (kw.value for kw in node.keywords if kw.arg == "translation_key"),
                    None,
                )
            )
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(code.value, []).append(where)
    return found


def test_every_raised_code_is_translated() -> None:
    """Every refusal the source raises by name (engines included) has a message."""
    raised = _raised_codes()
    assert len(raised) > 60, "the scan finds the integration's refusals"
    missing = {
        code: where for code, where in raised.items() if code not in EN["exceptions"]
    }
    assert not missing, missing
