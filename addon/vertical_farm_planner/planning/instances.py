"""Succession requests in the API's shape, for tests and benchmarks.

Random ones of a given size, and the largest the API takes.
"""

from __future__ import annotations

import random
from typing import Any

from ..schemas import MAX_CROPS, MAX_HORIZON_WEEKS, MAX_RACKS, MAX_SHELVES

_PHOTOPERIODS = (12.0, 14.0, 16.0)
_EC_RANGES = ((0.6, 1.2), (1.0, 1.8), (1.6, 2.6), (2.2, 3.5))
_PH_RANGES = ((5.5, 6.2), (5.8, 6.5), (6.0, 7.0))


def _crop(rng: random.Random, index: int, count: int, *, tiny: bool) -> dict[str, Any]:
    """Return one random crop."""
    days = rng.randint(5, 21) if tiny else rng.randint(14, 70)
    germination = rng.randint(1, max(1, days // 3))
    others = [f"crop_{other}" for other in range(count) if other != index]
    return {
        "id": f"crop_{index}",
        "name": f"Crop {index}",
        "phase_days": {"germination": germination, "vegetative": days - germination},
        "sites_per_plant": rng.choice((1, 1, 2))
        if tiny
        else rng.choice((1, 1, 1, 2, 4)),
        "ec_range": list(rng.choice(_EC_RANGES)),
        "ph_range": list(rng.choice(_PH_RANGES)),
        "photoperiod_h": rng.choice(_PHOTOPERIODS[:2] if tiny else _PHOTOPERIODS),
        "antagonists": rng.sample(
            others, rng.randint(0, min(1 if tiny else 3, len(others)))
        ),
        "weekly_demand": rng.randint(0, 3) if tiny else rng.randint(4, 24),
    }


def tiny_request(rng: random.Random, *, small: bool = False) -> dict[str, Any]:
    """Return a request small enough for the exact planner.

    Tiny: 1-2 racks, 2-3 crops, 4-6 weeks. ``small``: 2-3 racks, 3-4 crops,
    5-7 weeks (the exact planner needs seconds to minutes for some).
    """
    rack_count = rng.randint(2, 3) if small else rng.randint(1, 2)
    shared_light = rack_count > 1 and rng.random() < 0.3
    racks = [
        {
            "id": f"rack_{rack}",
            "shelves": rng.randint(1, 2),
            "sites_per_shelf": rng.randint(2, 5),
            "light_group": "shared" if shared_light else None,
            "tank": rng.choice((None, "tank_a", "tank_a", "tank_b")),
        }
        for rack in range(rack_count)
    ]
    crop_count = rng.randint(3, 4) if small else rng.randint(2, 3)
    crops = [_crop(rng, index, crop_count, tiny=True) for index in range(crop_count)]
    existing = []
    if rng.random() < 0.3:
        rack = rng.choice(racks)
        existing.append(
            {
                "crop": rng.choice(crops)["id"],
                "rack": rack["id"],
                "shelf": 1,
                "quantity": 1,
                "sown": "2026-12-07",
            }
        )
    return {
        "farm_id": "tiny",
        "start": "2026-12-14",
        "horizon_weeks": rng.randint(5, 7) if small else rng.randint(4, 6),
        "racks": racks,
        "crops": crops,
        "existing": existing,
    }


def farm_request(
    rng: random.Random,
    *,
    racks: int = 20,
    shelves: int = 8,
    weeks: int = 26,
    crops: int = 30,
    sites: int = 24,
) -> dict[str, Any]:
    """Return a farm-sized request: many racks, light groups shared in pairs, 5 tanks."""
    return {
        "farm_id": "farm",
        "start": "2026-12-14",
        "horizon_weeks": weeks,
        "racks": [
            {
                "id": f"rack_{rack}",
                "name": f"Rack {rack + 1}",
                "shelves": shelves,
                "sites_per_shelf": sites,
                "light_group": f"circuit_{rack // 2}",
                "tank": f"tank_{rack % 5}",
            }
            for rack in range(racks)
        ],
        "tanks": [
            {"id": f"tank_{tank}", "name": f"Tank {tank + 1}"} for tank in range(5)
        ],
        "crops": [_crop(rng, index, crops, tiny=False) for index in range(crops)],
        "existing": [],
    }


def with_fixed_light(request: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Give some light groups of ``request`` fixed hours and some crops a window.

    Every rack of a light group gets the group's hours (or none); a crop's
    window starts at its own need and reaches 1 or 2 hours beyond it.
    """
    hours: dict[str, float | None] = {}
    for rack in request["racks"]:
        group = rack.get("light_group") or f"rack:{rack['id']}"
        if group not in hours:
            hours[group] = rng.choice((None, 12.0, 13.0, 14.0, 16.0))
        rack["photoperiod_h"] = hours[group]
    for crop in request["crops"]:
        if rng.random() < 0.5:
            need = crop["photoperiod_h"]
            crop["photoperiod_range_h"] = [need, need + rng.choice((1.0, 2.0))]
    return request


def largest_request() -> dict[str, Any]:
    """Return a request at the limits whose plan is large: 1200 shelves, 104 weeks.

    No demand, so solving is quick; four plantings on every shelf through
    the horizon fill the answer's weekly shelf use (about 7 MB of JSON).
    """
    crops = [
        {
            "id": f"crop_{index:03d}",
            "name": f"Crop {index:03d}",
            "phase_days": {"vegetative": 28},
            "sites_per_plant": 1,
            "ec_range": [1.0, 1.6],
            "ph_range": [5.8, 6.4],
            "photoperiod_h": 16,
            "antagonists": [],
            "weekly_demand": 0,
        }
        for index in range(MAX_CROPS)
    ]
    return {
        "farm_id": "large",
        "start": "2026-12-07",
        "horizon_weeks": MAX_HORIZON_WEEKS,
        "racks": [
            {"id": f"rack_{rack:03d}", "shelves": MAX_SHELVES, "sites_per_shelf": 24}
            for rack in range(MAX_RACKS)
        ],
        "tanks": [],
        "crops": crops,
        "existing": [
            {
                "crop": crops[(index * 4 + offset) % MAX_CROPS]["id"],
                "rack": f"rack_{index // MAX_SHELVES:03d}",
                "shelf": index % MAX_SHELVES + 1,
                "quantity": 1,
                "sown": "2026-12-07",
                "until": "2028-12-03",
            }
            for index in range(MAX_RACKS * MAX_SHELVES)
            for offset in range(4)
        ],
    }
