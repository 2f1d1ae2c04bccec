"""Random and malformed input to every action: a clear error, and nothing changes.

Hypothesis runs in a worker thread and hands each call to Home Assistant's
event loop, which stays free while the test awaits the worker: the real hass,
the real registries and the real farm answer every generated call.
"""

import asyncio
from collections.abc import Coroutine
import copy
from datetime import datetime, timedelta
from enum import StrEnum
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from hypothesis import HealthCheck, given, settings, strategies as st
import probatio
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.services import ACTIONS, MAX_BACKDATE

from .conftest import PLANT_ID, POT_ID, RACK_ID, TANK_ID

type Call = dict[str, Any]

EN = json.loads(
    (
        Path(__file__).parents[2]
        / "custom_components"
        / DOMAIN
        / "translations"
        / "en.json"
    ).read_text(encoding="utf-8")
)


class Kind(StrEnum):
    """What a field holds (numbers come with the bounds they must keep)."""

    DEVICE = "device"
    DEVICES = "devices"
    NUMBER = "number"
    INTEGER = "integer"
    TEXT = "text"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    WHEN = "when"
    DAY = "day"
    FARM = "farm"
    FEEDING = "feeding"  # map of fertilizer key -> ml
    MIX = "mix"  # list of products to mix


FIELDS: dict[str, dict[str, tuple[Any, ...]]] = {
    "set_phase": {
        "plant": (Kind.DEVICE, "plant"),
        "phase": (Kind.CHOICE,),
        "force": (Kind.BOOLEAN,),
    },
    "log_watering": {
        "plants": (Kind.DEVICES, "plant"),
        "racks": (Kind.DEVICES, "rack"),
        "volume_l": (Kind.NUMBER, 0.0, 10000.0, True),
        "at": (Kind.WHEN,),
    },
    "log_feeding": {
        "tank": (Kind.DEVICE, "tank"),
        "kind": (Kind.CHOICE,),
        "volume_l": (Kind.NUMBER, 0.0, 60.0, True),  # the tank holds 60 L
        "ec": (Kind.NUMBER, 0.0, 10.0, False),
        "ph": (Kind.NUMBER, 0.0, 14.0, False),
        "fertilizers": (Kind.FEEDING,),
        "at": (Kind.WHEN,),
    },
    "apply_treatment": {
        "plants": (Kind.DEVICES, "plant"),
        "racks": (Kind.DEVICES, "rack"),
        "product": (Kind.TEXT,),
        "active_ingredient": (Kind.TEXT,),
        "safety_interval_days": (Kind.NUMBER, 0.0, 365.0, False),
        "at": (Kind.WHEN,),
    },
    "record_harvest": {
        "plant": (Kind.DEVICE, "plant"),
        "weight_g": (Kind.NUMBER, 0.0, 1e6, False),
        "count": (Kind.INTEGER, 0, 1_000_000),
        "final": (Kind.BOOLEAN,),
        "at": (Kind.WHEN,),
    },
    "mix_nutrients": {
        "tank": (Kind.DEVICE, "tank"),
        "target_ec": (Kind.NUMBER, 0.0, 10.0, True),
        "volume_l": (Kind.NUMBER, 0.0, 10000.0, True),
        "base_ec": (Kind.NUMBER, 0.0, 10.0, False),
        "fertilizers": (Kind.MIX,),
        "ph": (Kind.NUMBER, 0.0, 14.0, False),
        "target_ph": (Kind.NUMBER, 0.0, 14.0, False),
        "alkalinity": (Kind.NUMBER, 0.0, 1000.0, False),
        "ph_adjuster": (Kind.TEXT,),
        "level_l": (Kind.NUMBER, 0.0, 10000.0, False),
        "current_ec": (Kind.NUMBER, 0.0, 10.0, False),
        "calcium": (Kind.NUMBER, 0.0, 1000.0, False),
        "magnesium": (Kind.NUMBER, 0.0, 1000.0, False),
    },
    "analyze_runoff": {
        "input_ec": (Kind.NUMBER, 0.0, 10.0, True),
        "input_ph": (Kind.NUMBER, 0.0, 14.0, False),
        "input_volume_l": (Kind.NUMBER, 0.0, 10000.0, True),
        "runoff_ec": (Kind.NUMBER, 0.0, 10.0, False),
        "runoff_ph": (Kind.NUMBER, 0.0, 14.0, False),
        "runoff_volume_l": (Kind.NUMBER, 0.0, 10000.0, True),
    },
    "add_plants": {
        "rack": (Kind.DEVICE, "rack"),
        "species": (Kind.TEXT,),
        "quantity": (Kind.INTEGER, 1, 10000),
        "name": (Kind.TEXT,),
        "shelf": (Kind.INTEGER, 1, 4),  # the rack has four shelves
        "phase": (Kind.CHOICE,),
        "planted": (Kind.DAY,),
        "farm": (Kind.FARM,),
    },
    "get_overview": {"farm": (Kind.FARM,)},
}
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    # each group: dropping all of its fields makes the call incomplete
    "set_phase": (("plant",), ("phase",)),
    "log_watering": (("plants", "racks"),),
    "log_feeding": (("tank",), ("kind",)),
    "apply_treatment": (("product",), ("plants", "racks")),
    "record_harvest": (("plant",),),
    "mix_nutrients": (("tank",),),
    "analyze_runoff": (
        ("input_ec",),
        ("input_ph",),
        ("input_volume_l",),
        ("runoff_ec",),
        ("runoff_ph",),
        ("runoff_volume_l",),
    ),
    "add_plants": (("species",), ("quantity",)),
    "get_overview": (),
}


def _valid_calls(devices: dict[str, str]) -> dict[str, Call]:
    """One good call per action, which the mutations then break."""
    return {
        "set_phase": {"plant": devices["plant"], "phase": "vegetative"},
        "log_watering": {"plants": [devices["plant"]], "volume_l": 1.0},
        "log_feeding": {"tank": devices["tank"], "kind": "top_up", "volume_l": 10},
        "apply_treatment": {"racks": [devices["rack"]], "product": "spinosad"},
        "record_harvest": {"plant": devices["pot"], "weight_g": 50},
        "mix_nutrients": {
            "tank": devices["tank"],
            "target_ec": 1.6,
            "fertilizers": [{"fertilizer": "hydro_grow_a", "ml_per_l": 2}],
        },
        "analyze_runoff": {
            "input_ec": 1.8,
            "input_ph": 6.0,
            "input_volume_l": 10,
            "runoff_ec": 2.4,
            "runoff_ph": 6.2,
            "runoff_volume_l": 2,
        },
        "add_plants": {
            "rack": devices["rack"],
            "species": "basil",
            "quantity": 3,
            "shelf": 1,
        },
        "get_overview": {},
    }


NOT_A_NUMBER = st.one_of(
    st.none(),
    st.sampled_from(
        ["", "lots", "1,5", "nan", "inf", "-inf", "NaN", "1e400", [1], {"x": 1}]
    ),
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(float("-inf")),
)
JUNK = st.one_of(
    st.none(),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), min_size=1, max_size=3),
)
HUGE_TEXT = st.text(min_size=101, max_size=3000)
# Text with a control character (or line separator) between printable parts.
CONTROL_TEXT = st.tuples(
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=10),
    st.characters(categories=["Cc", "Zl", "Zp"]),
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=10),
).map("".join)
# Hypothesis's own date strategies fight the frozen clock: days from today instead.
DAYS_TO_YEAR_9000 = 2_500_000


def _bad_values(kind: tuple[Any, ...], wrong_devices: dict[str, list[str]]) -> Any:
    """Values no field of this kind accepts (or that its farm refuses)."""
    match kind:
        case (Kind.DEVICE | Kind.DEVICES as shape, subject):
            unknown = st.one_of(
                st.text(max_size=40), HUGE_TEXT, st.sampled_from(wrong_devices[subject])
            )
            bad = st.one_of(unknown, st.dictionaries(st.text(), st.text(), min_size=1))
            if shape is Kind.DEVICES:
                return st.one_of(bad, st.lists(unknown, min_size=1, max_size=3))
            return bad
        case (Kind.NUMBER, low, high, above_low):
            below = (
                st.floats(max_value=low, allow_nan=False)
                if above_low
                # -0.0 equals 0.0, which the range allows
                else st.floats(max_value=low, allow_nan=False).filter(
                    lambda value: value < low
                )
            )
            above = st.floats(min_value=high, exclude_min=True, allow_nan=False)
            return st.one_of(below, above, NOT_A_NUMBER)
        case (Kind.INTEGER, low, high):
            return st.one_of(
                st.integers(max_value=low - 1),
                st.integers(min_value=high + 1),
                st.floats(min_value=low, max_value=high).filter(
                    lambda value: not value.is_integer()
                ),
                NOT_A_NUMBER,
            )
        case (Kind.TEXT,):
            return st.one_of(
                st.sampled_from(["", "   "]), HUGE_TEXT, CONTROL_TEXT, JUNK
            )
        case (Kind.CHOICE,):
            return st.one_of(
                st.text(max_size=20).filter(
                    lambda value: (
                        value
                        not in {
                            "germination",
                            "seedling",
                            "vegetative",
                            "flowering",
                            "fruiting",
                            "ripening",
                            "harvest",
                            "dormancy",
                            "full_change",
                            "top_up",
                            "adjustment",
                        }
                    )
                ),
                st.integers(),
                JUNK,
            )
        case (Kind.BOOLEAN,):
            # only real booleans: words and numbers Home Assistant would read are refused
            return st.one_of(
                st.sampled_from(["maybe", "2", "", "ja", "yes", "false", "on", "0"]),
                st.integers(),
                st.floats(),
                JUNK,
            )
        case (Kind.WHEN,):
            now = dt_util.now()
            return st.one_of(
                st.timedeltas(min_value=timedelta(seconds=1)).map(
                    lambda ahead: _shift(now, ahead)
                ),
                st.timedeltas(min_value=timedelta(seconds=1)).map(
                    lambda back: _shift(now - MAX_BACKDATE, back, earlier=True)
                ),
                # naive local text, as the datetime selector sends it
                st.integers(min_value=1, max_value=DAYS_TO_YEAR_9000).map(
                    lambda days: (
                        _shift(now, timedelta(days=days))
                        .replace(tzinfo=None)
                        .isoformat()
                    )
                ),
                st.sampled_from(["yesterday", "2026-13-01T00:00:00", "", 17]),
                JUNK,
            )
        case (Kind.DAY,):
            today = dt_util.now().date()
            return st.one_of(
                st.integers(min_value=1, max_value=DAYS_TO_YEAR_9000).map(
                    lambda days: (today + timedelta(days=days)).isoformat()
                ),
                st.sampled_from(["last week", "2026-02-30", "", 3]),
                JUNK,
            )
        case (Kind.FARM,):
            return st.one_of(st.text(max_size=40), HUGE_TEXT, st.integers(), JUNK)
        case (Kind.FEEDING,):
            return st.one_of(
                st.dictionaries(
                    st.text(max_size=20).filter(lambda key: key != "calmag"),
                    st.floats(min_value=0, max_value=100),
                    min_size=1,
                    max_size=3,
                ),
                st.just({"calmag": -1}),
                st.just({"calmag": "much"}),
                st.lists(st.integers(), min_size=1),
                st.text(min_size=1),
            )
        case _:  # Kind.MIX
            return st.one_of(
                st.just([{}]),
                st.just([]),  # nothing to mix and the tank has no recipe
                st.just([{"fertilizer": "unobtainium"}]),
                st.just([{"name": "Home brew"}]),
                st.just([{"fertilizer": "calmag", "ml_per_l": -1}]),
                st.just([{"fertilizer": "calmag", "name": "x", "ec_per_ml": 1}]),
                st.just([{"fertilizer": "calmag"}] * 31),
                st.just([{"fertilizer": "calmag"}, {"fertilizer": "calmag"}]),
                st.text(min_size=1, max_size=50),
                JUNK,
            )


def _shift(at: datetime, by: timedelta, *, earlier: bool = False) -> datetime:
    """`at` moved by `by` (back when `earlier`), within the datetime type's range.

    Moving back subtracts rather than negating `by`: `-timedelta.max` itself
    is out of timedelta's range.
    """
    try:
        return at - by if earlier else at + by
    except OverflowError:
        return (
            datetime.min.replace(tzinfo=at.tzinfo)
            if earlier or by < timedelta(0)
            else datetime.max.replace(tzinfo=at.tzinfo)
        )


@st.composite
def _broken_call(
    draw: st.DrawFn,
    valid: dict[str, Call],
    wrong_devices: dict[str, list[str]],
) -> tuple[str, Call]:
    """A call of a random action with at least one thing wrong with it."""
    action = draw(st.sampled_from(sorted(FIELDS)))
    call = copy.deepcopy(valid[action])
    fields = FIELDS[action]
    options = ["bad_value", "unknown_key"]
    if REQUIRED[action]:
        options.append("missing")
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        match draw(st.sampled_from(options)):
            case "bad_value":
                field = draw(st.sampled_from(sorted(fields)))
                call[field] = draw(_bad_values(fields[field], wrong_devices))
            case "unknown_key":
                key = draw(
                    st.text(min_size=1, max_size=30).filter(lambda k: k not in fields)
                )
                call[key] = draw(st.one_of(st.integers(), st.text(), JUNK))
            case _:
                for field in draw(st.sampled_from(REQUIRED[action])):
                    call.pop(field, None)
    return action, call


def _snapshot(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """What a refused call must leave as it was."""
    entities = {
        item.entity_id
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }
    return (
        copy.deepcopy(entry.runtime_data.store.journal),
        dict(entry.subentries),
        {
            state.entity_id: (state.state, dict(state.attributes))
            for state in hass.states.async_all()
            if state.entity_id in entities
        },
        len(dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)),
    )


async def test_bad_input_is_refused_and_changes_nothing(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Wrong types, unknown devices, out-of-range numbers, future times, missing fields."""
    registry = dr.async_get(hass)

    def device(subject_id: str) -> str:
        (found,) = registry.async_get_devices(identifiers={(DOMAIN, subject_id)})
        return found.id

    devices = {
        "plant": device(PLANT_ID),
        "pot": device(POT_ID),
        "rack": device(RACK_ID),
        "tank": device(TANK_ID),
        "hub": device(loaded_farm.entry_id),
    }
    # Devices that exist but are of the wrong type for a field.
    wrong_devices = {
        "plant": [devices["tank"], devices["rack"], devices["hub"]],
        "rack": [devices["plant"], devices["tank"], devices["hub"]],
        "tank": [devices["plant"], devices["rack"], devices["hub"]],
    }
    valid = _valid_calls(devices)
    responses = {name: supports for name, _, _, supports in ACTIONS}
    loop = hass.loop

    def on_loop[T](coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=30)

    async def attempt(
        action: str, call: Call
    ) -> tuple[bool, BaseException | None, str]:
        """Call on the loop; whether the farm is unchanged, the error, its message."""
        before = _snapshot(hass, loaded_farm)
        try:
            await hass.services.async_call(
                DOMAIN,
                action,
                call,
                blocking=True,
                return_response=responses[action] is not SupportsResponse.NONE,
            )
        except Exception as err:  # noqa: BLE001 - which errors come out is the test
            await hass.async_block_till_done()
            # translated messages are read on the loop, where hass lives
            return before == _snapshot(hass, loaded_farm), err, str(err)
        return False, None, ""

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(_broken_call(valid, wrong_devices))
    def check(case: tuple[str, Call]) -> None:
        action, call = case
        unchanged, err, message = on_loop(attempt(action, call))
        assert err is not None, f"{action} accepted {call!r}"
        assert isinstance(err, (ServiceValidationError, probatio.Invalid)), repr(err)
        if isinstance(err, ServiceValidationError):
            assert err.translation_domain == DOMAIN
            assert message != err.translation_key, "not translated"
            template = EN["exceptions"][err.translation_key]["message"]
            wanted = set(re.findall(r"{(\w+)}", template))
            assert wanted <= set(err.translation_placeholders or {}), template
        assert unchanged, f"{action} changed the farm on {call!r}"

    await hass.async_add_executor_job(check)
    assert loaded_farm.runtime_data.store.journal == []


async def test_random_calls_never_crash(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Any mapping thrown at any action: a success, or one of the two refusals."""
    responses = {name: supports for name, _, _, supports in ACTIONS}
    loop = hass.loop
    value = st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=30),
            st.integers(min_value=-DAYS_TO_YEAR_9000, max_value=DAYS_TO_YEAR_9000).map(
                lambda days: _shift(dt_util.now(), timedelta(days=days))
            ),
        ),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.text(max_size=10), inner, max_size=3),
        ),
        max_leaves=6,
    )

    async def attempt(action: str, call: Call) -> BaseException | None:
        try:
            await hass.services.async_call(
                DOMAIN,
                action,
                call,
                blocking=True,
                return_response=responses[action] is not SupportsResponse.NONE,
            )
        except Exception as err:  # noqa: BLE001 - which errors come out is the test
            return err
        return None

    @settings(max_examples=60, deadline=None, database=None)
    @given(
        st.sampled_from(sorted(FIELDS)).flatmap(
            lambda action: st.tuples(
                st.just(action),
                st.dictionaries(
                    st.one_of(
                        st.sampled_from(sorted(FIELDS[action])), st.text(max_size=8)
                    ),
                    value,
                    max_size=5,
                ),
            )
        )
    )
    def check(case: tuple[str, Call]) -> None:
        action, call = case
        err = asyncio.run_coroutine_threadsafe(attempt(action, call), loop).result(
            timeout=30
        )
        assert err is None or isinstance(
            err, (ServiceValidationError, probatio.Invalid)
        ), repr(err)

    await hass.async_add_executor_job(check)
