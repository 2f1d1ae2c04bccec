"""The dashboard card in a real browser against a real Home Assistant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
import time
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, sync_playwright
import pytest

from .conftest import DASHBOARD, PASSWORD, USERNAME, Server, chromium_path

CARD = "vertical-farm-card"


def save(path: Path, png: bytes) -> None:
    """Write a screenshot ourselves: Playwright would use a thread of its own loop."""
    path.write_bytes(png)


WAIT_MS = 60_000


@pytest.fixture
def browser_page(server: Server) -> Iterator[tuple[Page, list[str]]]:
    """A logged-in page (the login form filled in) and the console errors it logs."""
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    errors.append(message.text)

            page.on("console", console)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server.base}/{DASHBOARD}/farm")
            page.locator("input[name='username']").fill(USERNAME, timeout=WAIT_MS)
            page.locator("input[name='password']").fill(PASSWORD)
            page.locator("input[name='password']").press("Enter")
            page.wait_for_url(f"**/{DASHBOARD}/farm", timeout=WAIT_MS)
            yield page, errors
        finally:
            browser.close()


def _plants(server: Server) -> list[dict[str, Any]]:
    response = server.request(
        "POST", "/api/services/vertical_farm/get_overview?return_response", {}
    )
    farm: dict[str, Any] = response["service_response"]["farms"][0]
    return farm["plants"]


def _activity_entity(server: Server, plant_name: str) -> str:
    for state in server.request("GET", "/api/states"):
        if state["entity_id"].startswith("event.") and state["attributes"].get(
            "friendly_name", ""
        ).startswith(plant_name):
            return str(state["entity_id"])
    raise AssertionError(f"no activity entity for {plant_name}")


def test_onboarding_keeps_the_demo_location_and_units(server: Server) -> None:
    """After onboarding the demo still has its time zone and metric units."""
    config = server.request("GET", "/api/config")
    assert config["time_zone"] == "Europe/Amsterdam"
    assert config["unit_system"]["length"] == "km"
    assert config["unit_system"]["temperature"] == "°C"
    assert config["latitude"] == pytest.approx(52.37)


def test_card_shows_the_demo_farm_and_waters_a_plant(
    server: Server, browser_page: tuple[Page, list[str]], screenshots: Path
) -> None:
    """Racks, plants and tanks appear; the water button records a watering."""
    page, errors = browser_page
    card = page.locator(CARD)
    card.locator(".rack").first.wait_for(timeout=WAIT_MS)
    plants = _plants(server)
    assert card.locator(".rack[data-rack='Grow rack']").count() == 1
    for plant in plants:
        tile = card.locator(f".plant[data-plant='{plant['name']}']")
        assert tile.count() == 1
        # on its shelf the plant is shown by its own name and its phase
        assert plant["name"].split(" (")[0] in tile.inner_text()
        assert "Germination" in tile.inner_text()
    tank = card.locator(".tank[data-tank='Demo reservoir']")
    assert tank.count() == 1
    tank.locator(".measure").first.wait_for()
    assert "EC" in tank.inner_text()
    assert "Level" in tank.inner_text()
    card.locator(".care").wait_for()
    # the simulator has run: the tank's probes have a history plot
    tank.locator("svg.spark path").first.wait_for(timeout=WAIT_MS)
    save(screenshots / "card.png", card.screenshot())

    plant = plants[0]
    activity = _activity_entity(server, plant["name"])
    before = server.request("GET", f"/api/states/{activity}")
    card.locator(f".plant[data-plant='{plant['name']}'] button.water").click()
    deadline = time.monotonic() + 30
    after = before
    while time.monotonic() < deadline:
        after = server.request("GET", f"/api/states/{activity}")
        if after["state"] != before["state"]:
            break
        time.sleep(0.5)
    assert after["state"] != before["state"]
    assert after["attributes"]["event_type"] == "watered"
    assert errors == []


def test_card_fits_a_phone_screen(
    server: Server, browser_page: tuple[Page, list[str]], screenshots: Path
) -> None:
    """At 360 px the card needs no sideways scrolling."""
    page, errors = browser_page
    page.set_viewport_size({"width": 360, "height": 800})
    card = page.locator(CARD)
    card.locator(".rack").first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(1000)
    width = card.evaluate("node => node.getBoundingClientRect().width")
    scroll = card.evaluate(
        "node => { const c = node.shadowRoot.querySelector('ha-card');"
        " return c.scrollWidth - c.clientWidth; }"
    )
    assert width <= 360
    assert scroll <= 1
    save(screenshots / "card-phone.png", card.screenshot())
    assert errors == []


def test_visual_editor_offers_the_card_options(
    server: Server, browser_page: tuple[Page, list[str]], screenshots: Path
) -> None:
    """The card's editor renders Home Assistant's form with the card's options."""
    page, errors = browser_page
    page.locator(CARD).locator(".rack").first.wait_for(timeout=WAIT_MS)
    labels = page.evaluate(
        """async () => {
          const card = customElements.get("vertical-farm-card");
          const editor = card.getConfigElement();
          editor.hass = document.querySelector("home-assistant").hass;
          editor.setConfig({ type: "custom:vertical-farm-card", show_care: false });
          editor.style.cssText = "position:fixed;top:0;left:0;z-index:10;display:block;"
            + "width:400px;padding:16px;background:var(--card-background-color)";
          document.body.appendChild(editor);
          await editor.updateComplete;
          const changed = new Promise((resolve) =>
            editor.addEventListener("config-changed", (e) => resolve(e.detail.config)));
          editor._changed(new CustomEvent("value-changed", { detail: { value: { title: "Basement" } } }));
          const config = await changed;
          const form = editor.shadowRoot.querySelector("ha-form");
          return { form: form !== null, schema: form.schema.map((s) => s.name), config };
        }"""
    )
    assert labels["form"] is True
    assert labels["schema"] == ["farm", "title", "", "history_hours"]
    assert labels["config"] == {
        "type": "custom:vertical-farm-card",
        "show_care": False,
        "title": "Basement",
    }
    editor = page.locator("vertical-farm-card-editor")
    editor.locator("ha-form").first.wait_for()
    page.wait_for_timeout(500)  # the form's selectors render lazily
    save(screenshots / "card-editor.png", editor.screenshot())
    assert errors == []


def test_ticking_a_care_task_confirms_it(
    server: Server, browser_page: tuple[Page, list[str]]
) -> None:
    """A pot planted weeks ago needs water; ticking the task on the card confirms it."""
    page, errors = browser_page
    planted = (datetime.now(UTC) - timedelta(days=20)).date().isoformat()
    server.request(
        "POST",
        "/api/services/vertical_farm/add_plants?return_response",
        {
            "species": "basil",
            "quantity": 1,
            "name": "Kitchen basil",
            "planted": planted,
        },
    )
    task = _care_task(server, "Kitchen basil", "water")
    assert task is not None, "the new pot's watering is due"
    card = page.locator(CARD)
    # the card follows the care list's state change without a reload
    box = card.locator(f".care-item[data-task='{task}'] input")
    box.wait_for(timeout=WAIT_MS)
    box.check()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _care_task(server, "Kitchen basil", "water"):
        time.sleep(0.5)
    assert _care_task(server, "Kitchen basil", "water") is None
    card.locator(f".care-item[data-task='{task}']").wait_for(
        state="detached", timeout=WAIT_MS
    )
    assert errors == []


def _care_task(server: Server, plant_name: str, kind: str) -> str | None:
    response = server.request(
        "POST", "/api/services/vertical_farm/get_overview?return_response", {}
    )
    for item in response["service_response"]["farms"][0]["care"]:
        if item["plant_name"] == plant_name and item["kind"] == kind:
            return str(item["task_id"])
    return None
