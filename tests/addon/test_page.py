"""The ingress page: served through a real ingress-style proxy, run in Chromium.

The proxy does what the Supervisor's ingress proxy does: it serves the add-on
under ``/api/hassio_ingress/<session>/``, strips that prefix, and names it in
``X-Ingress-Path``. The planner trusts it because it comes from the
configured proxy address (127.0.0.1 here, 172.30.32.2 under the Supervisor).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from playwright.async_api import async_playwright
import pytest

from .conftest import ConfigFactory, RunningPlanner, auth, free_port, serve_planner
from .test_planning import crop

SESSION = "f00dcafe1234"
PREFIX = f"/api/hassio_ingress/{SESSION}"
CHROMIUM = os.environ.get("VERTICAL_FARM_CHROMIUM") or "/usr/bin/chromium"


@contextlib.asynccontextmanager
async def ingress_proxy(planner: RunningPlanner) -> AsyncIterator[str]:
    """Serve ``planner`` under the ingress prefix on another port; yield its base URL."""
    session = aiohttp.ClientSession(auto_decompress=False)

    async def forward(request: web.Request) -> web.Response:
        tail = request.match_info["tail"]
        headers = {
            key: value
            for key, value in request.headers.items()
            if key.lower() not in {"host", "content-length", "transfer-encoding"}
        }
        headers["X-Ingress-Path"] = PREFIX
        async with session.request(
            request.method,
            planner.url(f"/{tail}"),
            params=request.query,
            data=await request.read(),
            headers=headers,
            allow_redirects=False,
        ) as response:
            body = await response.read()
            kept = {
                key: value
                for key, value in response.headers.items()
                if key.lower()
                not in {
                    "content-length",
                    "transfer-encoding",
                    "connection",
                    "content-encoding",
                }
            }
            return web.Response(status=response.status, body=body, headers=kept)

    app = web.Application()
    app.router.add_route("*", PREFIX + "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}{PREFIX}/"
    finally:
        await runner.cleanup()
        await session.close()


def farm_plan() -> dict[str, Any]:
    """Return a two-rack succession request with a tank."""
    return {
        "farm_id": "farm_1",
        "start": "2026-12-07",
        "horizon_weeks": 8,
        "racks": [
            {
                "id": "rack_a",
                "name": "Rack A",
                "shelves": 2,
                "sites_per_shelf": 6,
                "tank": "tank_1",
            },
            {
                "id": "rack_b",
                "name": "Rack B",
                "shelves": 1,
                "sites_per_shelf": 4,
                "tank": "tank_1",
            },
        ],
        "tanks": [{"id": "tank_1", "name": "Main tank"}],
        "crops": [
            crop("lettuce", weekly_demand=4),
            crop(
                "basil",
                weekly_demand=2,
                phase_days={"germination": 7, "vegetative": 14},
            ),
        ],
    }


async def ship_tank_history(
    session: aiohttp.ClientSession, planner: RunningPlanner
) -> None:
    """Give the tank a week of level readings and a feeding."""
    start = datetime.now(UTC) - timedelta(days=7)
    records = [
        {
            "id": f"level-{hour}",
            "at": (start + timedelta(hours=hour)).isoformat(),
            "kind": "tank_level",
            "subject": "tank_1",
            "data": {"level_l": 80 - 2 * hour / 24},
        }
        for hour in range(0, 7 * 24, 2)
    ]
    records.append(
        {
            "id": "fed-1",
            "at": start.isoformat(),
            "kind": "fed",
            "subject": "tank_1",
            "data": {
                "kind": "full_change",
                "volume_l": 80,
                "fertilizers": {"grow": 40},
            },
        }
    )
    async with session.post(
        planner.url("/api/v1/journal"),
        json={"farm_id": "farm_1", "records": records},
        headers=auth(),
    ) as response:
        assert response.status == 200


async def open_page(url: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """Load the page in Chromium; return what it shows, its console errors and requests."""
    errors: list[str] = []
    requests: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        try:
            page = await browser.new_page()
            page.on(
                "console",
                lambda message: (
                    errors.append(message.text)
                    if message.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            await page.goto(url)
            await page.wait_for_selector("body[data-ready]", timeout=20_000)
            shown = await page.evaluate(
                """() => ({
                    ready: document.body.dataset.ready,
                    status: document.getElementById("status").textContent,
                    racks: [...document.querySelectorAll(".rack")].map((rack) => ({
                        id: rack.dataset.rack,
                        title: rack.querySelector("h3").textContent,
                        shelves: [...rack.querySelectorAll(".shelf")].map((shelf) => ({
                            shelf: shelf.dataset.shelf,
                            sowings: [...shelf.querySelectorAll(".sowing")].map((bar) => ({
                                text: bar.textContent,
                                column: getComputedStyle(bar).gridColumnStart + "/" +
                                    getComputedStyle(bar).gridColumnEnd,
                                width: bar.getBoundingClientRect().width,
                            })),
                        })),
                    })),
                    harvest: [...document.querySelectorAll("#harvest tr[data-crop]")].map(
                        (row) => [...row.children].map((cell) => cell.textContent)),
                    shortCells: document.querySelectorAll("#harvest td.short").length,
                    tanks: [...document.querySelectorAll(".tank")].map(
                        (card) => card.textContent),
                    timelineVisible: !document.getElementById("timeline-section").hidden,
                })"""
            )
        finally:
            await browser.close()
    return shown, errors, requests


pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM}"
)


async def test_page_shows_the_plan_under_the_ingress_prefix(
    make_config: ConfigFactory, session: aiohttp.ClientSession
) -> None:
    async with serve_planner(make_config(ingress_proxy="127.0.0.1")) as planner:
        async with session.post(
            planner.url("/api/v1/plans/succession"), json=farm_plan(), headers=auth()
        ) as response:
            plan = await response.json()
        await ship_tank_history(session, planner)
        async with ingress_proxy(planner) as url:
            shown, errors, requests = await open_page(url)

    assert errors == []
    assert shown["ready"] == "true"
    assert shown["timelineVisible"]
    # Every request went through the ingress prefix.
    assert requests
    assert all(request.startswith(url) for request in requests)

    assert [rack["id"] for rack in shown["racks"]] == ["rack_a", "rack_b"]
    assert [rack["title"] for rack in shown["racks"]] == ["Rack A", "Rack B"]
    assert [len(rack["shelves"]) for rack in shown["racks"]] == [2, 1]
    bars = {
        (rack["id"], int(shelf["shelf"]), bar["text"], bar["column"])
        for rack in shown["racks"]
        for shelf in rack["shelves"]
        for bar in shelf["sowings"]
    }
    names = {"lettuce": "Lettuce", "basil": "Basil"}
    expected = {
        (
            sowing["rack"],
            sowing["shelf"],
            f"{names[sowing['crop']]} \u00d7{sowing['quantity']}",
            f"{sowing['week'] + 2}/{sowing['harvest_week'] + 2}",
        )
        for sowing in plan["sowings"]
    }
    assert bars == expected
    assert len(plan["sowings"]) >= 4
    # The bars really take space on screen.
    assert all(
        bar["width"] > 10
        for rack in shown["racks"]
        for shelf in rack["shelves"]
        for bar in shelf["sowings"]
    )

    lettuce = next(row for row in shown["harvest"] if row[0] == "Lettuce")
    assert len(lettuce) == 1 + 8
    # Two weeks to grow: weeks 0 and 1 short (0/4), the rest met (4/4).
    assert lettuce[1:3] == ["0/4", "0/4"]
    assert lettuce[3:] == ["4/4"] * 6
    assert shown["shortCells"] == sum(1 for row in plan["unmet"])

    (tank,) = shown["tanks"]
    assert "Main tank" in tank
    assert "L/day (level_trend)" in tank
    assert "grow" in tank


async def test_page_without_a_plan_says_so(
    make_config: ConfigFactory,
) -> None:
    async with (
        serve_planner(make_config(ingress_proxy="127.0.0.1")) as planner,
        ingress_proxy(planner) as url,
    ):
        shown, errors, _ = await open_page(url)
    assert errors == []
    assert "No plan yet" in shown["status"]
    assert shown["racks"] == []
