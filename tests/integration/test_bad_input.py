"""Bad input in every flow and action: NaN and infinity, names, booleans; rounded answers.

Each refusal is translated and changes nothing: no entry or subentry is
created or changed, no record is journalled.
"""

import json
from pathlib import Path
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN

from .conftest import RACK_DATA, RACK_ID

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
WATER = {"hemisphere": "north", "tap_ec": 0.35, "tap_ph": 7.2, "alkalinity": 90}
# What a form or a caller may send for a number that is none.
NOT_FINITE = [float("nan"), float("inf"), float("-inf"), "nan", "inf", "-Infinity"]
LONG_NAME = "x" * 101


# --- Flows ---------------------------------------------------------------------


async def _farm_step(hass: HomeAssistant, step: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def _subentry_form(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    subentry_type: str,
    subentry_id: str | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"source": SOURCE_USER}
    if subentry_id is not None:
        context = {"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id}
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, subentry_type), context=context
    )
    assert result["type"] is FlowResultType.FORM
    return result


def _flow_errors(result: dict[str, Any], section: dict[str, Any]) -> dict[str, str]:
    """The form's errors, each of which has a translation in `section`."""
    assert result["type"] is FlowResultType.FORM, result
    errors: dict[str, str] = result["errors"]
    for key in errors.values():
        assert key in section["error"], key
    return errors


async def test_rack_with_nan_photoperiod_is_refused(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The defect: a NaN photoperiod used to be stored and broke the rack."""
    before = dict(loaded_farm.subentries)
    flows = hass.config_entries.subentries
    result = await _subentry_form(hass, loaded_farm, "rack")
    for value in NOT_FINITE:
        result = await flows.async_configure(
            result["flow_id"],
            {"name": "Rack two", "light_mode": "fixed", "photoperiod_h": value},
        )
        errors = _flow_errors(result, EN["config_subentries"]["rack"])
        assert errors == {"photoperiod_h": "number_invalid"}, value
    assert dict(loaded_farm.subentries) == before
    # The same form then takes a real number.
    result = await flows.async_configure(
        result["flow_id"],
        {"name": "Rack two", "light_mode": "fixed", "photoperiod_h": 12},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["photoperiod_h"] == 12.0


@pytest.mark.parametrize(
    ("subentry_type", "base", "field"),
    [
        ("rack", {"name": "Rack two"}, "shelves"),
        ("rack", {"name": "Rack two"}, "pump_on_min"),
        ("rack", {"name": "Rack two"}, "pump_off_min"),
        ("tank", {"name": "Tank B", "volume_l": 20}, "volume_l"),
        ("plant", {"name": "Pot", "species": "basil"}, "quantity"),
        ("plant", {"name": "Pot", "species": "basil", "rack": RACK_ID}, "shelf"),
        ("plant", {"name": "Pot", "species": "basil"}, "container_l"),
    ],
)
async def test_subentry_numbers_must_be_finite(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    subentry_type: str,
    base: dict[str, Any],
    field: str,
) -> None:
    """Every number of a rack, tank or plant form refuses NaN and infinity."""
    before = dict(loaded_farm.subentries)
    result = await _subentry_form(hass, loaded_farm, subentry_type)
    for value in NOT_FINITE:
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**base, field: value}
        )
        errors = _flow_errors(result, EN["config_subentries"][subentry_type])
        assert errors == {field: "number_invalid"}, value
    assert dict(loaded_farm.subentries) == before


async def test_tank_dose_must_be_finite(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A fertilizer dose of NaN or infinity is refused like any dose out of range."""
    before = dict(loaded_farm.subentries)
    result = await _subentry_form(hass, loaded_farm, "tank")
    for value in ["nan", "inf", float("nan")]:
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {
                "name": "Tank B",
                "volume_l": 20,
                "fertilizers": [{"fertilizer": "calmag", "ml_per_l": value}],
            },
        )
        errors = _flow_errors(result, EN["config_subentries"]["tank"])
        assert errors == {"fertilizers": "number_invalid"}, value
    assert dict(loaded_farm.subentries) == before


async def test_whole_numbers_in_forms(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Half a shelf or half a tray is a slip, not a number to cut down."""
    result = await _subentry_form(hass, loaded_farm, "plant")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Pot", "species": "basil", "quantity": 2.5}
    )
    assert _flow_errors(result, EN["config_subentries"]["plant"]) == {
        "quantity": "whole_number_required"
    }


async def test_rack_reconfigure_with_nan_changes_nothing(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Reconfiguring a rack with a NaN photoperiod keeps the rack as it was."""
    result = await _subentry_form(hass, loaded_farm, "rack", RACK_ID)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            **{key: value for key, value in RACK_DATA.items() if key != "tank"},
            "photoperiod_h": float("nan"),
        },
    )
    assert _flow_errors(result, EN["config_subentries"]["rack"]) == {
        "photoperiod_h": "number_invalid"
    }
    assert loaded_farm.subentries[RACK_ID].data["photoperiod_h"] == 16.0


@pytest.mark.parametrize("field", ["tap_ec", "tap_ph", "alkalinity", "ro_ec"])
@pytest.mark.parametrize("step", ["farm", "kit"])
async def test_farm_numbers_must_be_finite(
    hass: HomeAssistant, step: str, field: str
) -> None:
    """The farm's water figures refuse NaN and infinity, by hand and from a kit."""
    result = await _farm_step(hass, step)
    base = {"name": "Cellar", **WATER}
    if step == "kit":
        base["kit"] = "windowsill_herbs"
    for value in NOT_FINITE:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**base, field: value}
        )
        errors = _flow_errors(result, EN["config"])
        assert errors == {field: "number_invalid"}, value
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_farm_reconfigure_numbers_must_be_finite(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Reconfigure refuses a NaN tap EC and keeps the farm's water."""
    result = await loaded_farm.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Basement", **WATER, "tap_ec": float("nan")}
    )
    assert _flow_errors(result, EN["config"]) == {"tap_ec": "number_invalid"}
    assert loaded_farm.data["tap_ec"] == 0.4


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "name_invalid"),
        ("   ", "name_invalid"),
        ("Rack\ntwo", "text_control_characters"),
        ("Rack\x00two", "text_control_characters"),
        ("Rack\u2028two", "text_control_characters"),
        (LONG_NAME, "text_too_long"),
        (f"  {LONG_NAME}  ", "text_too_long"),
    ],
)
async def test_subentry_names(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, name: str, error: str
) -> None:
    """Names are trimmed; control characters and more than 100 characters refused."""
    before = dict(loaded_farm.subentries)
    for subentry_type, base in (
        ("rack", {}),
        ("tank", {"volume_l": 20}),
        ("plant", {"species": "basil"}),
    ):
        result = await _subentry_form(hass, loaded_farm, subentry_type)
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**base, "name": name}
        )
        errors = _flow_errors(result, EN["config_subentries"][subentry_type])
        assert errors == {"name": error}, subentry_type
    assert dict(loaded_farm.subentries) == before


async def test_names_are_trimmed_and_may_be_100_long(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Surrounding spaces go; exactly 100 characters is allowed; so is a cultivar."""
    name = "y" * 100
    result = await _subentry_form(hass, loaded_farm, "plant")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": f"  {name}\t", "species": "basil", "cultivar": "  Genovese "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["name"] == name
    assert result["data"]["cultivar"] == "Genovese"
    assert result["title"] == name


@pytest.mark.parametrize(
    ("cultivar", "error"),
    [("Geno\x1bvese", "text_control_characters"), (LONG_NAME, "text_too_long")],
)
async def test_cultivar_text(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, cultivar: str, error: str
) -> None:
    """A cultivar is free text with the rules of a name."""
    result = await _subentry_form(hass, loaded_farm, "plant")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Pot", "species": "basil", "cultivar": cultivar}
    )
    assert _flow_errors(result, EN["config_subentries"]["plant"]) == {"cultivar": error}


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Cel\tlar", "text_control_characters"),
        (LONG_NAME, "text_too_long"),
        (" \n ", "name_invalid"),
    ],
)
async def test_farm_names(hass: HomeAssistant, name: str, error: str) -> None:
    """The farm's name follows the same rules, by hand and from a kit."""
    for step, extra in (("farm", {}), ("kit", {"kit": "windowsill_herbs"})):
        result = await _farm_step(hass, step)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"name": name, **WATER, **extra}
        )
        assert _flow_errors(result, EN["config"]) == {"name": error}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def _options_form(
    hass: HomeAssistant, entry: MockConfigEntry, step: str
) -> dict[str, Any]:
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": step}
    )


@pytest.mark.parametrize(
    ("step", "base", "field"),
    [
        ("add_species", {"name": "Shiso", "based_on": "basil"}, "base_temp_c"),
        ("add_species", {"name": "Shiso", "based_on": "basil"}, "ec_min"),
        ("add_species", {"name": "Shiso", "based_on": "basil"}, "ec_max"),
        ("add_species", {"name": "Shiso", "based_on": "basil"}, "ph_min"),
        ("add_species", {"name": "Shiso", "based_on": "basil"}, "ph_max"),
        ("add_fertilizer", {"name": "Brew", "kind": "base"}, "ec_per_ml"),
        (
            "add_fertilizer",
            {"name": "Brew", "kind": "base", "ec_per_ml": 0.2},
            "mixing_priority",
        ),
        (
            "add_fertilizer",
            {"name": "Brew", "kind": "base", "ec_per_ml": 0.2},
            "max_ml_per_l",
        ),
    ],
)
async def test_options_numbers_must_be_finite(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    step: str,
    base: dict[str, Any],
    field: str,
) -> None:
    """Own species and fertilizers refuse NaN and infinity; the options stay."""
    before = dict(loaded_farm.options)
    result = await _options_form(hass, loaded_farm, step)
    for value in NOT_FINITE:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**base, field: value}
        )
        assert _flow_errors(result, EN["options"]) == {field: "number_invalid"}
    assert dict(loaded_farm.options) == before


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Shi\nso", "text_control_characters"),
        (LONG_NAME, "text_too_long"),
        ("  ", "name_invalid"),
    ],
)
async def test_options_names(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, name: str, error: str
) -> None:
    """Own species and fertilizers are named like everything else."""
    for step, base in (
        ("add_species", {"based_on": "basil"}),
        ("add_fertilizer", {"kind": "base", "ec_per_ml": 0.2}),
    ):
        result = await _options_form(hass, loaded_farm, step)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**base, "name": name}
        )
        assert _flow_errors(result, EN["options"]) == {"name": error}, step
    assert "species" not in loaded_farm.options
    assert "fertilizers" not in loaded_farm.options


async def test_options_names_are_trimmed(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An own species' name is stored without surrounding spaces."""
    result = await _options_form(hass, loaded_farm, "add_species")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "  Shiso ", "based_on": "basil"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_farm.options["species"]["shiso"]["name"] == "Shiso"
