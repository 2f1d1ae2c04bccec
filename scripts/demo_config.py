"""Write the demo Home Assistant configuration used by scripts/develop.

Creates config/configuration.yaml (the integrations the demo needs, plus
simulated probes, a light and a pump made of helpers) and, on the first run
only, a demo farm config entry built from a starter kit with those entities
linked. Later runs keep whatever you changed in the UI.

Usage: python scripts/demo_config.py CONFIG_DIR
"""

from __future__ import annotations

from datetime import datetime
import json
from pathlib import Path
import sys
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from homeassistant.config_entries import (  # noqa: E402
    STORAGE_KEY,
    STORAGE_VERSION,
    STORAGE_VERSION_MINOR,
    ConfigEntry,
)

from custom_components.vertical_farm.config_flow import kit_subentries  # noqa: E402
from custom_components.vertical_farm.const import DOMAIN  # noqa: E402
from custom_components.vertical_farm.library import load_library  # noqa: E402

CONFIGURATION = """\
# Demo configuration for developing Vertical Farm (written by scripts/develop).
# default_config would also pull in go2rtc, whose binary a virtualenv lacks,
# so the integrations the demo needs are listed instead.
homeassistant:
  name: Vertical Farm demo
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: Europe/Amsterdam
  country: NL

frontend:
config:
history:
logbook:
mobile_app:
assist_pipeline:
conversation:
todo:
calendar:

logger:
  default: warning
  logs:
    custom_components.vertical_farm: debug
    # The demo has no camera or audio hardware; a virtualenv lacks their
    # native libraries (libturbojpeg, ffmpeg), which is harmless here.
    homeassistant.components.camera.img_util: critical
    haffmpeg: critical

# Simulated hardware: move the sliders to play the probes.
input_number:
  demo_tank_ec:
    name: Demo tank EC
    min: 0
    max: 5
    step: 0.01
    initial: 0.45
    unit_of_measurement: mS/cm
  demo_tank_ph:
    name: Demo tank pH
    min: 3
    max: 9
    step: 0.05
    initial: 6.0
  demo_water_temperature:
    name: Demo water temperature
    min: 5
    max: 35
    step: 0.5
    initial: 20
    unit_of_measurement: "°C"
  demo_tank_level:
    name: Demo tank level
    min: 0
    max: 100
    step: 1
    initial: 80
    unit_of_measurement: "%"
  demo_air_temperature:
    name: Demo air temperature
    min: 5
    max: 40
    step: 0.5
    initial: 22
    unit_of_measurement: "°C"

input_boolean:
  demo_rack_light:
    name: Demo rack light power
  demo_rack_pump:
    name: Demo rack pump power

template:
  - sensor:
      - name: Tank EC
        unique_id: demo_tank_ec
        unit_of_measurement: mS/cm
        device_class: conductivity
        state_class: measurement
        state: "{{ states('input_number.demo_tank_ec') }}"
      - name: Tank pH
        unique_id: demo_tank_ph
        device_class: ph
        state_class: measurement
        state: "{{ states('input_number.demo_tank_ph') }}"
      - name: Tank water temperature
        unique_id: demo_water_temperature
        unit_of_measurement: "°C"
        device_class: temperature
        state_class: measurement
        state: "{{ states('input_number.demo_water_temperature') }}"
      - name: Tank level
        unique_id: demo_tank_level
        unit_of_measurement: "%"
        state_class: measurement
        state: "{{ states('input_number.demo_tank_level') }}"
      - name: Rack air temperature
        unique_id: demo_air_temperature
        unit_of_measurement: "°C"
        device_class: temperature
        state_class: measurement
        state: "{{ states('input_number.demo_air_temperature') }}"
  - switch:
      - name: Rack light
        unique_id: demo_rack_light
        state: "{{ is_state('input_boolean.demo_rack_light', 'on') }}"
        turn_on:
          action: input_boolean.turn_on
          target:
            entity_id: input_boolean.demo_rack_light
        turn_off:
          action: input_boolean.turn_off
          target:
            entity_id: input_boolean.demo_rack_light
      - name: Rack pump
        unique_id: demo_rack_pump
        state: "{{ is_state('input_boolean.demo_rack_pump', 'on') }}"
        turn_on:
          action: input_boolean.turn_on
          target:
            entity_id: input_boolean.demo_rack_pump
        turn_off:
          action: input_boolean.turn_off
          target:
            entity_id: input_boolean.demo_rack_pump
"""

# What the demo links to the kit's first rack and tank.
RACK_LINKS = {
    "light_entity": "switch.rack_light",
    "pump_entity": "switch.rack_pump",
    "temperature_sensor": "sensor.rack_air_temperature",
}
TANK_LINKS = {
    "ec_sensor": "sensor.tank_ec",
    "ph_sensor": "sensor.tank_ph",
    "temperature_sensor": "sensor.tank_water_temperature",
    "level_sensor": "sensor.tank_level",
}


def demo_entry() -> dict[str, Any]:
    """The demo farm's config entry, as Home Assistant stores it."""
    library = load_library()
    subentries = kit_subentries(
        library.kits["lettuce_nft_rack"],
        library,
        datetime.now().astimezone().date().isoformat(),
    )
    linked = {"rack": RACK_LINKS, "tank": TANK_LINKS}
    done: set[str] = set()
    for subentry in subentries:
        kind = subentry["subentry_type"]
        if kind in linked and kind not in done:
            subentry["data"] = {**subentry["data"], **linked[kind]}
            done.add(kind)
    entry = ConfigEntry(
        data={
            "name": "Demo farm",
            "hemisphere": "north",
            "tap_ec": 0.4,
            "tap_ph": 7.6,
            "alkalinity": 120.0,
            "ro_ec": None,
        },
        discovery_keys={},
        domain=DOMAIN,
        minor_version=1,
        options={},
        source="user",
        subentries_data=subentries,
        title="Demo farm",
        unique_id="demo_farm",
        version=1,
    )
    return entry.as_dict()


def main() -> None:
    """Write the configuration; seed the demo farm on the first run."""
    config_dir = Path(sys.argv[1])
    (config_dir / ".storage").mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION, encoding="utf-8")
    entries_file = config_dir / ".storage" / STORAGE_KEY
    if not entries_file.exists():
        document = {
            "version": STORAGE_VERSION,
            "minor_version": STORAGE_VERSION_MINOR,
            "key": STORAGE_KEY,
            "data": {"entries": [demo_entry()]},
        }
        entries_file.write_text(
            json.dumps(document, indent=2, default=str), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
