"""The live farm's inputs: light, level, moisture, records, stop and failed setups."""

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.lighting import (
    PPFD_PER_LUX,
    LightSource,
    PpfdReading,
    dli_from_readings,
)
from custom_components.vertical_farm.engine.profiles import Phase
from custom_components.vertical_farm.engine.tanks import (
    LevelUnit,
    WaterBalance,
    water_balance,
)

from .conftest import (
    PLANT_ID,
    POT_ID,
    RACK_ID,
    TANK_ID,
    link_pot_moisture,
    set_up,
    subentry,
    subject_state,
)


async def test_dli_integrates_the_day(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A constant 250 umol/m2/s for two hours is 250 x 7200 / 1e6 = 1.8 mol/m2."""
    freezer.move_to("2026-11-03T08:00:00-08:00")
    hass.states.async_set("sensor.rack_one_ppfd", "250")
    await hass.async_block_till_done()
    for minutes in range(10, 121, 10):
        freezer.move_to(
            dt_util.parse_datetime("2026-11-03T08:00:00-08:00")
            + timedelta(minutes=minutes)
        )
        hass.states.async_set("sensor.rack_one_ppfd", "250", {"n": minutes})
        await hass.async_block_till_done()
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(1.8, abs=0.01)
    # Readings in lux are converted for LED light.
    farm = loaded_farm.runtime_data.farm
    hass.states.async_set(
        "sensor.rack_one_ppfd", "20000", {"unit_of_measurement": "lx"}
    )
    await hass.async_block_till_done()
    stored = farm.store.state(RACK_ID)["ppfd"][-1][1]
    assert stored == pytest.approx(20000 * PPFD_PER_LUX[LightSource.LED_FULL_SPECTRUM])
    # A new day starts from nothing.
    freezer.move_to("2026-11-04T07:00:00-08:00")
    hass.states.async_set("sensor.rack_one_ppfd", "100")
    await hass.async_block_till_done()
    assert farm.store.state(RACK_ID)["ppfd_day"] == "2026-11-04"
    assert len(farm.store.state(RACK_ID)["ppfd"]) == 1


async def test_dli_of_a_steady_light(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A steady light counts, whether its sensor says it again or says nothing.

    Home Assistant reports an unchanged value without changing the state, and
    a sensor that reports only changes holds its value until it says another
    or becomes unavailable: the hour it is unavailable is not counted.
    """
    start = dt_util.parse_datetime("2026-11-03T08:00:00-08:00")
    assert start is not None

    async def minutes(first: int, last: int, *, report: bool) -> None:
        for minute in range(first, last + 1):
            freezer.move_to(start + timedelta(minutes=minute))
            if report:
                hass.states.async_set("sensor.rack_one_ppfd", "400")
            async_fire_time_changed(hass)
            await hass.async_block_till_done()

    freezer.move_to(start)
    hass.states.async_set("sensor.rack_one_ppfd", "400")
    await hass.async_block_till_done()
    await minutes(1, 120, report=True)
    # 400 umol/m2/s for 2 h: 400 x 7200 / 1e6 = 2.88 mol/m2
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(2.88, abs=0.01)
    await minutes(121, 240, report=False)
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(5.76, abs=0.01)
    hass.states.async_set("sensor.rack_one_ppfd", STATE_UNAVAILABLE)
    await minutes(241, 299, report=False)
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(5.76, abs=0.01)
    await minutes(300, 360, report=True)
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(7.2, abs=0.01)


async def test_water_use_from_level(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Falling levels give use per day and days until empty; a refill is not use."""
    start = dt_util.now()
    levels = [50, 48, 46, 44, 42, 58, 56, 54]  # 2 L a day, one refill of 18 L
    for day, level in enumerate(levels):
        freezer.move_to(start + timedelta(days=day))
        hass.states.async_set(
            "sensor.tank_a_level", str(level), {"unit_of_measurement": "L", "d": day}
        )
        await hass.async_block_till_done()
    assert float(subject_state(hass, TANK_ID, "water_use")) == pytest.approx(
        2.0, abs=0.05
    )
    assert float(subject_state(hass, TANK_ID, "days_until_empty")) == pytest.approx(
        54 / 2.0, abs=0.5
    )
    assert subject_state(hass, TANK_ID, "level_low", "binary_sensor") == "off"
    # History older than eight days is dropped.
    farm = loaded_farm.runtime_data.farm
    freezer.move_to(start + timedelta(days=20))
    hass.states.async_set("sensor.tank_a_level", "10", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    assert len(farm.store.state(TANK_ID)["levels"]) == 1
    assert subject_state(hass, TANK_ID, "level_low", "binary_sensor") == "on"


async def test_level_in_percent(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A level in % of a 60 L tank: 15 % is 9 L, under a fifth of the volume."""
    hass.states.async_set("sensor.tank_a_level", "15", {"unit_of_measurement": "%"})
    await hass.async_block_till_done()
    assert subject_state(hass, TANK_ID, "level_low", "binary_sensor") == "on"


async def _do_the_pots_chores(entry: MockConfigEntry) -> None:
    """Water the monstera pot and do its other chores today: nothing is due."""
    farm = entry.runtime_data.farm
    await farm.records.async_log_watering([POT_ID], dt_util.now())
    for task in ("pest_check", "fertilize"):
        await farm.care.async_complete(
            [POT_ID],
            farm.care.parse_task_id(f"{POT_ID}_{task}")[1],
            dt_util.now().date(),
        )


async def test_moisture_sensor_flags_dry_pot(
    hass: HomeAssistant, farm_entry: MockConfigEntry
) -> None:
    """A pot's moisture sensor below 20 % makes it need attention."""
    link_pot_moisture(hass, farm_entry)
    await set_up(hass, farm_entry)
    await _do_the_pots_chores(farm_entry)  # nothing else is due
    hass.states.async_set("sensor.pot_moisture", "45")
    await hass.async_block_till_done()
    assert subject_state(hass, POT_ID, "needs_attention", "binary_sensor") == "off"
    hass.states.async_set("sensor.pot_moisture", "12")
    await hass.async_block_till_done()
    assert subject_state(hass, POT_ID, "needs_attention", "binary_sensor") == "on"
    assert (
        "dry"
        in hass.states.get(
            er.async_get(hass).async_get_entity_id(
                "binary_sensor", DOMAIN, f"{POT_ID}_needs_attention"
            )
        ).attributes["reasons"]
    )


async def test_readings_show_care_as_it_stands(
    hass: HomeAssistant, farm_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A reading shows the care done since the last one, and the care due today."""
    link_pot_moisture(hass, farm_entry)
    await set_up(hass, farm_entry)
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{POT_ID}_needs_attention"
    )
    assert entity_id is not None

    def reasons() -> list[str]:
        state = hass.states.get(entity_id)
        assert state is not None
        return list(state.attributes["reasons"])

    hass.states.async_set("sensor.pot_moisture", "45")
    await hass.async_block_till_done()
    assert reasons() == ["care_due"]  # the tropical preset's chores, overdue
    await _do_the_pots_chores(farm_entry)
    hass.states.async_set("sensor.pot_moisture", "44")
    await hass.async_block_till_done()
    assert reasons() == []

    # Eight days on, with no refresh at midnight in between: watering is due
    # again (every 7 days), and the next reading says so.
    freezer.tick(timedelta(days=8))
    hass.states.async_set("sensor.pot_moisture", "12")
    await hass.async_block_till_done()
    assert reasons() == ["care_due", "dry"]


async def test_a_reading_that_moves_care_updates_the_task_counts(
    hass: HomeAssistant, farm_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A reading that finds a task due tells the farm's task counts; a dry pot alone not.

    Days on with no refresh at midnight between, the pot's next reading makes
    its watering due: the care list and the task counts, which read every
    plant, follow. The dry pot itself is the plant's own news.
    """
    link_pot_moisture(hass, farm_entry)
    await set_up(hass, farm_entry)
    await _do_the_pots_chores(farm_entry)
    hass.states.async_set("sensor.pot_moisture", "45")
    await hass.async_block_till_done(wait_background_tasks=True)
    counts = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{farm_entry.entry_id}_tasks_due"
    )
    assert counts is not None
    due = hass.states.get(counts)
    assert due is not None

    hass.states.async_set("sensor.pot_moisture", "12")  # dry: attention only
    await hass.async_block_till_done(wait_background_tasks=True)
    assert subject_state(hass, POT_ID, "needs_attention", "binary_sensor") == "on"
    assert hass.states.get(counts) is due, "the counts were not written again"

    freezer.tick(timedelta(days=8))  # watering (every 7 days) is due again
    hass.states.async_set("sensor.pot_moisture", "11")
    await hass.async_block_till_done(wait_background_tasks=True)
    now_due = hass.states.get(counts)
    assert now_due is not None
    assert int(now_due.state) > int(due.state)


async def test_final_harvest_ends_treatments(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Treatments before a final harvest no longer count for the next crop."""
    farm = loaded_farm.runtime_data.farm
    now = dt_util.now()
    await farm.store.async_record(
        "treated",
        PLANT_ID,
        now - timedelta(days=1),
        {"product": "neem", "active_ingredient": "azadirachtin", "interval_days": 7},
    )
    assert [t.product for t in farm.records.treatments(PLANT_ID)] == ["neem"]
    await farm.store.async_record("harvested", PLANT_ID, now, {"final": False})
    assert [t.product for t in farm.records.treatments(PLANT_ID)] == ["neem"]
    await farm.store.async_record("harvested", PLANT_ID, now, {"final": True})
    assert farm.records.treatments(PLANT_ID) == ()


async def test_set_phase_rules(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Backward needs force; a perennial restarts its cycle; unknown species refuse."""
    farm = loaded_farm.runtime_data.farm
    with pytest.raises(FarmError) as err:
        await farm.phases.async_set(PLANT_ID, Phase.GERMINATION)
    assert err.value.code == "transition_backward"
    assert await farm.phases.async_set(PLANT_ID, Phase.GERMINATION, force=True) == (
        Phase.SEEDLING,
        Phase.GERMINATION,
    )
    monstera = loaded_farm.runtime_data.library.species["monstera"]
    last, first = monstera.sequence[-1], monstera.sequence[0]
    await farm.phases.async_set(POT_ID, last)
    await farm.phases.async_set(POT_ID, first)
    assert farm.views.phase_state(POT_ID).cycle == 2
    records = farm.store.records(POT_ID, ["phase_changed"])
    assert [r["data"]["to_phase"] for r in records] == [str(last), str(first)]


async def test_unknown_species_plant(
    hass: HomeAssistant, farm_entry: MockConfigEntry
) -> None:
    """A plant whose species left the library shows no phase and refuses phase moves."""
    hass.config_entries.async_add_subentry(
        farm_entry,
        ConfigSubentry(
            data={
                "name": "Mystery",
                "species": "gone",
                "quantity": 1,
                "planted": "2026-11-01",
            },
            subentry_type="plant",
            title="Mystery",
            unique_id=None,
        ),
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    farm = farm_entry.runtime_data.farm
    plant_id = next(k for k, v in farm_entry.subentries.items() if v.title == "Mystery")
    assert farm.views.phase_state(plant_id) is None
    assert subject_state(hass, plant_id, "phase") == STATE_UNAVAILABLE
    with pytest.raises(FarmError) as err:
        await farm.phases.async_set(plant_id, Phase.SEEDLING)
    assert err.value.code == "unknown_species"


async def test_phase_edited_in_plant_settings(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Changing the phase in the plant's settings is recorded like any phase change."""
    plant = loaded_farm.subentries[PLANT_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm, plant, data={**plant.data, "phase": "vegetative"}
    )
    await hass.async_block_till_done()
    assert subject_state(hass, PLANT_ID, "phase") == "vegetative"
    farm = loaded_farm.runtime_data.farm
    assert (
        farm.store.records(PLANT_ID, ["phase_changed"])[-1]["data"]["how"] == "edited"
    )


async def test_water_change_notes_ph(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A water change with a pH probe reading keeps the pH at fill for drift."""
    hass.states.async_set("sensor.tank_a_ph", "6.1")
    await hass.async_block_till_done()
    farm = loaded_farm.runtime_data.farm
    await farm.records.async_log_water_change(TANK_ID, dt_util.now())
    assert farm.store.state(TANK_ID)["ph_at_fill"] == 6.1


async def test_hass_stop_stops_drivers(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Home Assistant stopping puts the farm's drivers in their safe state."""
    farm = loaded_farm.runtime_data.farm
    assert RACK_ID in farm.drivers
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert len(farm.drivers) == 0
    # A rack added while Home Assistant stops is not driven: nothing starts again.
    hass.config_entries.async_add_subentry(
        loaded_farm,
        ConfigSubentry(
            data={"name": "Late rack", "shelves": 2, "light_entity": "light.late"},
            subentry_type="rack",
            title="Late rack",
            unique_id=None,
        ),
    )
    await hass.async_block_till_done()
    assert len(farm.drivers) == 0


async def test_failed_setup_leaves_nothing(hass: HomeAssistant) -> None:
    """A setup that fails half way leaves no timer or listener (the test would linger)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Broken",
        data={
            "name": "Broken",
            "hemisphere": "north",
            "tap_ec": 0.4,
            "tap_ph": 7,
            "alkalinity": 100,
        },
        subentries_data=[
            subentry(
                RACK_ID, "rack", {"name": "R", "shelves": 2, "lights_on": "not a time"}
            ),
        ],
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR


async def test_conflict_repairs_come_and_go(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Plants that cannot share a tank raise a repair issue, gone when fixed."""
    issues = ir.async_get(hass)
    farm = loaded_farm.runtime_data.farm
    assert issues.async_get_issue(DOMAIN, f"tank_conflict_{TANK_ID}") is None
    # Germinating basil wants EC 0.3-0.6; basil in harvest wants 1.0-1.6.
    result = await hass.config_entries.subentries.async_init(
        (loaded_farm.entry_id, "plant"), context={"source": "user"}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Old basil",
            "species": "basil",
            "rack": RACK_ID,
            "shelf": 1,
            "phase": "harvest",
        },
    )
    await hass.async_block_till_done()
    await farm.phases.async_set(PLANT_ID, Phase.GERMINATION, force=True)
    await hass.async_block_till_done()
    issue = issues.async_get_issue(DOMAIN, f"tank_conflict_{TANK_ID}")
    assert issue is not None
    assert issue.translation_placeholders["plants"] == "Basil tray, Old basil"
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "on"
    await farm.phases.async_set(PLANT_ID, Phase.HARVEST)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, f"tank_conflict_{TANK_ID}") is None


async def test_missing_linked_entity_repair(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A linked entity that does not exist raises a repair; it goes when the entity appears."""
    issues = ir.async_get(hass)
    issue_id = f"missing_entity_{loaded_farm.entry_id}_sensor.tank_a_ec"
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "entity": "sensor.tank_a_ec",
        "name": "Tank A",
    }
    hass.states.async_set("sensor.tank_a_ec", "1.1")
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    # Unlinking a missing entity clears its notice too.
    other = f"missing_entity_{loaded_farm.entry_id}_sensor.tank_a_ph"
    assert issues.async_get_issue(DOMAIN, other) is not None
    tank = loaded_farm.subentries[TANK_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm, tank, data={**tank.data, "ph_sensor": None}
    )
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, other) is None
    # Removing the farm removes its notices.
    assert await hass.config_entries.async_remove(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert not [key for key in issues.issues if key[0] == DOMAIN]


async def test_removed_entity_stops_following_its_rack(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An entity taken out of Home Assistant is no longer told; the others are."""
    farm = loaded_farm.runtime_data.farm
    registry = er.async_get(hass)
    removed_id = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{RACK_ID}_photoperiod"
    )
    assert removed_id is not None
    followers = len(farm._followers[RACK_ID])
    registry.async_remove(removed_id)
    await hass.async_block_till_done()
    assert hass.states.get(removed_id) is None
    assert len(farm._followers[RACK_ID]) == followers - 1
    hass.states.async_set("sensor.rack_one_ppfd", "250")
    await hass.async_block_till_done()
    assert hass.states.get(removed_id) is None
    assert subject_state(hass, RACK_ID, "dli") != STATE_UNAVAILABLE


async def test_the_dli_reading_by_reading_equals_the_whole_day_integrated(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each reading is added once; the DLI is what integrating the day gives.

    Irregular readings with a gap longer than the bridged one, a new day, and
    a clock set back (a reading before the one before it) are all shown as
    `dli_from_readings` works them out over the day's stored readings.
    """
    farm = loaded_farm.runtime_data.farm
    start = dt_util.parse_datetime("2026-11-03T06:00:00-08:00")
    assert start is not None

    def integrated(now: datetime) -> float:
        stored = farm.store.state(RACK_ID)["ppfd"]
        return dli_from_readings(
            [
                PpfdReading(at=datetime.fromisoformat(at), ppfd=value)
                for at, value in stored
            ],
            start=dt_util.start_of_local_day(now),
            end=now,
        ).dli

    minutes = 0
    for step, ppfd in enumerate((0, 120, 480, 455, 610, 33, 0, 700, 212)):
        minutes += (7, 13, 95, 1, 29)[step % 5]  # 95 minutes: a gap, not bridged
        now = start + timedelta(minutes=minutes)
        freezer.move_to(now)
        hass.states.async_set("sensor.rack_one_ppfd", str(ppfd), {"n": step})
        await hass.async_block_till_done()
        assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(
            integrated(now), abs=1e-9
        )
    assert float(subject_state(hass, RACK_ID, "dli")) > 0
    # The next day starts from nothing.
    now = dt_util.parse_datetime("2026-11-04T07:00:00-08:00")
    assert now is not None
    for offset, ppfd in ((0, 300), (10, 300)):
        freezer.move_to(now + timedelta(minutes=offset))
        hass.states.async_set("sensor.rack_one_ppfd", str(ppfd), {"n": offset})
        await hass.async_block_till_done()
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(
        300 * 600 / 1e6, abs=0.01
    )
    # A clock set back: the reading takes its place in time, nothing fails.
    back = now + timedelta(minutes=5)
    freezer.move_to(back)
    hass.states.async_set("sensor.rack_one_ppfd", "900", {"n": "back"})
    await hass.async_block_till_done()
    stored = farm.store.state(RACK_ID)["ppfd"]
    assert [at for at, _value in stored] == sorted(at for at, _value in stored)
    assert len(stored) == 3
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(
        integrated(back), abs=1e-9
    )
    # and the readings after it are added to that day as it now stands
    later = now + timedelta(minutes=15)
    freezer.move_to(later)
    hass.states.async_set("sensor.rack_one_ppfd", "300", {"n": "later"})
    await hass.async_block_till_done()
    assert float(subject_state(hass, RACK_ID, "dli")) == pytest.approx(
        integrated(later), abs=1e-9
    )
    assert "Error" not in caplog.text


async def test_the_water_use_reading_by_reading_equals_the_whole_history(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each level reading is added once; the balance is the whole history's.

    Irregular readings with a refill, a clock set back (a reading before the
    one before it), the history sliding past a week and a change of unit all
    give what `water_balance` works out over the stored readings.
    """
    farm = loaded_farm.runtime_data.farm
    volume_l = farm.config.tanks[TANK_ID].volume_l

    def whole(now: datetime) -> WaterBalance:
        stored = farm.store.state(TANK_ID)
        return water_balance(
            [(datetime.fromisoformat(at), value) for at, value in stored["levels"]],
            now=now,
            volume_l=volume_l,
            unit=LevelUnit.PERCENT if stored["level_unit"] == "%" else LevelUnit.LITRES,
        )

    async def read(now: datetime, value: float, unit: str = "L") -> None:
        freezer.move_to(now)
        hass.states.async_set(
            "sensor.tank_a_level",
            str(value),
            {"unit_of_measurement": unit, "at": now.isoformat()},
        )
        await hass.async_block_till_done()
        assert farm.views.tank(TANK_ID).balance == whole(now)

    start = dt_util.now()
    level = 60.0
    hours = 0
    for step in range(40):
        hours += (3, 7, 1, 11)[step % 4]
        level = 75.0 if step == 17 else level - (0.4, 1.3, 0.05, 2.2)[step % 4]
        await read(start + timedelta(hours=hours), level)
    balance = farm.views.tank(TANK_ID).balance
    assert balance is not None
    assert balance.use_l_per_day is not None
    assert balance.use_l_per_day > 0
    # A clock set back, before any reading comes: the latest is not counted yet.
    back = start + timedelta(hours=hours - 1)
    freezer.move_to(back)
    farm.async_notify({TANK_ID})
    assert farm.views.tank(TANK_ID).balance == whole(back)
    # A reading from the clock set back is worked through with the others.
    await read(start + timedelta(hours=hours - 2), level + 0.5)
    await read(start + timedelta(hours=hours + 5), level - 1.0)
    # A week later most of the history has slid out of the window.
    await read(start + timedelta(hours=hours + 24 * 7), level - 4.0)
    # A level sensor now in percent starts a history of its own.
    await read(start + timedelta(hours=hours + 24 * 7 + 3), 40.0, "%")
    await read(start + timedelta(hours=hours + 24 * 7 + 20), 36.0, "%")
    assert "Error" not in caplog.text
