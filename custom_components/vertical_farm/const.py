"""Constants for Vertical Farm: domain, data keys, defaults and bounds."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "vertical_farm"
MANUFACTURER: Final = "Vertical Farm"
# The key in a repair notice's data naming the farm (config entry) it belongs to.
ISSUE_ENTRY_ID: Final = "entry_id"

# Subentry types.
SUBENTRY_RACK: Final = "rack"
SUBENTRY_TANK: Final = "tank"
SUBENTRY_PLANT: Final = "plant"

# Farm (entry data).
CONF_NAME: Final = "name"
CONF_HEMISPHERE: Final = "hemisphere"
CONF_TAP_EC: Final = "tap_ec"
CONF_TAP_PH: Final = "tap_ph"
CONF_ALKALINITY: Final = "alkalinity"
CONF_RO_EC: Final = "ro_ec"
# Farm (entry options).
CONF_PLANNER_URL: Final = "planner_url"
CONF_PLANNER_TOKEN: Final = "planner_token"  # noqa: S105 - a key, not a secret
CONF_USER_SPECIES: Final = "species"
CONF_USER_FERTILIZERS: Final = "fertilizers"

# Rack.
CONF_SHELVES: Final = "shelves"
CONF_TANK: Final = "tank"
CONF_LIGHT_ENTITY: Final = "light_entity"
CONF_LIGHT_MODE: Final = "light_mode"
CONF_LIGHTS_ON: Final = "lights_on"
CONF_PHOTOPERIOD_H: Final = "photoperiod_h"
# Planting sites on each shelf of a rack, for the planner (optional).
CONF_SITES_PER_SHELF: Final = "sites_per_shelf"
MAX_SITES_PER_SHELF: Final = 10_000
CONF_PUMP_ENTITY: Final = "pump_entity"
CONF_PUMP_ON_MIN: Final = "pump_on_min"
CONF_PUMP_OFF_MIN: Final = "pump_off_min"
CONF_TEMPERATURE_SENSOR: Final = "temperature_sensor"
CONF_HUMIDITY_SENSOR: Final = "humidity_sensor"
CONF_LIGHT_SENSOR: Final = "light_sensor"
CONF_AREA: Final = "area"  # optional: suggested area of the device

LIGHT_MODE_AUTO: Final = "auto"
LIGHT_MODE_FIXED: Final = "fixed"
LIGHT_MODES: Final = (LIGHT_MODE_AUTO, LIGHT_MODE_FIXED)

# Tank.
CONF_TANK_TYPE: Final = "tank_type"
CONF_VOLUME_L: Final = "volume_l"
CONF_SYSTEM: Final = "system"
CONF_EC_SENSOR: Final = "ec_sensor"
CONF_PH_SENSOR: Final = "ph_sensor"
CONF_LEVEL_SENSOR: Final = "level_sensor"
CONF_VOLUME_SENSOR: Final = (
    "volume_sensor"  # optional: litres, checked against the level
)
CONF_FERTILIZERS: Final = "fertilizers"
CONF_FERTILIZER: Final = "fertilizer"
CONF_ML_PER_L: Final = "ml_per_l"

# Plant.
CONF_SPECIES: Final = "species"
CONF_CULTIVAR: Final = "cultivar"
CONF_QUANTITY: Final = "quantity"
CONF_RACK: Final = "rack"
CONF_SHELF: Final = "shelf"
CONF_PLANTED: Final = "planted"
CONF_PHASE: Final = "phase"
CONF_CARE_PRESET: Final = "care_preset"
CONF_CONTAINER_L: Final = "container_l"
CONF_MOISTURE_SENSOR: Final = "moisture_sensor"

# Defaults and bounds (also used by the flows' selectors).
DEFAULT_TAP_EC: Final = 0.4  # mS/cm: typical soft-to-medium mains water
DEFAULT_TAP_PH: Final = 7.5
DEFAULT_ALKALINITY: Final = 100.0  # ppm CaCO3
DEFAULT_SHELVES: Final = 4
DEFAULT_LIGHTS_ON: Final = "06:00:00"
DEFAULT_PHOTOPERIOD_H: Final = 16.0
DEFAULT_PUMP_ON_MIN: Final = 15
DEFAULT_PUMP_OFF_MIN: Final = 45
MAX_SHELVES: Final = 12
MAX_EC: Final = 10.0
MAX_ALKALINITY: Final = 1000.0
MAX_VOLUME_L: Final = 10000.0
MAX_QUANTITY: Final = 10000
MAX_CONTAINER_L: Final = 1000.0
MAX_PUMP_MIN: Final = 1440

# Storage.
STORAGE_KEY: Final = DOMAIN  # the file is .storage/vertical_farm.<entry_id>
STORAGE_VERSION: Final = 3
STORAGE_MINOR_VERSION: Final = 1
SAVE_DELAY_S: Final = 10  # batches readings-derived state; user records save at once

# Supervisor discovery of the planner add-on.
PLANNER_ADDON_SLUG: Final = "vertical_farm_planner"

# Events for automations (SPEC section 7).
EVENT_PHASE_CHANGED: Final = f"{DOMAIN}_phase_changed"
EVENT_CARE_DUE: Final = f"{DOMAIN}_care_due"
EVENT_TANK_ALERT: Final = f"{DOMAIN}_tank_alert"
EVENT_HARVEST_BLOCKED: Final = f"{DOMAIN}_harvest_blocked"

# Agronomy: a plant's watering plan (subentry data, set by form or action).
CONF_WATERING_MODE: Final = "watering_mode"  # "weekdays" | "every_n_days"
CONF_WATERING_WEEKDAYS: Final = "watering_weekdays"  # 0 = Monday .. 6 = Sunday
CONF_WATERING_INTERVAL_DAYS: Final = "watering_interval_days"
MAX_WATERING_INTERVAL_DAYS: Final = 60
# A rack's shelf plans: {"<shelf>": {watering_mode, watering_weekdays | ...}}.
CONF_SHELF_WATERING: Final = "shelf_watering"
