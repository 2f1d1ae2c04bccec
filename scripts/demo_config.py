"""Write the demo Home Assistant configuration used by scripts/develop.

Creates config/configuration.yaml (the integrations the demo needs) and, on
the first run only:
- the demo farm's config entry, from the `demo_farm` starter kit: its rack
  and tank are linked to the integration's simulated light, pump and probes,
  and its devices are in a "Grow room" area;
- the core configuration (location, time zone, metric units), stored the way
  the UI stores it, with onboarding's location step marked done, so finishing
  onboarding in the browser keeps the demo's place, time zone and units.
Later runs keep whatever you changed in the UI.

Usage: python scripts/demo_config.py CONFIG_DIR [PORT]  (PORT: 8123 if not given)
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
import sys
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from homeassistant.components.http.config import HTTP_STORAGE_SCHEMA  # noqa: E402
from homeassistant.config_entries import (  # noqa: E402
    STORAGE_KEY,
    STORAGE_VERSION,
    STORAGE_VERSION_MINOR,
    ConfigEntry,
)
from homeassistant.core_config import (  # noqa: E402
    CORE_STORAGE_KEY,
    CORE_STORAGE_MINOR_VERSION,
    CORE_STORAGE_VERSION,
)

from custom_components.vertical_farm.config_flow import kit_subentries  # noqa: E402
from custom_components.vertical_farm.const import DOMAIN  # noqa: E402
from custom_components.vertical_farm.library import load_library  # noqa: E402
from custom_components.vertical_farm.simulator import (  # noqa: E402
    CONF_SIMULATOR,
    DEMO_KIT,
    link_demo,
)

FARM_NAME = "Demo farm"
# The id Home Assistant gives the "Grow room" area the simulator creates.
GROW_ROOM_ID = "grow_room"

CONFIGURATION = """\
# Demo configuration for developing Vertical Farm (written by scripts/develop).
# default_config would also pull in go2rtc, whose binary a virtualenv lacks,
# so the integrations the demo needs are listed instead. The location, time
# zone and units are in .storage/core.config (Settings > System > General),
# the HTTP port in .storage/http (Settings > System > Network).
homeassistant:
  name: Vertical Farm demo

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
"""

# Amsterdam: metric units, a real time zone and a northern-hemisphere season.
CORE_CONFIG: dict[str, Any] = {
    "latitude": 52.37,
    "longitude": 4.89,
    "elevation": 0,
    "unit_system_v2": "metric",
    "location_name": "Vertical Farm demo",
    "time_zone": "Europe/Amsterdam",
    "external_url": None,
    "internal_url": None,
    "currency": "EUR",
    "country": "NL",
    "language": "en",
    "radius": 100,
}


def demo_entry() -> dict[str, Any]:
    """The demo farm's config entry, as Home Assistant stores it."""
    library = load_library()
    subentries = kit_subentries(
        library.kits[DEMO_KIT],
        library,
        datetime.now().astimezone().date().isoformat(),
    )
    links = link_demo(FARM_NAME, subentries, GROW_ROOM_ID)
    entry = ConfigEntry(
        data={
            "name": FARM_NAME,
            "hemisphere": "north",
            "tap_ec": 0.4,
            "tap_ph": 7.6,
            "alkalinity": 120.0,
            "ro_ec": None,
            CONF_SIMULATOR: links,
        },
        discovery_keys={},
        domain=DOMAIN,
        minor_version=1,
        options={},
        source="user",
        subentries_data=subentries,
        title=FARM_NAME,
        unique_id="demo_farm",
        version=1,
    )
    return entry.as_dict()


def _write_once(path: Path, key: str, version: int, minor: int, data: Any) -> None:
    if path.exists():
        return
    document = {"version": version, "minor_version": minor, "key": key, "data": data}
    path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")


def main() -> None:
    """Write the configuration; seed the farm and core settings on the first run."""
    config_dir = Path(sys.argv[1])
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8123
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION, encoding="utf-8")
    _write_once(
        storage / STORAGE_KEY,
        STORAGE_KEY,
        STORAGE_VERSION,
        STORAGE_VERSION_MINOR,
        {"entries": [demo_entry()]},
    )
    _write_once(
        storage / CORE_STORAGE_KEY,
        CORE_STORAGE_KEY,
        CORE_STORAGE_VERSION,
        CORE_STORAGE_MINOR_VERSION,
        CORE_CONFIG,
    )
    # Stored like the UI stores it: HTTP settings in YAML would be migrated and
    # then wait for the owner to confirm them in a dialog.
    _write_once(
        storage / "http",
        "http",
        2,
        2,
        {
            "stable": {
                **HTTP_STORAGE_SCHEMA({"server_port": port}),
                "created_at": datetime.now(UTC).isoformat(),
                "error": None,
                "error_message": None,
            },
            "pending": None,
            "yaml_migration_done": True,
        },
    )
    # Onboarding's location step would replace the demo's place, time zone and
    # units with the browser's guesses (often UTC and US units): it is done here.
    _write_once(storage / "onboarding", "onboarding", 4, 1, {"done": ["core_config"]})


if __name__ == "__main__":
    main()
