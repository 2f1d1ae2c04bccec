"""Bad input in every flow and action: NaN and infinity, names, booleans; rounded answers.

Each refusal is translated and changes nothing: no entry or subentry is
created or changed, no record is journalled.
"""

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import Context, HomeAssistant, SupportsResponse
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, llm
from homeassistant.setup import async_setup_component
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.llm import API_ID, async_setup_llm
from custom_components.vertical_farm.services import ACTIONS

from .conftest import PLANT_ID, POT_ID, RACK_DATA, RACK_ID, TANK_ID

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
WATER = {"hemisphere": "north", "tap_ec": 0.35, "tap_ph": 7.2, "alkalinity": 90}
# What a form or a caller may send for a number that is none: NaN, infinity,
# and a yes or no (True would otherwise be taken for 1).
NOT_NUMBERS = [
    float("nan"),
    float("inf"),
    float("-inf"),
    "nan",
    "inf",
    "-Infinity",
    True,
    False,
]
LONG_NAME = "x" * 101
# Names that show as nothing: zero-width and other format characters, alone or
# with spaces.
INVISIBLE_NAMES = ["\u200b", "\u200c\u200d", " \u2060 \ufeff ", "\u00ad"]
# Text-direction overrides, embeddings and isolates: they can show a name
# reversed ("\u202e" makes "Rack owt" read "Rack two") or disguise it.
DIRECTION_NAMES = [
    "Rack\u202eowt",
    "\u202aRack\u202c",
    "\u202bRack\u202c",
    "Rack \u202dtwo",
    "\u2066Rack\u2069",
    "\u2067Rack\u2069",
    "\u2068Rack\u2069",
]
# Joiners inside a name are part of it: a farmer emoji, a Persian word.
JOINED_NAMES = [
    "\U0001f468\u200d\U0001f33e Joe",
    "\u0645\u06cc\u200c\u0631\u0648\u062f",
]
RESPONDS = {name: supports for name, _, _, supports in ACTIONS}


def _device(hass: HomeAssistant, subject_id: str) -> str:
    (device,) = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, subject_id)})
    return device.id


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
    for value in NOT_NUMBERS:
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
    for value in NOT_NUMBERS:
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
    for value in NOT_NUMBERS:
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
        *((name, "name_invalid") for name in INVISIBLE_NAMES),
        *((name, "text_direction_characters") for name in DIRECTION_NAMES),
    ],
)
async def test_subentry_names(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, name: str, error: str
) -> None:
    """Names are trimmed; control characters and more than 100 characters refused.

    So is a name that shows as nothing, and one with text-direction characters.
    """
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


@pytest.mark.parametrize("name", JOINED_NAMES)
async def test_names_keep_joiners_and_lose_edge_zero_widths(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, name: str
) -> None:
    """Joiners inside a name stay; zero-width characters around it go."""
    result = await _subentry_form(hass, loaded_farm, "rack")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": f"\u200b {name}\ufeff\u2060"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["name"] == name
    assert result["title"] == name


@pytest.mark.parametrize(
    ("cultivar", "error"),
    [
        ("Geno\x1bvese", "text_control_characters"),
        ("Geno\u202evese", "text_direction_characters"),
        (LONG_NAME, "text_too_long"),
    ],
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
        ("Cel\u202elar", "text_direction_characters"),
        (LONG_NAME, "text_too_long"),
        (" \n ", "name_invalid"),
        ("\u200b", "name_invalid"),
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


SPECIES = ("add_species", {"name": "Shiso", "based_on": "basil"})
FERTILIZER = ("add_fertilizer", {"name": "Brew", "kind": "base", "ec_per_ml": 0.2})
NOT_BOOLEAN = ("false", "true", 1, 0.0, "on")


@pytest.mark.parametrize(
    ("step", "base", "field", "values", "error"),
    [
        *(
            (*SPECIES, field, NOT_NUMBERS, "number_invalid")
            for field in ("base_temp_c", "ec_min", "ec_max", "ph_min", "ph_max")
        ),
        (
            "add_fertilizer",
            {"name": "Brew", "kind": "base"},
            "ec_per_ml",
            NOT_NUMBERS,
            "number_invalid",
        ),
        *(
            (*FERTILIZER, field, NOT_NUMBERS, "number_invalid")
            for field in ("mixing_priority", "max_ml_per_l")
        ),
        (*SPECIES, "perennial", NOT_BOOLEAN, "boolean_required"),
        (*FERTILIZER, "tank_safe", NOT_BOOLEAN, "boolean_required"),
    ],
)
async def test_options_refuse_what_a_field_cannot_take(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    *,
    step: str,
    base: dict[str, Any],
    field: str,
    values: tuple[Any, ...],
    error: str,
) -> None:
    """Own species and fertilizers: numbers are finite, a switch is on or off.

    NaN and infinity are refused; so is "false" for a switch, which Home
    Assistant's boolean selector would make True. The options stay.
    """
    before = dict(loaded_farm.options)
    result = await _options_form(hass, loaded_farm, step)
    for value in values:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**base, field: value}
        )
        assert _flow_errors(result, EN["options"]) == {field: error}
    assert dict(loaded_farm.options) == before


@pytest.mark.parametrize(
    ("step", "base", "field"),
    [(*SPECIES, "perennial"), (*FERTILIZER, "tank_safe")],
)
async def test_options_switch_left_off_stays_off(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    step: str,
    base: dict[str, Any],
    field: str,
) -> None:
    """A switch answered False is stored False."""
    result = await _options_form(hass, loaded_farm, step)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, field: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the farm reloads with its new options
    (added,) = [
        entry
        for kind in ("species", "fertilizers")
        for entry in loaded_farm.options.get(kind, {}).values()
    ]
    assert added[field] is False


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Shi\nso", "text_control_characters"),
        ("Shi\u2066so\u2069", "text_direction_characters"),
        (LONG_NAME, "text_too_long"),
        ("  ", "name_invalid"),
        ("\u200b\ufeff", "name_invalid"),
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


# --- Actions ---------------------------------------------------------------------


async def _refused(
    hass: HomeAssistant, entry: MockConfigEntry, action: str, data: dict[str, Any]
) -> ServiceValidationError:
    """Call; expect a translated refusal whose placeholders are all given."""
    journal = list(entry.runtime_data.store.journal)
    subentries = dict(entry.subentries)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            action,
            data,
            blocking=True,
            return_response=RESPONDS[action] is not SupportsResponse.NONE,
        )
    err = caught.value
    assert err.translation_domain == DOMAIN
    template = EN["exceptions"][err.translation_key]["message"]
    wanted = set(re.findall(r"{(\w+)}", template))
    assert wanted <= set(err.translation_placeholders or {}), template
    assert str(err) != err.translation_key
    assert entry.runtime_data.store.journal == journal
    assert dict(entry.subentries) == subentries
    return err


# (action, the rest of a good call, the field given NaN or infinity); "$x" is
# the device id of the fixture's x.
NUMBER_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("log_watering", {"plants": ["$plant"]}, "volume_l"),
    ("log_feeding", {"tank": "$tank", "kind": "top_up"}, "volume_l"),
    ("log_feeding", {"tank": "$tank", "kind": "top_up"}, "ec"),
    ("log_feeding", {"tank": "$tank", "kind": "top_up"}, "ph"),
    (
        "apply_treatment",
        {"plants": ["$pot"], "product": "Soap"},
        "safety_interval_days",
    ),
    ("record_harvest", {"plant": "$pot"}, "weight_g"),
    ("record_harvest", {"plant": "$pot"}, "count"),
    ("mix_nutrients", {"tank": "$tank"}, "target_ec"),
    ("mix_nutrients", {"tank": "$tank", "target_ec": 1.6}, "volume_l"),
    ("mix_nutrients", {"tank": "$tank", "target_ec": 1.6}, "base_ec"),
    ("add_plants", {"species": "basil"}, "quantity"),
    ("add_plants", {"species": "basil", "quantity": 1, "rack": "$rack"}, "shelf"),
]


def _with_devices(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, Any]:
    devices = {
        "$plant": _device(hass, PLANT_ID),
        "$pot": _device(hass, POT_ID),
        "$rack": _device(hass, RACK_ID),
        "$tank": _device(hass, TANK_ID),
    }

    def swap(value: Any) -> Any:
        if isinstance(value, list):
            return [swap(item) for item in value]
        return devices.get(value, value) if isinstance(value, str) else value

    return {key: swap(value) for key, value in data.items()}


@pytest.mark.parametrize(("action", "base", "field"), NUMBER_FIELDS)
async def test_action_numbers_must_be_finite(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    action: str,
    base: dict[str, Any],
    field: str,
) -> None:
    """Every number of every action refuses NaN and infinity, naming the field."""
    data = _with_devices(hass, base)
    for value in NOT_NUMBERS:
        err = await _refused(hass, loaded_farm, action, {**data, field: value})
        assert err.translation_key == "number_invalid", value
        assert (err.translation_placeholders or {})["field"] == field


@pytest.mark.parametrize(
    "fertilizers",
    [
        [{"fertilizer": "calmag", "ml_per_l": float("nan")}],
        [{"name": "Brew", "ec_per_ml": "inf", "ml_per_l": 1}],
        [{"name": "Brew", "ec_per_ml": 0.2, "ml_per_l": "-inf"}],
        [{"name": "Brew", "ec_per_ml": 0.2, "mixing_priority": float("nan")}],
    ],
)
async def test_mix_items_must_be_finite(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, fertilizers: list[Any]
) -> None:
    """The numbers inside the products to mix are held to the same rule."""
    err = await _refused(
        hass,
        loaded_farm,
        "mix_nutrients",
        {"tank": _device(hass, TANK_ID), "target_ec": 1.6, "fertilizers": fertilizers},
    )
    assert err.translation_key == "number_invalid"


async def test_feeding_doses_must_be_finite(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The ml of each product in a feeding refuse NaN and infinity."""
    for value in NOT_NUMBERS:
        err = await _refused(
            hass,
            loaded_farm,
            "log_feeding",
            {
                "tank": _device(hass, TANK_ID),
                "kind": "top_up",
                "fertilizers": {"calmag": value},
            },
        )
        assert err.translation_key == "number_invalid"


async def test_action_whole_numbers(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Half a tray is refused with a translated error."""
    err = await _refused(
        hass, loaded_farm, "add_plants", {"species": "basil", "quantity": 2.5}
    )
    assert err.translation_key == "whole_number_required"
    assert err.translation_placeholders == {"field": "quantity", "value": "2.5"}


@pytest.mark.parametrize("value", ["yes", "true", "false", "on", 1, 0, 1.0, "", None])
async def test_action_booleans_are_real_booleans(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, value: Any
) -> None:
    """`force` and `final` take true or false, not words or numbers."""
    err = await _refused(
        hass,
        loaded_farm,
        "set_phase",
        {"plant": _device(hass, PLANT_ID), "phase": "vegetative", "force": value},
    )
    assert err.translation_key == "boolean_invalid"
    assert (err.translation_placeholders or {})["field"] == "force"
    err = await _refused(
        hass,
        loaded_farm,
        "record_harvest",
        {"plant": _device(hass, POT_ID), "final": value},
    )
    assert err.translation_key == "boolean_invalid"
    assert (err.translation_placeholders or {})["field"] == "final"


async def test_action_booleans_accept_true_and_false(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Real booleans still work."""
    response = await hass.services.async_call(
        DOMAIN,
        "set_phase",
        {"plant": _device(hass, PLANT_ID), "phase": "vegetative", "force": False},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["to_phase"] == "vegetative"
    await hass.services.async_call(
        DOMAIN,
        "record_harvest",
        {"plant": _device(hass, POT_ID), "weight_g": 20, "final": True},
        blocking=True,
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", "text_empty"),
        ("Soap\nwater", "text_control_characters"),
        ("Soap\x07", "text_control_characters"),
        (LONG_NAME, "text_too_long"),
        *((text, "text_empty") for text in INVISIBLE_NAMES),
        *((text, "text_direction_characters") for text in DIRECTION_NAMES),
    ],
)
async def test_action_text(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, text: str, error: str
) -> None:
    """Free text in actions: trimmed, not empty, no control characters, 100 at most.

    Text that shows as nothing is empty; text-direction characters are refused.
    """
    pot = _device(hass, POT_ID)
    for action, data, field in (
        (
            "apply_treatment",
            {"plants": [pot], "product": text, "safety_interval_days": 1},
            "product",
        ),
        (
            "apply_treatment",
            {"plants": [pot], "product": "Soap", "active_ingredient": text},
            "active_ingredient",
        ),
        ("add_plants", {"species": "basil", "quantity": 1, "name": text}, "name"),
        ("add_plants", {"species": text, "quantity": 1}, "species"),
        (
            "mix_nutrients",
            {
                "tank": _device(hass, TANK_ID),
                "fertilizers": [{"name": text, "ec_per_ml": 0.1}],
            },
            "name",
        ),
    ):
        err = await _refused(hass, loaded_farm, action, data)
        assert err.translation_key == error, (action, field)
        assert (err.translation_placeholders or {})["field"] == field


async def test_action_names_are_trimmed(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A plant added by an action gets its name without surrounding spaces."""
    response = await hass.services.async_call(
        DOMAIN,
        "add_plants",
        {"species": "basil", "quantity": 1, "name": "  Window basil  "},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["name"] == "Window basil"


@pytest.mark.parametrize("name", JOINED_NAMES)
async def test_action_names_keep_joiners_and_lose_edge_zero_widths(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, name: str
) -> None:
    """An action keeps the joiners inside a name and trims zero-width edges."""
    response = await hass.services.async_call(
        DOMAIN,
        "add_plants",
        {"species": "basil", "quantity": 1, "name": f"\ufeff{name} \u200b"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["name"] == name


# --- Figures in answers ----------------------------------------------------------


def _decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


async def test_overview_figures_are_rounded(
    hass: HomeAssistant, farm_entry: MockConfigEntry
) -> None:
    """Readings and figures worked out from them come rounded to what they mean."""
    hass.states.async_set("sensor.tank_a_ec", "1.2345678")
    hass.states.async_set("sensor.tank_a_ph", "5.87654321")
    hass.states.async_set("sensor.tank_a_water_temperature", "21.37")
    hass.states.async_set(
        "sensor.tank_a_level", "33.3333", {"unit_of_measurement": "L"}
    )
    rack = farm_entry.subentries[RACK_ID]
    hass.config_entries.async_update_subentry(
        farm_entry, rack, data={**rack.data, "photoperiod_h": 13.333333333}
    )
    tank = farm_entry.subentries[TANK_ID]
    hass.config_entries.async_update_subentry(
        farm_entry, tank, data={**tank.data, "volume_l": 0.1 + 0.2}
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    response = await hass.services.async_call(
        DOMAIN, "get_overview", {}, blocking=True, return_response=True
    )
    assert response is not None
    (overview,) = response["farms"]
    (tank_overview,) = overview["tanks"]
    assert tank_overview["volume_l"] == 0.3
    for key, digits in (
        ("ec", 2),
        ("target_ec", 2),
        ("ph", 2),
        ("target_ph", 2),
        ("ph_deviation", 2),
        ("ec_deviation_percent", 1),
    ):
        value = tank_overview[key]
        assert value is not None, key
        assert _decimals(value) <= digits, (key, value)
    (rack_overview,) = overview["racks"]
    assert _decimals(rack_overview["photoperiod_h"]) <= 2


async def test_mix_figures_are_rounded(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A mix planned from the tank's own target answers rounded figures."""
    response = await hass.services.async_call(
        DOMAIN,
        "mix_nutrients",
        {
            "tank": _device(hass, TANK_ID),
            "volume_l": 33.333333,
            "base_ec": 0.1 + 0.2,
            "fertilizers": [{"fertilizer": "hydro_grow_a", "ml_per_l": 2}],
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["base_ec"] == 0.3
    assert response["volume_l"] == 33.3
    assert _decimals(response["target_ec"]) <= 2
    assert _decimals(response["expected_ec"]) <= 2
    for step in response["steps"]:
        assert _decimals(step["ml_per_l"]) <= 2
        assert _decimals(step["ml_total"]) <= 1


async def test_assistant_figures_are_rounded_and_numbers_finite(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The assistant tools answer rounded figures and refuse infinite volumes."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "llm", {})
    async_setup_llm(hass)
    api = await llm.async_get_api(
        hass,
        API_ID,
        llm.LLMContext(
            platform="test",
            context=Context(),
            language="en",
            assistant="conversation",
            device_id=None,
        ),
    )
    hass.states.async_set("sensor.tank_a_ec", "1.2345678")
    hass.states.async_set("sensor.tank_a_ph", "5.87654321")
    hass.states.async_set("sensor.tank_a_water_temperature", "21.3777")
    await hass.async_block_till_done()
    for tool in ("get_tank_status", "get_overview"):
        result = await api.async_call_tool(
            llm.ToolInput(
                tool_name=f"vertical_farm__{tool}",
                tool_args={"name": "Tank A"} if tool == "get_tank_status" else {},
            )
        )
        assert not result.error
        tanks = (
            result.data["tanks"]
            if tool == "get_tank_status"
            else result.data["farms"][0]["tanks"]
        )
        (tank,) = tanks
        for key in ("ec", "target_ec", "ph", "target_ph"):
            assert tank[key] is not None, key
            assert _decimals(tank[key]) <= 2, (tool, key, tank[key])
        if tool == "get_tank_status":
            assert _decimals(tank["water_temperature_c"]) <= 1
    for volume in (float("inf"), "nan"):
        with pytest.raises(probatio.Invalid):
            await api.async_call_tool(
                llm.ToolInput(
                    tool_name="vertical_farm__log_watering",
                    tool_args={"names": ["Monstera"], "volume_l": volume},
                )
            )
    assert loaded_farm.runtime_data.store.journal == []
