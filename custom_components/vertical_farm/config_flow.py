"""Config flow for Vertical Farm: the farm, starter kits, subentries, options, discovery."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryDataWithId,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import UnitOfTime, UnitOfVolume
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
from homeassistant.util import dt as dt_util, ulid as ulid_util
import probatio

from .const import (
    CONF_ALKALINITY,
    CONF_AREA,
    CONF_CARE_PRESET,
    CONF_CONTAINER_L,
    CONF_CULTIVAR,
    CONF_EC_SENSOR,
    CONF_FERTILIZER,
    CONF_FERTILIZERS,
    CONF_HEMISPHERE,
    CONF_HUMIDITY_SENSOR,
    CONF_LEVEL_SENSOR,
    CONF_LIGHT_ENTITY,
    CONF_LIGHT_MODE,
    CONF_LIGHT_SENSOR,
    CONF_LIGHTS_ON,
    CONF_ML_PER_L,
    CONF_MOISTURE_SENSOR,
    CONF_NAME,
    CONF_PH_SENSOR,
    CONF_PHASE,
    CONF_PHOTOPERIOD_H,
    CONF_PLANNER_TOKEN,
    CONF_PLANNER_URL,
    CONF_PLANTED,
    CONF_PUMP_ENTITY,
    CONF_PUMP_OFF_MIN,
    CONF_PUMP_ON_MIN,
    CONF_QUANTITY,
    CONF_RACK,
    CONF_RO_EC,
    CONF_SHELF,
    CONF_SHELVES,
    CONF_SITES_PER_SHELF,
    CONF_SPECIES,
    CONF_SYSTEM,
    CONF_TANK,
    CONF_TANK_TYPE,
    CONF_TAP_EC,
    CONF_TAP_PH,
    CONF_TEMPERATURE_SENSOR,
    CONF_VOLUME_L,
    CONF_VOLUME_SENSOR,
    DEFAULT_ALKALINITY,
    DEFAULT_LIGHTS_ON,
    DEFAULT_PHOTOPERIOD_H,
    DEFAULT_PUMP_OFF_MIN,
    DEFAULT_PUMP_ON_MIN,
    DEFAULT_SHELVES,
    DEFAULT_TAP_EC,
    DEFAULT_TAP_PH,
    DOMAIN,
    LIGHT_MODE_AUTO,
    LIGHT_MODE_FIXED,
    LIGHT_MODES,
    MAX_ALKALINITY,
    MAX_CONTAINER_L,
    MAX_EC,
    MAX_PUMP_MIN,
    MAX_QUANTITY,
    MAX_SHELVES,
    MAX_SITES_PER_SHELF,
    MAX_VOLUME_L,
    SUBENTRY_PLANT,
    SUBENTRY_RACK,
    SUBENTRY_TANK,
)
from .engine.profiles import Hemisphere, Library, Phase, StarterKit, System, TankType
from .farm import FarmConfigEntry, async_get_bundled_library, farm_library
from .options_flow import FarmOptionsFlow
from .placement import placement_warnings
from .selectors import (
    choice_selector,
    entity_selector,
    labelled_selector,
    number_selector,
)
from .simulator import CONF_SIMULATOR, DEMO_KIT, async_grow_room, link_demo
from .validation import (
    Errors,
    name_key,
    normalize_farm,
    normalize_plant,
    normalize_rack,
    normalize_tank,
)
from .watering_plans import watering_plan_fields

EC_UNIT = "mS/cm"


_TEXT = selector.TextSelector()
_AREA = selector.AreaSelector()


def water_schema() -> dict[probatio.Marker, Any]:
    """The farm's water fields."""
    return {
        probatio.Required(CONF_HEMISPHERE): choice_selector(
            list(Hemisphere), CONF_HEMISPHERE
        ),
        probatio.Required(CONF_TAP_EC, default=DEFAULT_TAP_EC): number_selector(
            0, MAX_EC, 0.01, EC_UNIT
        ),
        probatio.Required(CONF_TAP_PH, default=DEFAULT_TAP_PH): number_selector(
            0, 14, 0.1
        ),
        probatio.Required(CONF_ALKALINITY, default=DEFAULT_ALKALINITY): number_selector(
            0, MAX_ALKALINITY, 1, "ppm"
        ),
        probatio.Optional(CONF_RO_EC): number_selector(0, MAX_EC, 0.01, EC_UNIT),
    }


def farm_schema() -> probatio.Schema:
    """Fields of the farm step and its reconfigure."""
    return probatio.Schema({probatio.Required(CONF_NAME): _TEXT, **water_schema()})


class VerticalFarmConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create a farm by hand, from a starter kit, or when the planner is found."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with no planner found."""
        self._planner: dict[str, str] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> FarmOptionsFlow:
        """Planner connection and the user's own species and fertilizers."""
        return FarmOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Racks, tanks and plants are subentries of a farm."""
        return {
            SUBENTRY_RACK: RackSubentryFlow,
            SUBENTRY_TANK: TankSubentryFlow,
            SUBENTRY_PLANT: PlantSubentryFlow,
        }

    def _default_hemisphere(self) -> str:
        return Hemisphere.SOUTH if self.hass.config.latitude < 0 else Hemisphere.NORTH

    def _name_taken(self, name: str, exclude: str | None = None) -> bool:
        return any(
            entry.unique_id == name_key(name) and entry.entry_id != exclude
            for entry in self._async_current_entries(include_ignore=False)
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose: describe the farm, or start from a starter kit."""
        return self.async_show_menu(step_id="user", menu_options=["farm", "kit"])

    async def async_step_farm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Describe the farm and its water."""
        errors: Errors = {}
        if user_input is not None:
            data, errors = normalize_farm(user_input)
            if not errors and self._name_taken(data[CONF_NAME]):
                errors[CONF_NAME] = "name_exists"
            if not errors:
                await self.async_set_unique_id(
                    name_key(data[CONF_NAME]), raise_on_progress=False
                )
                return self.async_create_entry(
                    title=data[CONF_NAME], data=data, options=self._planner
                )
        return self.async_show_form(
            step_id="farm",
            data_schema=self.add_suggested_values_to_schema(
                farm_schema(),
                user_input or {CONF_HEMISPHERE: self._default_hemisphere()},
            ),
            errors=errors,
        )

    async def async_step_kit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a farm with its racks, tanks and plants from a starter kit."""
        library = await async_get_bundled_library(self.hass)
        errors: Errors = {}
        if user_input is not None:
            data, errors = normalize_farm(user_input)
            if not errors and self._name_taken(data[CONF_NAME]):
                errors[CONF_NAME] = "name_exists"
            if not errors:
                await self.async_set_unique_id(
                    name_key(data[CONF_NAME]), raise_on_progress=False
                )
                kit = library.kits[user_input["kit"]]
                subentries = kit_subentries(
                    kit, library, dt_util.now().date().isoformat()
                )
                if kit.key == DEMO_KIT:
                    data[CONF_SIMULATOR] = link_demo(
                        data[CONF_NAME], subentries, async_grow_room(self.hass)
                    )
                return self.async_create_entry(
                    title=data[CONF_NAME],
                    data=data,
                    options=self._planner,
                    subentries=subentries,
                )
        schema = probatio.Schema(
            {
                probatio.Required("kit"): choice_selector(sorted(library.kits), "kit"),
                probatio.Required(CONF_NAME): _TEXT,
                **water_schema(),
            }
        )
        return self.async_show_form(
            step_id="kit",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or {CONF_HEMISPHERE: self._default_hemisphere()}
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the farm's name, hemisphere or water."""
        entry = self._get_reconfigure_entry()
        errors: Errors = {}
        if user_input is not None:
            data, errors = normalize_farm(user_input)
            if not errors and self._name_taken(data[CONF_NAME], entry.entry_id):
                errors[CONF_NAME] = "name_exists"
            if not errors:
                if CONF_SIMULATOR in entry.data:
                    data[CONF_SIMULATOR] = entry.data[CONF_SIMULATOR]
                return self.async_update_reload_and_abort(
                    entry,
                    title=data[CONF_NAME],
                    unique_id=name_key(data[CONF_NAME]),
                    data=data,
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                farm_schema(), user_input or dict(entry.data)
            ),
            errors=errors,
        )

    async def async_step_hassio(
        self, discovery_info: HassioServiceInfo
    ) -> ConfigFlowResult:
        """The planner add-on announced itself through the Supervisor."""
        config = discovery_info.config
        self._planner = {
            CONF_PLANNER_URL: f"http://{config['host']}:{config['port']}",
            CONF_PLANNER_TOKEN: str(config["token"]),
        }
        await self.async_set_unique_id(f"planner_{discovery_info.uuid}")
        farms = self._async_current_entries(include_ignore=False)
        if farms and all(
            farm.options.get(CONF_PLANNER_URL) == self._planner[CONF_PLANNER_URL]
            and farm.options.get(CONF_PLANNER_TOKEN)
            == self._planner[CONF_PLANNER_TOKEN]
            for farm in farms
        ):
            return self.async_abort(reason="already_configured")
        self.context["title_placeholders"] = {"name": discovery_info.name}
        return await self.async_step_hassio_confirm()

    async def async_step_hassio_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before linking the planner; with no farm yet, go on to create one."""
        if user_input is None:
            return self.async_show_form(
                step_id="hassio_confirm",
                description_placeholders={"url": self._planner[CONF_PLANNER_URL]},
            )
        farms = self._async_current_entries(include_ignore=False)
        if not farms:
            return await self.async_step_farm()
        for farm in farms:
            self.hass.config_entries.async_update_entry(
                farm, options={**farm.options, **self._planner}
            )
            self.hass.config_entries.async_schedule_reload(farm.entry_id)
        return self.async_abort(reason="planner_linked")


def kit_subentries(
    kit: StarterKit, library: Library, today: str
) -> list[ConfigSubentryDataWithId]:
    """The subentries a starter kit creates, linked by generated ids."""
    tank_ids = {tank.name: ulid_util.ulid_now() for tank in kit.tanks}
    rack_ids = {rack.name: ulid_util.ulid_now() for rack in kit.racks}
    used: set[str] = set()

    def unique(title: str) -> str:
        # Two trays of one species on one shelf still need two names.
        candidate, number = title, 1
        while name_key(candidate) in used:
            number += 1
            candidate = f"{title} {number}"
        used.add(name_key(candidate))
        return candidate

    tanks = [
        _kit_subentry(
            SUBENTRY_TANK,
            tank_ids[tank.name],
            unique(tank.name),
            {
                CONF_TANK_TYPE: str(tank.tank_type),
                CONF_VOLUME_L: tank.volume_l,
                CONF_SYSTEM: str(tank.system),
                CONF_FERTILIZERS: [
                    {CONF_FERTILIZER: key, CONF_ML_PER_L: dose}
                    for key, dose in tank.fertilizers
                ],
            },
        )
        for tank in kit.tanks
    ]
    racks = [
        _kit_subentry(
            SUBENTRY_RACK,
            rack_ids[rack.name],
            unique(rack.name),
            {
                CONF_SHELVES: rack.shelves,
                CONF_TANK: tank_ids.get(rack.tank or ""),
                CONF_LIGHT_MODE: LIGHT_MODE_AUTO
                if rack.photoperiod_h is None
                else LIGHT_MODE_FIXED,
                CONF_LIGHTS_ON: DEFAULT_LIGHTS_ON,
                CONF_PHOTOPERIOD_H: rack.photoperiod_h or DEFAULT_PHOTOPERIOD_H,
                CONF_PUMP_ON_MIN: DEFAULT_PUMP_ON_MIN,
                CONF_PUMP_OFF_MIN: DEFAULT_PUMP_OFF_MIN,
            },
        )
        for rack in kit.racks
    ]
    plants = [
        _kit_subentry(
            SUBENTRY_PLANT,
            ulid_util.ulid_now(),
            unique(
                f"{library.species[plant.species].name} ({plant.rack}, shelf {plant.shelf})"
                if plant.rack
                else library.species[plant.species].name
            ),
            {
                CONF_SPECIES: plant.species,
                CONF_QUANTITY: plant.quantity,
                CONF_RACK: rack_ids.get(plant.rack or ""),
                CONF_SHELF: plant.shelf,
                CONF_PLANTED: today,
                CONF_PHASE: str(library.species[plant.species].sequence[0]),
                CONF_CARE_PRESET: library.species[plant.species].care_preset,
                CONF_CONTAINER_L: plant.container_l,
            },
        )
        for plant in kit.plants
    ]
    return [*tanks, *racks, *plants]


def _kit_subentry(
    subentry_type: str, subentry_id: str, title: str, data: dict[str, Any]
) -> ConfigSubentryDataWithId:
    return ConfigSubentryDataWithId(
        subentry_id=subentry_id,
        subentry_type=subentry_type,
        title=title,
        unique_id=None,
        data={CONF_NAME: title, **data},
    )


class _FarmSubentryFlow(ConfigSubentryFlow):
    """Shared create / reconfigure steps of racks, tanks and plants."""

    _pending: tuple[dict[str, Any], ConfigSubentry | None]

    async def _async_schema(self) -> probatio.Schema:
        raise NotImplementedError

    async def _async_normalize(
        self, user_input: dict[str, Any], exclude: str | None
    ) -> tuple[dict[str, Any], Errors]:
        raise NotImplementedError

    async def _async_library(self) -> Library:
        entry: FarmConfigEntry = self._get_entry()
        return farm_library(await async_get_bundled_library(self.hass), entry.options)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add one."""
        errors: Errors = {}
        if user_input is not None:
            data, errors = await self._async_normalize(user_input, None)
            if not errors:
                if warnings := self._warnings(data, None):
                    return self._async_show_warnings(data, None, warnings)
                return self.async_create_entry(title=data[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                await self._async_schema(), user_input or {}
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change one."""
        subentry = self._get_reconfigure_subentry()
        errors: Errors = {}
        if user_input is not None:
            data, errors = await self._async_normalize(user_input, subentry.subentry_id)
            if not errors:
                if warnings := self._warnings(data, subentry.subentry_id):
                    return self._async_show_warnings(data, subentry, warnings)
                return await self._async_update_and_abort(subentry, data)
        current = {
            key: value for key, value in subentry.data.items() if value is not None
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                await self._async_schema(), user_input or current
            ),
            errors=errors,
        )

    def _warnings(self, data: dict[str, Any], exclude: str | None) -> str:
        """What the grower should know before going on ("" for nothing)."""
        return ""

    def _async_show_warnings(
        self, data: dict[str, Any], subentry: ConfigSubentry | None, warnings: str
    ) -> SubentryFlowResult:
        """Show the warnings; going on saves what was entered."""
        self._pending = (data, subentry)
        return self.async_show_form(
            step_id="warnings", description_placeholders={"warnings": warnings}
        )

    async def async_step_warnings(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The grower read the warnings and goes on."""
        data, subentry = self._pending
        if subentry is None:
            return self.async_create_entry(title=data[CONF_NAME], data=data)
        return await self._async_update_and_abort(subentry, data)

    async def _async_update_and_abort(
        self, subentry: ConfigSubentry, data: dict[str, Any]
    ) -> SubentryFlowResult:
        """Save the change; close once what it recorded (a move, a phase) is on disk."""
        entry: FarmConfigEntry = self._get_entry()
        result = self.async_update_and_abort(
            entry, subentry, title=data[CONF_NAME], data=data
        )
        if entry.state is ConfigEntryState.LOADED:
            await entry.runtime_data.farm.async_changes_written()
        return result

    def _siblings(self, subentry_type: str) -> dict[str, str]:
        return {
            subentry_id: subentry.title
            for subentry_id, subentry in self._get_entry().subentries.items()
            if subentry.subentry_type == subentry_type
        }


class RackSubentryFlow(_FarmSubentryFlow):
    """Add or change a rack."""

    async def _async_schema(self) -> probatio.Schema:
        tanks = self._siblings(SUBENTRY_TANK)
        return probatio.Schema(
            {
                probatio.Required(CONF_NAME): _TEXT,
                probatio.Required(
                    CONF_SHELVES, default=DEFAULT_SHELVES
                ): number_selector(1, MAX_SHELVES, 1),
                probatio.Optional(CONF_SITES_PER_SHELF): number_selector(
                    1, MAX_SITES_PER_SHELF, 1
                ),
                probatio.Optional(CONF_TANK): labelled_selector(tanks),
                probatio.Optional(CONF_AREA): _AREA,
                probatio.Optional(CONF_LIGHT_ENTITY): entity_selector(
                    ["light", "switch"]
                ),
                probatio.Required(
                    CONF_LIGHT_MODE, default=LIGHT_MODE_AUTO
                ): choice_selector(list(LIGHT_MODES), CONF_LIGHT_MODE),
                probatio.Required(
                    CONF_LIGHTS_ON, default=DEFAULT_LIGHTS_ON
                ): selector.TimeSelector(),
                probatio.Required(
                    CONF_PHOTOPERIOD_H, default=DEFAULT_PHOTOPERIOD_H
                ): number_selector(0, 24, 0.5, UnitOfTime.HOURS),
                probatio.Optional(CONF_PUMP_ENTITY): entity_selector(
                    ["switch", "valve"]
                ),
                probatio.Required(
                    CONF_PUMP_ON_MIN, default=DEFAULT_PUMP_ON_MIN
                ): number_selector(1, MAX_PUMP_MIN, 1, UnitOfTime.MINUTES),
                probatio.Required(
                    CONF_PUMP_OFF_MIN, default=DEFAULT_PUMP_OFF_MIN
                ): number_selector(0, MAX_PUMP_MIN, 1, UnitOfTime.MINUTES),
                probatio.Optional(CONF_TEMPERATURE_SENSOR): entity_selector(
                    "sensor", "temperature"
                ),
                probatio.Optional(CONF_HUMIDITY_SENSOR): entity_selector(
                    "sensor", "humidity"
                ),
                probatio.Optional(CONF_LIGHT_SENSOR): entity_selector("sensor"),
            }
        )

    async def _async_normalize(
        self, user_input: dict[str, Any], exclude: str | None
    ) -> tuple[dict[str, Any], Errors]:
        return normalize_rack(self._get_entry(), user_input, exclude)


class TankSubentryFlow(_FarmSubentryFlow):
    """Add or change a tank."""

    async def _async_schema(self) -> probatio.Schema:
        library = await self._async_library()
        return probatio.Schema(
            {
                probatio.Required(CONF_NAME): _TEXT,
                probatio.Required(
                    CONF_TANK_TYPE, default=TankType.NUTRIENT
                ): choice_selector(list(TankType), CONF_TANK_TYPE),
                # No lower bound here: "volume <= 0" gets our translated error.
                probatio.Required(CONF_VOLUME_L): number_selector(
                    -MAX_VOLUME_L, MAX_VOLUME_L, 0.1, UnitOfVolume.LITERS
                ),
                probatio.Required(CONF_SYSTEM, default=System.HYDRO): choice_selector(
                    list(System), CONF_SYSTEM
                ),
                probatio.Optional(CONF_AREA): _AREA,
                probatio.Optional(CONF_EC_SENSOR): entity_selector(
                    "sensor", "conductivity"
                ),
                probatio.Optional(CONF_PH_SENSOR): entity_selector("sensor", "ph"),
                probatio.Optional(CONF_TEMPERATURE_SENSOR): entity_selector(
                    "sensor", "temperature"
                ),
                probatio.Optional(CONF_LEVEL_SENSOR): entity_selector(
                    ["sensor", "number"]
                ),
                probatio.Optional(CONF_VOLUME_SENSOR): entity_selector(
                    ["sensor", "number"]
                ),
                probatio.Optional(CONF_FERTILIZERS): selector.ObjectSelector(
                    selector.ObjectSelectorConfig(
                        multiple=True,
                        label_field=CONF_FERTILIZER,
                        translation_key=CONF_FERTILIZERS,
                        fields={
                            CONF_FERTILIZER: {
                                "required": True,
                                "selector": labelled_selector(
                                    {
                                        key: fertilizer.name
                                        for key, fertilizer in library.fertilizers.items()
                                    }
                                ),
                            },
                            CONF_ML_PER_L: {
                                "required": True,
                                "selector": number_selector(0.01, 50, 0.01, "ml/L"),
                            },
                        },
                    )
                ),
            }
        )

    async def _async_normalize(
        self, user_input: dict[str, Any], exclude: str | None
    ) -> tuple[dict[str, Any], Errors]:
        return normalize_tank(
            self._get_entry(), await self._async_library(), user_input, exclude
        )


class PlantSubentryFlow(_FarmSubentryFlow):
    """Add or change a plant (one pot, or a tray of many)."""

    async def _async_schema(self) -> probatio.Schema:
        library = await self._async_library()
        return probatio.Schema(
            {
                probatio.Required(CONF_NAME): _TEXT,
                probatio.Required(CONF_SPECIES): labelled_selector(
                    {key: species.name for key, species in library.species.items()}
                ),
                probatio.Optional(CONF_CULTIVAR): _TEXT,
                probatio.Required(CONF_QUANTITY, default=1): number_selector(
                    1, MAX_QUANTITY, 1
                ),
                probatio.Optional(CONF_RACK): labelled_selector(
                    self._siblings(SUBENTRY_RACK)
                ),
                probatio.Optional(CONF_SHELF): number_selector(1, MAX_SHELVES, 1),
                probatio.Optional(CONF_AREA): _AREA,
                probatio.Optional(CONF_PLANTED): selector.DateSelector(),
                probatio.Optional(CONF_PHASE): choice_selector(list(Phase), CONF_PHASE),
                probatio.Optional(CONF_CARE_PRESET): choice_selector(
                    sorted(library.care_presets), CONF_CARE_PRESET
                ),
                probatio.Optional(CONF_CONTAINER_L): number_selector(
                    0, MAX_CONTAINER_L, 0.05, UnitOfVolume.LITERS
                ),
                probatio.Optional(CONF_MOISTURE_SENSOR): entity_selector(
                    "sensor", "moisture"
                ),
                **watering_plan_fields(),
            }
        )

    def _warnings(self, data: dict[str, Any], exclude: str | None) -> str:
        """Rotation and antagonist warnings for the plant's shelf."""
        return placement_warnings(self._get_entry(), data, exclude)

    async def _async_normalize(
        self, user_input: dict[str, Any], exclude: str | None
    ) -> tuple[dict[str, Any], Errors]:
        return normalize_plant(
            self._get_entry(),
            await self._async_library(),
            user_input,
            dt_util.now().date(),
            exclude,
        )
