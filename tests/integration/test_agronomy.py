"""Agronomy through real Home Assistant: watering plans, shelves, seasons, pests.

The farm here grows in soil: a warm rack (no tank) with tomatoes and kale side
by side on shelf 1, and a cold rack with mint. The racks' closed days are
seeded as a farm that has run since mid October would have kept them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN, STORAGE_KEY
from custom_components.vertical_farm.engine.care import CareKind
from custom_components.vertical_farm.engine.profiles import Hemisphere, Phase
from custom_components.vertical_farm.library import load_library
from custom_components.vertical_farm.models import PlantConfig
from custom_components.vertical_farm.validation import normalize_watering_plan
from custom_components.vertical_farm.watering_plans import (
    planned_watering,
    plant_schedule,
)

from .conftest import (
    PLANT_ID,
    TODAY,
    async_start_again_after_a_crash,
    call_action,
    device_of,
    disk_now,
    farm_of,
    farm_with,
    set_up,
    subentry,
)

WARM_RACK = "01RACKWARM0000000000000000"
COLD_RACK = "01RACKCOLD0000000000000000"
TOMATO = "01PLANTTOMATO0000000000000"
KALE = "01PLANTKALE000000000000000"
MINT = "01PLANTMINT000000000000000"
DAY = datetime.fromisoformat(TODAY).date()  # Tuesday 3 November 2026

RACK = {
    "shelves": 3,
    "tank": None,
    "light_mode": "auto",
    "lights_on": "06:00:00",
    "photoperiod_h": 16.0,
    "pump_on_min": 15,
    "pump_off_min": 45,
}
TOMATO_DATA = {
    "name": "Tomato row",
    "species": "tomato",
    "quantity": 2,
    "rack": WARM_RACK,
    "shelf": 1,
    "planted": "2026-10-20",
    "phase": "vegetative",
    "care_preset": "herb",  # waters every 3 days, 1.5 x less often in winter
    "container_l": 10.0,
}
KALE_DATA = {
    "name": "Kale",
    "species": "kale",
    "quantity": 4,
    "rack": WARM_RACK,
    "shelf": 1,
    "planted": "2026-10-20",
    "phase": "vegetative",
    "care_preset": "annual_vegetable",
}
MINT_DATA = {
    "name": "Mint",
    "species": "mint",
    "quantity": 1,
    "rack": COLD_RACK,
    "shelf": 1,
    "planted": "2026-06-01",
    "phase": "vegetative",
    "care_preset": "herb",
}


def _days(first: date, count: int, t_min: float, t_max: float) -> list[list[Any]]:
    return [
        [(first + timedelta(days=index)).isoformat(), t_min, t_max, 24]
        for index in range(count)
    ]


@pytest.fixture
def soil_farm(hass: HomeAssistant, hass_storage: dict[str, Any]) -> MockConfigEntry:
    """The soil farm, with two weeks of closed days on each rack."""
    entry = farm_with(
        hass,
        "Greenhouse",
        [
            subentry(
                WARM_RACK,
                "rack",
                {
                    **RACK,
                    "name": "Warm rack",
                    "temperature_sensor": "sensor.warm_rack_temperature",
                },
            ),
            subentry(
                COLD_RACK,
                "rack",
                {
                    **RACK,
                    "name": "Cold rack",
                    "temperature_sensor": "sensor.cold_rack_temperature",
                },
            ),
            subentry(TOMATO, "plant", TOMATO_DATA),
            subentry(KALE, "plant", KALE_DATA),
            subentry(MINT, "plant", MINT_DATA),
        ],
    )
    state: dict[str, Any] = {
        # 20 Oct - 2 Nov at 16-24 C (mean 20): tomato (base 10) gains 10 GDD a day.
        WARM_RACK: {"days": _days(date(2026, 10, 20), 14, 16.0, 24.0)},
        # A warm week, then 26 Oct - 2 Nov at 1-7 C (mean 4, below mint's base 5).
        COLD_RACK: {
            "days": _days(date(2026, 10, 19), 7, 12.0, 20.0)
            + _days(date(2026, 10, 26), 8, 1.0, 7.0)
        },
    }
    for plant_id, data in ((TOMATO, TOMATO_DATA), (KALE, KALE_DATA)):
        state[plant_id] = {
            "phase": data["phase"],
            "phase_started": data["planted"],
            "cycle": 1,
        }
    state[MINT] = {"phase": "vegetative", "phase_started": "2026-07-01", "cycle": 1}
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = {
        "version": 1,
        "minor_version": 2,
        "key": f"{DOMAIN}.{entry.entry_id}",
        "data": {"journal": [], "state": state},
    }
    return entry


@pytest.fixture
async def soil(hass: HomeAssistant, soil_farm: MockConfigEntry) -> MockConfigEntry:
    """The soil farm, set up."""
    return await set_up(hass, soil_farm)


def _entity(hass: HomeAssistant, subject_id: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{subject_id}_{key}"
    )
    assert entity_id is not None
    return entity_id


def _care_due(entry: MockConfigEntry, plant_id: str, kind: CareKind) -> date | None:
    return next(
        (
            item.due
            for item in farm_of(entry).care.items()
            if item.plant_id == plant_id and item.kind is kind
        ),
        None,
    )


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, plant_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "plant"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": plant_id},
    )
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {k: v for k, v in data.items() if v is not None}
    )


# --- Watering plans ----------------------------------------------------------------


async def test_a_plan_from_the_plant_form_drives_next_watering_and_care(
    hass: HomeAssistant, soil: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Every 3 days, 10 L pots: 10 x 15 % x 1.0 (vegetative) x 1.5 (tomato) = 2.25 L.

    Never watered under the plan: due today; watered today: due 6 Nov. In
    December (winter, herb factor 1.5): every 3 x 1.5 = 4.5 -> 5 days.
    """
    result = await _reconfigure(
        hass,
        soil,
        TOMATO,
        {**TOMATO_DATA, "watering_mode": "every_n_days", "watering_interval_days": 3},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert soil.subentries[TOMATO].data["watering_interval_days"] == 3
    sensor = _entity(hass, TOMATO, "next_watering")
    state = hass.states.get(sensor)
    assert state is not None
    assert state.state == DAY.isoformat()
    assert state.attributes["plan"] == "every_n_days"
    assert state.attributes["volume_l"] == 2.25
    assert state.attributes["total_l"] == 4.5
    assert state.attributes["interval_days"] == 3.0
    assert _care_due(soil, TOMATO, CareKind.WATER) == DAY

    await call_action(hass, "log_watering", {"plants": [device_of(hass, TOMATO)]})
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == "2026-11-06"  # type: ignore[union-attr]
    assert _care_due(soil, TOMATO, CareKind.WATER) == date(2026, 11, 6)

    freezer.move_to("2026-12-02T10:00:00-08:00")
    await call_action(hass, "log_watering", {"plants": [device_of(hass, TOMATO)]})
    await hass.async_block_till_done()
    winter = hass.states.get(sensor)
    assert winter is not None
    assert winter.state == "2026-12-07"
    assert (winter.attributes["interval_days"], winter.attributes["winter"]) == (
        5.0,
        True,
    )


async def test_a_weekday_plan_without_days_is_refused_in_the_form(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    result = await _reconfigure(
        hass, soil, TOMATO, {**TOMATO_DATA, "watering_mode": "weekdays"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"watering_weekdays": "no_watering_days"}
    assert "watering_mode" not in soil.subentries[TOMATO].data


async def _shelf_plan(hass: HomeAssistant, shelf: int, mode: str, **fields: Any) -> Any:
    """Set (care_preset: remove) a warm rack shelf's plan; `fields` add to the call."""
    return await call_action(
        hass,
        "set_watering_plan",
        {"racks": [device_of(hass, WARM_RACK)], "shelf": shelf, "mode": mode, **fields},
        response=True,
    )


async def test_set_watering_plan_for_a_shelf_and_back_to_the_preset(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Monday and Thursday for shelf 1: from Tuesday 3 Nov the next is Thursday 5 Nov."""
    answer = await _shelf_plan(hass, 1, "weekdays", weekdays=["monday", "thursday"])
    plants = {item["name"]: item for item in answer["plants"]}
    assert set(plants) == {"Tomato row", "Kale"}
    assert plants["Tomato row"]["next_watering"] == "2026-11-05"
    assert plants["Tomato row"]["volume_l"] == 2.25
    assert plants["Tomato row"]["plan_from"] == "shelf"
    assert plants["Kale"]["volume_l"] is None  # no pot size given
    # The plan belongs to the shelf (stored with the rack), not to the plants.
    assert soil.subentries[WARM_RACK].data["shelf_watering"] == {
        "1": {"watering_mode": "weekdays", "watering_weekdays": [0, 3]}
    }
    assert "watering_mode" not in soil.subentries[KALE].data
    assert soil.subentries[MINT].data.get("watering_mode") is None
    assert _care_due(soil, KALE, CareKind.WATER) == date(2026, 11, 5)

    await _shelf_plan(hass, 1, "care_preset")
    assert soil.subentries[WARM_RACK].data["shelf_watering"] == {}
    # The preset again: annual vegetables every 2 days from planting, long overdue.
    assert _care_due(soil, KALE, CareKind.WATER) == date(2026, 10, 22)


async def _add(hass: HomeAssistant, shelf: int, species: str, **more: Any) -> str:
    """Add plants onto a shelf of the warm rack; their subentry id."""
    answer = await call_action(
        hass,
        "add_plants",
        {
            "rack": device_of(hass, WARM_RACK),
            "shelf": shelf,
            "species": species,
            "quantity": 2,
            **more,
        },
        response=True,
    )
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get(answer["plant"])
    assert device is not None
    (subject,) = (value for domain, value in device.identifiers if domain == DOMAIN)
    return subject


async def test_a_shelf_plan_is_followed_by_plants_that_arrive_later(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Every 2 days for the empty shelf 2: lettuce added and kale moved there follow it.

    A plant with its own plan keeps it; the rack form and a restart keep the
    shelf's plan; removing it returns the shelf's plants to their preset.
    """
    answer = await _shelf_plan(hass, 2, "every_n_days", interval_days=2)
    assert answer["plants"] == []  # nobody there yet: the shelf keeps the plan
    lettuce = await _add(hass, 2, "lettuce")
    sensor = hass.states.get(_entity(hass, lettuce, "next_watering"))
    assert sensor is not None
    assert (sensor.attributes["plan"], sensor.attributes["plan_from"]) == (
        "every_n_days",
        "shelf",
    )
    assert sensor.attributes["interval_days"] == 2.0
    assert "watering_mode" not in soil.subentries[lettuce].data

    await _reconfigure(hass, soil, KALE, {**KALE_DATA, "shelf": 2})
    await hass.async_block_till_done()
    kale = hass.states.get(_entity(hass, KALE, "next_watering"))
    assert kale is not None
    assert kale.attributes["plan_from"] == "shelf"
    # Watered today under the shelf's plan: due again in two days.
    await call_action(hass, "log_watering", {"plants": [device_of(hass, KALE)]})
    assert _care_due(soil, KALE, CareKind.WATER) == DAY + timedelta(days=2)

    # The tomato moves there with a plan of its own: it keeps it.
    result = await _reconfigure(
        hass,
        soil,
        TOMATO,
        {
            **TOMATO_DATA,
            "shelf": 2,
            "watering_mode": "every_n_days",
            "watering_interval_days": 5,
        },
    )
    assert result["step_id"] == "warnings"  # beside the kale again: go on
    await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    tomato = hass.states.get(_entity(hass, TOMATO, "next_watering"))
    assert tomato is not None
    assert (tomato.attributes["plan_from"], tomato.attributes["interval_days"]) == (
        "plant",
        5.0,
    )

    # Editing the rack in its form keeps the shelf's plan, and so does a restart.
    rack = dict(soil.subentries[WARM_RACK].data)
    result = await hass.config_entries.subentries.async_init(
        (soil.entry_id, "rack"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": WARM_RACK},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            key: value
            for key, value in rack.items()
            if value is not None and key != "shelf_watering"
        },
    )
    assert result["reason"] == "reconfigure_successful"
    assert soil.subentries[WARM_RACK].data["shelf_watering"] == {
        "2": {"watering_mode": "every_n_days", "watering_interval_days": 2}
    }
    assert await hass.config_entries.async_reload(soil.entry_id)
    await hass.async_block_till_done()
    assert _care_due(soil, KALE, CareKind.WATER) == DAY + timedelta(days=2)

    await _shelf_plan(hass, 2, "care_preset")
    await hass.async_block_till_done()
    kale = hass.states.get(_entity(hass, KALE, "next_watering"))
    assert kale is not None
    assert "plan_from" not in kale.attributes  # the preset rules again
    tomato = hass.states.get(_entity(hass, TOMATO, "next_watering"))
    assert tomato is not None
    assert tomato.attributes["plan_from"] == "plant"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (
            {"shelf": 1, "mode": "weekdays", "weekdays": ["monday"]},
            "shelf_without_rack",
        ),
        ({"mode": "weekdays"}, "no_watering_days"),
        ({"mode": "every_n_days"}, "watering_interval_invalid"),
    ],
)
async def test_set_watering_plan_refusals_change_nothing(
    hass: HomeAssistant, soil: MockConfigEntry, data: dict[str, Any], key: str
) -> None:
    before = dict(soil.subentries[TOMATO].data)
    with pytest.raises(ServiceValidationError) as err:
        await call_action(
            hass,
            "set_watering_plan",
            {"plants": [device_of(hass, TOMATO)], **data},
        )
    assert err.value.translation_key == key
    assert dict(soil.subentries[TOMATO].data) == before


async def test_a_shelf_the_rack_does_not_have_is_refused(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    before = dict(soil.subentries[WARM_RACK].data)
    with pytest.raises(ServiceValidationError) as err:
        await _shelf_plan(
            hass, 4, "every_n_days", interval_days=2, plants=[device_of(hass, MINT)]
        )
    assert err.value.translation_key == "shelf_out_of_range"
    assert dict(soil.subentries[WARM_RACK].data) == before
    assert "watering_mode" not in soil.subentries[MINT].data


# --- Rotation and companions ---------------------------------------------------------


def _antagonist_issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"antagonists_{WARM_RACK}")


async def test_antagonists_on_a_shelf_raise_a_notice_until_moved_apart(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Tomato and kale list each other as antagonists; apart, the notice goes."""
    issue = _antagonist_issue(hass)
    assert issue is not None
    pairs = issue.translation_placeholders["pairs"]  # type: ignore[index]
    assert pairs.startswith("Shelf 1: ")
    assert {"Tomato", "Kale"} <= set(pairs.removeprefix("Shelf 1: ").split(" and "))
    phase = hass.states.get(_entity(hass, TOMATO, "phase"))
    assert phase is not None
    assert phase.attributes["companions"] == {
        "companions": [],
        "antagonists": ["Kale"],
    }
    assert phase.attributes["rotation"]["violations"] == []

    result = await _reconfigure(hass, soil, KALE, {**KALE_DATA, "shelf": 2})
    assert result["reason"] == "reconfigure_successful"  # shelf 2 has no history
    await hass.async_block_till_done()
    assert _antagonist_issue(hass) is None
    phase = hass.states.get(_entity(hass, TOMATO, "phase"))
    assert phase is not None
    assert phase.attributes["companions"]["antagonists"] == []
    # Kale left shelf 1: the shelf remembers it.
    (cleared,) = farm_of(soil).store.records(KALE, ["cleared"])
    assert cleared["data"] == {
        "rack": WARM_RACK,
        "shelf": 1,
        "species": "kale",
        "family": "brassicaceae",
        "planted": "2026-10-20",
    }


async def test_a_rack_removed_takes_its_antagonists_notice(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """No rack, no shelf of antagonists: the notice goes with the rack."""
    assert _antagonist_issue(hass) is not None
    hass.config_entries.async_remove_subentry(soil, WARM_RACK)
    await hass.async_block_till_done()
    assert _antagonist_issue(hass) is None


async def test_planting_kale_again_warns_and_lets_the_grower_go_on(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Kale off shelf 1 today, new kale there: same family too soon, and the tomato."""
    await _reconfigure(hass, soil, KALE, {**KALE_DATA, "shelf": 2})
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_init(
        (soil.entry_id, "plant"), context={"source": SOURCE_USER}
    )
    new_kale = {**KALE_DATA, "name": "Kale again", "planted": DAY.isoformat()}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], new_kale
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "warnings"
    warnings = result["description_placeholders"]["warnings"]
    assert "Kale (brassicaceae) left this shelf on 2026-11-03" in warnings
    assert "beside Tomato" in warnings
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert any(item.title == "Kale again" for item in soil.subentries.values())
    assert _antagonist_issue(hass) is not None  # side by side with the tomato again


async def test_a_final_harvest_clears_the_shelf_once(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Kale's final harvest enters shelf 1's history; removing it adds nothing more.

    The harvested kale still standing is not its own predecessor; new kale on
    the shelf is a rotation warning.
    """
    kale = device_of(hass, KALE)
    await call_action(
        hass,
        "record_harvest",
        {"plant": kale, "weight_g": 300, "at": "2026-11-02T10:00:00-08:00"},
    )
    assert farm_of(soil).store.records(KALE, ["cleared"]) == []  # not the last cut
    for _ in range(2):
        await call_action(
            hass,
            "record_harvest",
            {"plant": kale, "final": True, "at": "2026-11-03T09:00:00-08:00"},
        )
    (cleared,) = farm_of(soil).store.records(KALE, ["cleared"])
    assert cleared["at"] == "2026-11-03T09:00:00-08:00"  # when it was harvested
    assert cleared["data"] == {
        "rack": WARM_RACK,
        "shelf": 1,
        "species": "kale",
        "family": "brassicaceae",
        "planted": "2026-10-20",
    }
    await hass.async_block_till_done()
    phase = hass.states.get(_entity(hass, KALE, "phase"))
    assert phase is not None
    assert phase.attributes["rotation"]["violations"] == []
    again = await call_action(
        hass,
        "check_placement",
        {"rack": device_of(hass, WARM_RACK), "shelf": 1, "species": "kale"},
        response=True,
    )
    assert "rotation" in again["warnings"]
    assert again["rotation"][0]["cleared"] == "2026-11-03"

    assert hass.config_entries.async_remove_subentry(soil, KALE)
    await hass.async_block_till_done()
    assert len(farm_of(soil).store.records(KALE, ["cleared"])) == 1


async def test_check_placement_answers_before_planting(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """After kale: spinach is a good successor (brassicas, then roots and beets)."""
    await _reconfigure(hass, soil, KALE, {**KALE_DATA, "shelf": 2})
    await hass.async_block_till_done()
    rack = device_of(hass, WARM_RACK)
    kale = await call_action(
        hass,
        "check_placement",
        {"rack": rack, "shelf": 1, "species": "kale"},
        response=True,
    )
    assert kale["verdict"] == "warning"
    assert kale["warnings"] == ["rotation", "antagonists"]
    assert kale["rotation"] == [
        {
            "species": "Kale",
            "family": "brassicaceae",
            "cleared": "2026-11-03",
            "years_apart": 0.0,
        }
    ]
    assert kale["after"]["same_family"] is True
    assert kale["antagonists"] == ["Tomato"]
    spinach = await call_action(
        hass,
        "check_placement",
        {"rack": rack, "shelf": 1, "species": "spinach"},
        response=True,
    )
    assert spinach["verdict"] == "good"
    assert spinach["after"] == {
        "species": "Kale",
        "family": "brassicaceae",
        "good_successor": True,
        "same_family": False,
    }
    assert spinach["warnings"] == []
    # Three years on, kale may come back (only the tomato stands against it).
    later = await call_action(
        hass,
        "check_placement",
        {"rack": rack, "shelf": 1, "species": "kale", "planted": "2029-11-03"},
        response=True,
    )
    assert later["rotation"] == []
    # Moving the tomato itself: it is not its own neighbour.
    moved = await call_action(
        hass,
        "check_placement",
        {"rack": rack, "shelf": 1, "plant": device_of(hass, TOMATO)},
        response=True,
    )
    assert (moved["species"], moved["antagonists"]) == ("tomato", [])


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"shelf": 4, "species": "kale"}, "shelf_out_of_range"),
        ({"shelf": 1}, "species_or_plant_required"),
        ({"shelf": 1, "species": "moon_melon"}, "unknown_species"),
    ],
)
async def test_check_placement_refusals(
    hass: HomeAssistant, soil: MockConfigEntry, data: dict[str, Any], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call_action(
            hass,
            "check_placement",
            {"rack": device_of(hass, WARM_RACK), **data},
            response=True,
        )
    assert err.value.translation_key == key


# --- Seasons: GDD target, cold days, dormancy ---------------------------------------


async def test_days_until_the_gdd_target_on_the_gdd_sensor(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Tomato vegetative needs 364 GDD; 14 days x 10 = 140; at 10 a day: 23 days."""
    state = hass.states.get(_entity(hass, TOMATO, "gdd"))
    assert state is not None
    assert float(state.state) == 140.0
    assert state.attributes["gdd_target"] == 364.0
    assert state.attributes["days_until_gdd_target"] == 23


async def test_a_cold_week_sends_mint_into_dormancy(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Eight days at a mean of 4 C (mint's base is 5): dormant, cold days counted."""
    await hass.async_block_till_done()
    state = hass.states.get(_entity(hass, MINT, "phase"))
    assert state is not None
    assert state.state == "dormancy"
    (moved,) = farm_of(soil).store.records(MINT, ["phase_changed"])
    assert moved["data"]["how"] == "automatic"
    # Counted from the start of the dormancy (today), nothing closed since yet.
    assert state.attributes["cold_days"] == 0
    assert state.attributes["vernalisation_days_needed"] == 0
    tomato = hass.states.get(_entity(hass, TOMATO, "phase"))
    assert tomato is not None
    assert tomato.state == "vegetative"
    assert tomato.attributes["cold_days"] == 0


# --- Inspections -------------------------------------------------------------------


async def test_an_inspection_brings_the_pest_check_forward_and_shows_in_the_calendar(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Checked today (due again 10 Nov); aphids, moderate: look again on 6 Nov."""
    farm = farm_of(soil)
    await farm.care.async_complete([TOMATO], CareKind.PEST_CHECK, DAY)
    assert _care_due(soil, TOMATO, CareKind.PEST_CHECK) == date(2026, 11, 10)
    answer = await call_action(
        hass,
        "log_inspection",
        {
            "plants": [device_of(hass, TOMATO)],
            "problem": "aphids",
            "severity": "moderate",
            "notes": "under the top leaves",
        },
        response=True,
    )
    assert answer == {"follow_up": "2026-11-06", "warnings": []}
    assert _care_due(soil, TOMATO, CareKind.PEST_CHECK) == date(2026, 11, 6)
    (record,) = farm.store.records(TOMATO, ["inspected"])
    assert record["data"] == {
        "problem": "aphids",
        "kind": "pest",
        "severity": "moderate",
        "notes": "under the top leaves",
    }
    calendar = er.async_get(hass).async_get_entity_id(
        "calendar", DOMAIN, f"{soil.entry_id}_calendar"
    )
    assert calendar is not None
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "start_date_time": "2026-11-03T00:00:00-08:00",
            "end_date_time": "2026-11-08T00:00:00-08:00",
        },
        target={"entity_id": calendar},
        blocking=True,
        return_response=True,
    )
    summaries = {
        (event["start"], event["summary"])
        for event in response[calendar]["events"]  # type: ignore[index]
    }
    assert ("2026-11-03", "Tomato row: Aphids found (moderate)") in summaries
    assert ("2026-11-06", "Check Tomato row for pests") in summaries
    # Checked on the follow-up: the interval runs from then, the follow-up is spent.
    await farm.care.async_complete([TOMATO], CareKind.PEST_CHECK, date(2026, 11, 3))
    assert _care_due(soil, TOMATO, CareKind.PEST_CHECK) == date(2026, 11, 10)


async def test_a_fourth_treatment_of_one_mode_of_action_warns(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Spinosad (IRAC 5) on 1, 15, 29 Oct and 3 Nov: the fourth use in 90 days warns."""
    device = device_of(hass, TOMATO)
    for at, warned in (
        ("2026-10-01T09:00:00-07:00", False),
        ("2026-10-15T09:00:00-07:00", False),
        ("2026-10-29T09:00:00-07:00", False),
        ("2026-11-03T09:00:00-08:00", True),
    ):
        answer = await call_action(
            hass,
            "log_inspection",
            {
                "plants": [device],
                "problem": "thrips",
                "severity": "high",
                "product": "spinosad",
                "at": at,
            },
            response=True,
        )
        assert bool(answer["warnings"]) is warned, at
    assert answer["warnings"] == [
        {
            "code": "resistance_risk",
            "mode_of_action": "IRAC 5",
            "count": 4,
            "window_days": 90,
        }
    ]
    assert answer["safe_harvest_date"] == "2026-11-06"  # spinosad: 3 days
    assert answer["follow_up"] == "2026-11-04"  # high: look again tomorrow
    blocked = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{TOMATO}_harvest_blocked"
    )
    assert blocked is not None
    assert hass.states.get(blocked).state == "on"  # type: ignore[union-attr]


async def test_apply_treatment_gives_the_same_resistance_warning(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Spinosad found once, then applied three times: the fourth use warns.

    The applications count together whichever action recorded them; another
    product (no mode of action known) adds nothing to the count.
    """
    device = device_of(hass, TOMATO)
    await call_action(
        hass,
        "log_inspection",
        {
            "plants": [device],
            "problem": "thrips",
            "severity": "low",
            "product": "spinosad",
            "at": "2026-10-01T09:00:00-07:00",
        },
        response=True,
    )
    answers = [
        await call_action(
            hass,
            "apply_treatment",
            {"plants": [device], "product": product, "at": at, **extra},
            response=True,
        )
        for product, at, extra in (
            ("Spinosad", "2026-10-15T09:00:00-07:00", {}),
            ("garlic tea", "2026-10-20T09:00:00-07:00", {"safety_interval_days": 0}),
            ("spinosad", "2026-10-29T09:00:00-07:00", {}),
            ("spinosad", "2026-11-03T09:00:00-08:00", {}),
        )
    ]
    assert [answer["warnings"] for answer in answers[:3]] == [[], [], []]
    assert answers[3]["warnings"] == [
        {
            "code": "resistance_risk",
            "mode_of_action": "IRAC 5",
            "count": 4,
            "window_days": 90,
        }
    ]
    assert answers[3]["safe_harvest_date"] == "2026-11-06"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"problem": "moon_beetles", "severity": "low"}, "unknown_problem"),
        (
            {"problem": "aphids", "severity": "low", "product": "dragon_dust"},
            "unknown_product",
        ),
    ],
)
async def test_log_inspection_refusals_change_nothing(
    hass: HomeAssistant, soil: MockConfigEntry, data: dict[str, Any], key: str
) -> None:
    journal = len(farm_of(soil).store.journal)
    with pytest.raises(ServiceValidationError) as err:
        await call_action(
            hass,
            "log_inspection",
            {"plants": [device_of(hass, TOMATO)], **data},
            response=True,
        )
    assert err.value.translation_key == key
    assert len(farm_of(soil).store.journal) == journal


async def test_a_plan_gives_no_watering_to_roots_in_a_recirculating_tank(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The conftest basil sits in a recirculating hydro tank: nothing to water."""
    answer = await call_action(
        hass,
        "set_watering_plan",
        {
            "plants": [device_of(hass, PLANT_ID)],
            "mode": "every_n_days",
            "interval_days": 2,
        },
        response=True,
    )
    (plant,) = answer["plants"]
    assert (plant["next_watering"], plant["volume_l"]) == (None, 0.0)
    assert _care_due(loaded_farm, PLANT_ID, CareKind.WATER) is None


async def test_named_plants_join_a_shelf_and_a_quiet_shelf_is_ok(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Shelf 1 of the warm rack plus the mint named on its own: three plants."""
    answer = await _shelf_plan(
        hass, 1, "every_n_days", interval_days=4, plants=[device_of(hass, MINT)]
    )
    assert {item["name"] for item in answer["plants"]} == {"Tomato row", "Kale", "Mint"}
    quiet = await call_action(
        hass,
        "check_placement",
        {"rack": device_of(hass, WARM_RACK), "shelf": 3, "species": "lettuce"},
        response=True,
    )
    assert quiet["verdict"] == "ok"
    assert (quiet["after"], quiet["companions"], quiet["warnings"]) == (None, [], [])


async def test_a_plant_of_another_farm_is_refused(
    hass: HomeAssistant, soil: MockConfigEntry, loaded_farm: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call_action(
            hass,
            "check_placement",
            {
                "rack": device_of(hass, WARM_RACK),
                "shelf": 1,
                "plant": device_of(hass, PLANT_ID),
            },
            response=True,
        )
    assert err.value.translation_key == "devices_of_different_farms"


async def test_a_dormant_mint_keeps_resting_while_the_cold_goes_on(
    hass: HomeAssistant, soil_farm: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Dormant since 1 Aug (60 days of rest are over) but still cold: no waking."""
    state = hass_storage[f"{DOMAIN}.{soil_farm.entry_id}"]["data"]["state"]
    state[MINT] = {"phase": "dormancy", "phase_started": "2026-08-01", "cycle": 1}
    assert await hass.config_entries.async_setup(soil_farm.entry_id)
    await hass.async_block_till_done()
    mint = hass.states.get(_entity(hass, MINT, "phase"))
    assert mint is not None
    assert mint.state == "dormancy"
    # Counted since the rest began: the eight cold days of late October.
    assert (mint.attributes["cold_days"], mint.attributes["cold_days_in_a_row"]) == (
        8,
        8,
    )
    assert farm_of(soil_farm).store.records(MINT, ["phase_changed"]) == []


@pytest.mark.parametrize(
    ("form", "fields", "errors"),
    [
        ({}, {}, {}),
        (
            {"watering_mode": "weekdays", "watering_weekdays": ["3", "0", "3"]},
            {"watering_mode": "weekdays", "watering_weekdays": [0, 3]},
            {},
        ),
        (
            {"watering_mode": "every_n_days", "watering_interval_days": 4.0},
            {"watering_mode": "every_n_days", "watering_interval_days": 4},
            {},
        ),
        ({"watering_mode": "daily"}, {}, {"watering_mode": "watering_mode_invalid"}),
        (
            {"watering_mode": "weekdays", "watering_weekdays": ["7"]},
            {},
            {"watering_weekdays": "no_watering_days"},
        ),
        (
            {"watering_mode": "every_n_days", "watering_interval_days": 61},
            {},
            {"watering_interval_days": "watering_interval_invalid"},
        ),
        (
            {"watering_mode": "every_n_days", "watering_interval_days": 2.5},
            {},
            {"watering_interval_days": "whole_number_required"},
        ),
    ],
)
def test_watering_plan_fields_from_a_form(
    form: dict[str, Any], fields: dict[str, Any], errors: dict[str, str]
) -> None:
    found: dict[str, str] = {}
    assert normalize_watering_plan(form, found) == fields
    assert found == errors


def test_a_stored_plan_that_can_never_fall_due_is_left_out() -> None:
    """Weekday mode without days (hand-edited data): the preset rules instead."""
    plant = PlantConfig.from_data(
        TOMATO, {**TOMATO_DATA, "watering_mode": "weekdays", "watering_weekdays": []}
    )
    species = load_library().species["tomato"]
    assert (
        planned_watering(
            plant,
            species=species,
            phase=Phase.VEGETATIVE,
            tank=None,
            preset=None,
            stored_care={},
            hemisphere=Hemisphere.NORTH,
            today=DAY,
        )
        is None
    )
    assert plant_schedule(PlantConfig.from_data(TOMATO, TOMATO_DATA)) is None


async def test_add_plants_keeps_the_declared_phase_day_after_a_crash(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    soil: MockConfigEntry,
) -> None:
    """A plant added in a later phase counts it from today, on disk at once.

    The clock stands still after the action, so a batched save has not run;
    the crash leaves that disk, and the farm starts again the next day.
    """
    subject = await _add(hass, 3, "lettuce", phase="vegetative")
    on_disk = disk_now(hass_storage, f"{STORAGE_KEY}.{soil.entry_id}")

    await async_start_again_after_a_crash(
        hass, hass_storage, soil, on_disk, freezer=freezer, later=timedelta(days=1)
    )
    days = hass.states.get(_entity(hass, subject, "days_in_phase"))
    assert days is not None
    assert days.state == "1"


async def test_add_plants_answers_what_the_shelf_says(
    hass: HomeAssistant, soil: MockConfigEntry
) -> None:
    """Strawberry beside the kale (antagonists); lettuce on the empty shelf 3: nothing."""
    rack = device_of(hass, WARM_RACK)
    strawberry = await call_action(
        hass,
        "add_plants",
        {"rack": rack, "shelf": 1, "species": "strawberry", "quantity": 3},
        response=True,
    )
    assert strawberry["warnings"] == ["antagonists"]
    lettuce = await call_action(
        hass,
        "add_plants",
        {"rack": rack, "shelf": 3, "species": "lettuce", "quantity": 8},
        response=True,
    )
    assert lettuce["warnings"] == []
    await hass.async_block_till_done()
    issue = _antagonist_issue(hass)
    assert issue is not None
    assert "Strawberry" in issue.translation_placeholders["pairs"]  # type: ignore[index]


async def test_moving_a_plant_keeps_the_cleared_shelf_after_a_crash(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    soil: MockConfigEntry,
    slow_disk: None,
) -> None:
    """The crop a move clears from its shelf is on disk when the form closes.

    The crash leaves the disk as it was when the flow finished.
    """
    result = await _reconfigure(hass, soil, KALE, {**KALE_DATA, "shelf": 2})
    assert result["reason"] == "reconfigure_successful"
    on_disk = disk_now(hass_storage, f"{STORAGE_KEY}.{soil.entry_id}")

    await async_start_again_after_a_crash(
        hass, hass_storage, soil, on_disk, freezer=freezer, later=timedelta(days=1)
    )
    (cleared,) = farm_of(soil).store.records(KALE, ["cleared"])
    assert cleared["data"]["shelf"] == 1


async def test_a_phase_edited_in_the_settings_is_kept_after_a_crash(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    soil: MockConfigEntry,
    slow_disk: None,
) -> None:
    """The phase change an edit of the plant's settings makes is on disk at once.

    The crash leaves the disk as it was when the flow finished.
    """
    result = await _reconfigure(
        hass, soil, TOMATO, {**TOMATO_DATA, "phase": "flowering"}
    )
    assert result["reason"] == "reconfigure_successful"
    on_disk = disk_now(hass_storage, f"{STORAGE_KEY}.{soil.entry_id}")

    await async_start_again_after_a_crash(
        hass, hass_storage, soil, on_disk, freezer=freezer, later=timedelta(days=1)
    )
    (changed,) = farm_of(soil).store.records(TOMATO, ["phase_changed"])
    assert changed["data"] == {
        "from_phase": "vegetative",
        "to_phase": "flowering",
        "how": "edited",
    }
    days = hass.states.get(_entity(hass, TOMATO, "days_in_phase"))
    assert days is not None
    assert days.state == "1"
