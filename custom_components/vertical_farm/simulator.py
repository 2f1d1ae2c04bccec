"""Simulated hardware for the demo farm: a light, a pump and a tank's probes.

A farm created from the `demo_farm` starter kit gets a "simulated hardware"
device whose entities stand in for real ones: a light and a pump the farm
drives, and EC, pH, water temperature, level, air temperature, humidity and
PPFD sensors that behave like a small recirculating system. The demo's rack
and tank are linked to these entities, so every feature of the farm moves
without probes. A tick every few seconds advances the model (optionally sped
up) and pushes the states that changed; the model's state is stored, so a
restart continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
import math
from typing import Any, Final

from homeassistant.components.number import NumberEntity, NumberMode
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorStateClass,
)
from homeassistant.components.switch import SwitchEntity
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    Platform,
    UnitOfTemperature,
    UnitOfVolume,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import slugify

from .const import (
    CONF_AREA,
    CONF_EC_SENSOR,
    CONF_HUMIDITY_SENSOR,
    CONF_LEVEL_SENSOR,
    CONF_LIGHT_ENTITY,
    CONF_LIGHT_SENSOR,
    CONF_PH_SENSOR,
    CONF_PUMP_ENTITY,
    CONF_TEMPERATURE_SENSOR,
    DOMAIN,
    MANUFACTURER,
    SUBENTRY_RACK,
    SUBENTRY_TANK,
)
from .farm import FarmConfigEntry
from .services import finite

# Entry data key of a simulated farm: {"rack": subentry id, "tank": subentry id}.
CONF_SIMULATOR: Final = "simulator"
DEMO_KIT: Final = "demo_farm"
GROW_ROOM: Final = "Grow room"
DEMO_VOLUME_L: Final = 60.0  # the simulated tank's size when the demo has no tank

TICK: Final = timedelta(seconds=10)
SAVE_DELAY_S: Final = 60
MAX_SPEED: Final = 600
STORAGE_VERSION: Final = 1
PPFD_UNIT: Final = "µmol/m²/s"
EC_UNIT: Final = "mS/cm"

# The model's constants: a small NFT rack with LED bars in a heated room.
EVAPORATION_PER_DAY = 0.015  # share of the tank volume, lights off
LIGHT_EVAPORATION_FACTOR = 1.6  # warm lights drive evaporation
UPTAKE_PER_DAY = 0.06  # share of the tank volume the plants drink while fed
UPTAKE_SALT_RATIO = 0.5  # plants take water faster than salts: EC climbs
CHANNEL_SHARE = 0.05  # share of the tank out in the channels while the pump runs
PH_DRIFT_PER_DAY = 0.15  # nitrate uptake makes the solution more alkaline
PH_MAX = 8.5
PPFD_LIGHTS_ON = 320.0
AIR_ON_C, AIR_OFF_C, AIR_TAU_S = 26.0, 20.0, 20 * 60.0
HUMIDITY_ON, HUMIDITY_OFF, HUMIDITY_TAU_S = 68.0, 55.0, 30 * 60.0
WATER_BELOW_AIR_C, WATER_TAU_S = 1.0, 6 * 3600.0
FRESH_PH = 5.9
DEFAULT_EC = 1.2


@dataclass(frozen=True, kw_only=True, slots=True)
class SimulatedState:
    """Where the simulated rack and tank are now."""

    water_l: float
    ec: float
    ph: float = FRESH_PH
    water_c: float = 19.0
    air_c: float = 21.0
    humidity: float = 55.0
    light_on: bool = False
    pump_on: bool = False
    speed: float = 1.0
    filled_at: str | None = None  # the last water change the model followed

    @classmethod
    def fresh(cls, volume_l: float, ec: float) -> SimulatedState:
        """A tank just filled to 85 % with a fresh solution."""
        return cls(water_l=round(volume_l * 0.85, 3), ec=ec)

    @classmethod
    def from_stored(
        cls, data: Mapping[str, Any], default: SimulatedState
    ) -> SimulatedState:
        """The stored state; fields missing or of the wrong type keep the default."""
        values = asdict(default)
        for key, value in data.items():
            current = values.get(key)
            if key == "filled_at":
                if value is None or isinstance(value, str):
                    values[key] = value
            elif isinstance(current, bool):
                if isinstance(value, bool):
                    values[key] = value
            elif (
                isinstance(current, float)
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                values[key] = float(value)
        return cls(**values)

    def ppfd(self) -> float:
        """Light at the canopy."""
        return PPFD_LIGHTS_ON if self.light_on else 0.0

    def level_l(self, volume_l: float) -> float:
        """What a level probe in the tank reads (less while the channels are full)."""
        return max(
            0.0, self.water_l - (volume_l * CHANNEL_SHARE if self.pump_on else 0)
        )


def _approach(value: float, target: float, dt_s: float, tau_s: float) -> float:
    return target + (value - target) * math.exp(-dt_s / tau_s)


def advance(state: SimulatedState, dt_s: float, volume_l: float) -> SimulatedState:
    """The state `dt_s` simulated seconds later (pure; no Home Assistant)."""
    days = dt_s / 86400
    evaporation = EVAPORATION_PER_DAY * (
        LIGHT_EVAPORATION_FACTOR if state.light_on else 1.0
    )
    uptake = UPTAKE_PER_DAY if state.pump_on else 0.0
    lost_l = min(state.water_l, volume_l * (evaporation + uptake) * days)
    water_l = state.water_l - lost_l
    salt = state.ec * state.water_l
    salt -= min(salt, volume_l * uptake * days * state.ec * UPTAKE_SALT_RATIO)
    air_c = _approach(
        state.air_c, AIR_ON_C if state.light_on else AIR_OFF_C, dt_s, AIR_TAU_S
    )
    return replace(
        state,
        water_l=water_l,
        # an empty tank shows the last solution's EC (a dry probe reads nothing new)
        ec=salt / water_l if water_l > 0.01 else state.ec,
        ph=min(PH_MAX, state.ph + PH_DRIFT_PER_DAY * days),
        air_c=air_c,
        humidity=_approach(
            state.humidity,
            HUMIDITY_ON if state.light_on else HUMIDITY_OFF,
            dt_s,
            HUMIDITY_TAU_S,
        ),
        water_c=_approach(state.water_c, air_c - WATER_BELOW_AIR_C, dt_s, WATER_TAU_S),
    )


def water_change(state: SimulatedState, volume_l: float, ec: float) -> SimulatedState:
    """A full tank of fresh solution at `ec`."""
    return replace(state, water_l=volume_l, ec=ec, ph=FRESH_PH)


# --- The demo farm's links ----------------------------------------------------

RACK_LINKS: Final = {
    CONF_LIGHT_ENTITY: (Platform.SWITCH, "light"),
    CONF_PUMP_ENTITY: (Platform.SWITCH, "pump"),
    CONF_TEMPERATURE_SENSOR: (Platform.SENSOR, "air_temperature"),
    CONF_HUMIDITY_SENSOR: (Platform.SENSOR, "humidity"),
    CONF_LIGHT_SENSOR: (Platform.SENSOR, "ppfd"),
}
TANK_LINKS: Final = {
    CONF_EC_SENSOR: (Platform.SENSOR, "ec"),
    CONF_PH_SENSOR: (Platform.SENSOR, "ph"),
    CONF_TEMPERATURE_SENSOR: (Platform.SENSOR, "water_temperature"),
    CONF_LEVEL_SENSOR: (Platform.SENSOR, "level"),
}


def simulated_entity_id(farm_name: str, platform: str, key: str) -> str:
    """The entity id a simulated entity of the farm named asks for."""
    return f"{platform}.{slugify(farm_name)}_simulated_{key}"


def link_demo(
    farm_name: str, subentries: list[ConfigSubentryDataWithId], area_id: str | None
) -> dict[str, str]:
    """Link the kit's first rack and tank to the simulator; every device to the area.

    Returns the simulator's entry data (which rack and tank it stands in for).
    """
    chosen: dict[str, str] = {}
    links = {SUBENTRY_RACK: RACK_LINKS, SUBENTRY_TANK: TANK_LINKS}
    for subentry in subentries:
        kind = subentry["subentry_type"]
        data = dict(subentry["data"])
        if area_id:
            data[CONF_AREA] = area_id
        if kind in links and kind not in chosen:
            chosen[kind] = subentry["subentry_id"]
            data.update(
                {
                    conf: simulated_entity_id(farm_name, platform, key)
                    for conf, (platform, key) in links[kind].items()
                }
            )
        subentry["data"] = data
    return chosen


@callback
def async_grow_room(hass: HomeAssistant) -> str:
    """The id of the "Grow room" area, created when missing."""
    return ar.async_get(hass).async_get_or_create(GROW_ROOM).id


# --- The live simulator -------------------------------------------------------


@dataclass(kw_only=True, slots=True)
class SimulatedFarm:
    """One farm's simulated hardware, advanced on a timer and stored."""

    hass: HomeAssistant
    entry_id: str
    farm_name: str
    rack_id: str | None
    tank_id: str | None
    volume_l: float
    target_ec: Callable[[], float | None]
    filled_at: Callable[[], str | None]
    hub_device_id: str | None = None
    state: SimulatedState = field(init=False)
    store: Store[dict[str, Any]] = field(init=False)
    _listeners: list[Callable[[], None]] = field(default_factory=list)
    _unsub: list[CALLBACK_TYPE] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start from a fresh tank until the stored state is loaded."""
        self.state = SimulatedState.fresh(self.volume_l, DEFAULT_EC)
        self.store = Store(
            self.hass, STORAGE_VERSION, f"{DOMAIN}.simulator.{self.entry_id}"
        )

    def _fill_ec(self) -> float:
        return self.target_ec() or DEFAULT_EC

    async def async_start(self) -> None:
        """Continue from the stored state and start ticking."""
        stored = await self.store.async_load()
        fresh = replace(
            SimulatedState.fresh(self.volume_l, self._fill_ec()),
            filled_at=self.filled_at(),
        )
        self.state = (
            fresh if stored is None else SimulatedState.from_stored(stored, fresh)
        )
        self._unsub.append(
            async_track_time_interval(
                self.hass, self._async_tick, TICK, name="vertical_farm simulator"
            )
        )

    async def async_stop(self) -> None:
        """Stop ticking and store where the model is."""
        for unsub in self._unsub:
            unsub()
        self._unsub.clear()
        await self.store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        return asdict(self.state)

    @callback
    def async_listen(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `update` after every change of the model."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    async def async_set(self, **changes: Any) -> None:
        """Change the model (a switch flipped, the speed set) and tell the entities.

        Written at once, not with the batched save of the model's course: a
        crash right after the call keeps the change.
        """
        self.state = replace(self.state, **changes)
        self._async_changed()
        await self.store.async_save(self._data())

    @callback
    def async_follow_tank(self) -> None:
        """A logged water change refills the simulated tank with fresh solution."""
        filled_at = self.filled_at()
        if filled_at is not None and filled_at != self.state.filled_at:
            self.state = replace(
                water_change(self.state, self.volume_l, self._fill_ec()),
                filled_at=filled_at,
            )
            self._async_changed()

    @callback
    def _async_tick(self, now: datetime) -> None:
        dt_s = TICK.total_seconds() * self.state.speed
        self.state = advance(self.state, dt_s, self.volume_l)
        self._async_changed()

    @callback
    def _async_changed(self) -> None:
        self.store.async_delay_save(self._data, SAVE_DELAY_S)
        for update in list(self._listeners):
            update()

    @property
    def device_info(self) -> DeviceInfo:
        """The simulated hardware's device, beside the farm's hub."""
        info = DeviceInfo(
            identifiers={(DOMAIN, f"{self.entry_id}_simulator")},
            name=f"{self.farm_name} simulated hardware",
            manufacturer=MANUFACTURER,
            model="Simulator",
        )
        if self.hub_device_id is not None:
            info["via_device_id"] = self.hub_device_id
        return info

    def entities(self, platform: Platform) -> list[Entity]:
        """The simulated entities of one platform."""
        if platform is Platform.SWITCH:
            return [SimulatedSwitch(self, key) for key in ("light", "pump")]
        if platform is Platform.NUMBER:
            return [SimulationSpeed(self)]
        if platform is Platform.SENSOR:
            return [SimulatedSensor(self, spec) for spec in SENSORS]
        return []


# --- Entities -----------------------------------------------------------------


class SimulatedEntity(Entity):
    """An entity of the simulated hardware; it follows the model."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, simulator: SimulatedFarm, platform: Platform, key: str) -> None:
        """Name and place the entity; ask for the id the demo links to."""
        self.simulator = simulator
        self._attr_translation_key = f"simulated_{key}"
        self._attr_unique_id = f"{simulator.entry_id}_simulated_{key}"
        self._attr_device_info = simulator.device_info
        self.entity_id = simulated_entity_id(simulator.farm_name, platform, key)
        self._written: Any = None

    async def async_added_to_hass(self) -> None:
        """Follow the model."""
        self.async_on_remove(self.simulator.async_listen(self._async_changed))

    def shown(self) -> Any:
        """What the state shows; written only when this changes."""
        raise NotImplementedError

    @callback
    def _async_changed(self) -> None:
        shown = self.shown()
        if shown != self._written:
            self._written = shown
            self.async_write_ha_state()


class SimulatedSwitch(SimulatedEntity, SwitchEntity):
    """The simulated light or pump the farm drives."""

    def __init__(self, simulator: SimulatedFarm, key: str) -> None:
        """The light or the pump."""
        super().__init__(simulator, Platform.SWITCH, key)
        self._field = f"{key}_on"

    @property
    def is_on(self) -> bool:
        """Whether it is switched on."""
        return bool(getattr(self.simulator.state, self._field))

    def shown(self) -> Any:
        """On or off."""
        return self.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch it on."""
        await self.simulator.async_set(**{self._field: True})

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch it off."""
        await self.simulator.async_set(**{self._field: False})


class SimulationSpeed(SimulatedEntity, NumberEntity):
    """How many simulated seconds pass in one second (1 = real time)."""

    _attr_entity_category = EntityCategory.CONFIG
    _attr_native_min_value = 1
    _attr_native_max_value = MAX_SPEED
    _attr_native_step = 1
    _attr_mode = NumberMode.BOX
    _attr_native_unit_of_measurement = "x"

    def __init__(self, simulator: SimulatedFarm) -> None:
        """The speed number."""
        super().__init__(simulator, Platform.NUMBER, "speed")

    @property
    def native_value(self) -> float:
        """The speed-up."""
        return self.simulator.state.speed

    def shown(self) -> Any:
        """The speed-up."""
        return self.native_value

    async def async_set_native_value(self, value: float) -> None:
        """Run the model faster or slower; NaN is refused.

        Home Assistant checks the bounds, and NaN is neither below nor above.
        """
        await self.simulator.async_set(speed=finite("speed")(value))


@dataclass(frozen=True, kw_only=True, slots=True)
class SensorSpec:
    """One simulated probe."""

    key: str
    unit: str | None
    device_class: SensorDeviceClass | None
    digits: int
    value_fn: Callable[[SimulatedFarm], float]


SENSORS: Final = (
    SensorSpec(
        key="ec",
        unit=EC_UNIT,
        device_class=SensorDeviceClass.CONDUCTIVITY,
        digits=2,
        value_fn=lambda sim: sim.state.ec,
    ),
    SensorSpec(
        key="ph",
        unit=None,
        device_class=SensorDeviceClass.PH,
        digits=2,
        value_fn=lambda sim: sim.state.ph,
    ),
    SensorSpec(
        key="water_temperature",
        unit=UnitOfTemperature.CELSIUS,
        device_class=SensorDeviceClass.TEMPERATURE,
        digits=1,
        value_fn=lambda sim: sim.state.water_c,
    ),
    SensorSpec(
        key="level",
        unit=UnitOfVolume.LITERS,
        device_class=SensorDeviceClass.VOLUME_STORAGE,
        digits=1,
        value_fn=lambda sim: sim.state.level_l(sim.volume_l),
    ),
    SensorSpec(
        key="air_temperature",
        unit=UnitOfTemperature.CELSIUS,
        device_class=SensorDeviceClass.TEMPERATURE,
        digits=1,
        value_fn=lambda sim: sim.state.air_c,
    ),
    SensorSpec(
        key="humidity",
        unit=PERCENTAGE,
        device_class=SensorDeviceClass.HUMIDITY,
        digits=0,
        value_fn=lambda sim: sim.state.humidity,
    ),
    SensorSpec(
        key="ppfd",
        unit=PPFD_UNIT,
        device_class=None,
        digits=0,
        value_fn=lambda sim: sim.state.ppfd(),
    ),
)


class SimulatedSensor(SimulatedEntity, SensorEntity):
    """A simulated probe."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, simulator: SimulatedFarm, spec: SensorSpec) -> None:
        """One probe of the model."""
        super().__init__(simulator, Platform.SENSOR, spec.key)
        self.spec = spec
        self._attr_native_unit_of_measurement = spec.unit
        self._attr_device_class = spec.device_class
        self._attr_suggested_display_precision = spec.digits

    @property
    def native_value(self) -> float:
        """The reading, rounded as a real probe reports it."""
        return round(self.spec.value_fn(self.simulator), self.spec.digits)

    def shown(self) -> Any:
        """The reading."""
        return self.native_value


# --- Setup --------------------------------------------------------------------


@callback
def async_prepare_simulator(hass: HomeAssistant, entry: FarmConfigEntry) -> None:
    """Before the farm's devices are made: the demo's area must exist."""
    if CONF_SIMULATOR in entry.data:
        async_grow_room(hass)


async def async_start_simulator(hass: HomeAssistant, entry: FarmConfigEntry) -> None:
    """Start the demo farm's simulated hardware (other farms have none)."""
    links = entry.data.get(CONF_SIMULATOR)
    if not isinstance(links, Mapping):
        return
    farm = entry.runtime_data.farm
    rack_id = links.get(SUBENTRY_RACK)
    tank_id = links.get(SUBENTRY_TANK)
    tank = farm.config.tanks.get(tank_id or "")

    def target_ec() -> float | None:
        return None if tank is None else farm.views.tank(tank.id).target_ec

    def filled_at() -> str | None:
        if tank is None:
            return None
        value = farm.store.state(tank.id).get("filled_at")
        return value if isinstance(value, str) else None

    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    simulator = SimulatedFarm(
        hass=hass,
        entry_id=entry.entry_id,
        farm_name=farm.settings.name,
        rack_id=rack_id if rack_id in farm.config.racks else None,
        tank_id=None if tank is None else tank.id,
        volume_l=DEMO_VOLUME_L if tank is None else tank.volume_l,
        target_ec=target_ec,
        filled_at=filled_at,
        hub_device_id=None if hub is None else hub.id,
    )
    await simulator.async_start()
    entry.runtime_data.simulator = simulator
    _async_place_hardware(hass, entry, simulator)
    if tank is not None:
        entry.async_on_unload(farm.async_listen(tank.id, simulator.async_follow_tank))
    if simulator.rack_id is not None:
        # A new demo drives its light and pump from the start, so it moves at once.
        stored = farm.store.state(simulator.rack_id)
        for schedule in ("light_schedule", "irrigation_schedule"):
            if schedule not in stored:
                await farm.async_set_schedule(simulator.rack_id, schedule, True)


@callback
def _async_place_hardware(
    hass: HomeAssistant, entry: FarmConfigEntry, simulator: SimulatedFarm
) -> None:
    """Create the simulated hardware's device; a new one goes in the Grow room."""
    registry = dr.async_get(hass)
    info = simulator.device_info
    identifier = next(iter(info["identifiers"]))
    known = registry.async_get_device_by_identifier(identifier, entry.entry_id)
    device = registry.async_get_or_create(config_entry_id=entry.entry_id, **info)
    if known is None:
        registry.async_update_device(device.id, area_id=async_grow_room(hass))


async def async_remove_simulator(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed farm's stored simulator state."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, f"{DOMAIN}.simulator.{entry_id}"
    ).async_remove()
