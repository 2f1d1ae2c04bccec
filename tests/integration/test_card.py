"""The bundled dashboard card: served over HTTP and registered with the dashboards."""

from http import HTTPStatus
from pathlib import Path
from typing import Any

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.vertical_farm.card import (
    CARD_FILE,
    CARD_URL,
    async_add_resource,
    card_version,
)
from custom_components.vertical_farm.const import DOMAIN

from .conftest import TANK_ID


async def _setup(hass: HomeAssistant, lovelace: dict[str, Any]) -> None:
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "lovelace", {"lovelace": lovelace})
    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()


def _resources(hass: HomeAssistant) -> list[dict[str, Any]]:
    return list(hass.data[LOVELACE_DATA].resources.async_items())


async def test_card_is_served_and_added_as_a_resource(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Storage-mode dashboards get the card as a module resource, at its version."""
    await _setup(hass, {})
    url = f"{CARD_URL}?v={card_version()}"
    assert _resources(hass) == [
        {"id": _resources(hass)[0]["id"], "type": "module", "url": url}
    ]
    assert url not in hass.data[DATA_EXTRA_MODULE_URL].urls
    client = await hass_client()
    response = await client.get(url)
    assert response.status == HTTPStatus.OK
    body = await response.read()
    assert body == CARD_FILE.read_bytes()
    assert b"vertical-farm-card" in body
    assert b"vertical-farm-card-editor" in body


async def test_resource_follows_a_new_build(hass: HomeAssistant) -> None:
    """An older version of the card's resource is updated, not added twice."""
    await _setup(hass, {})
    resources = hass.data[LOVELACE_DATA].resources
    (item,) = _resources(hass)
    await resources.async_update_item(item["id"], {"url": f"{CARD_URL}?v=old"})
    url = f"{CARD_URL}?v={card_version()}"
    assert await async_add_resource(hass, url)
    assert [entry["url"] for entry in _resources(hass)] == [url]
    assert await async_add_resource(hass, url)
    assert len(_resources(hass)) == 1


async def test_yaml_dashboards_load_the_card_with_the_frontend(
    hass: HomeAssistant,
) -> None:
    """In YAML mode the card is an extra module of the frontend."""
    await _setup(hass, {"mode": "yaml", "resources": []})
    assert f"{CARD_URL}?v={card_version()}" in hass.data[DATA_EXTRA_MODULE_URL].urls


async def test_other_resources_are_left_alone(hass: HomeAssistant) -> None:
    """The grower's own resources stay as they are beside the card."""
    await _setup(hass, {})
    resources = hass.data[LOVELACE_DATA].resources
    await resources.async_create_item({"res_type": "module", "url": "/local/mine.js"})
    url = f"{CARD_URL}?v={card_version()}"
    assert await async_add_resource(hass, url)
    assert sorted(item["url"] for item in _resources(hass)) == sorted(
        ["/local/mine.js", url]
    )


async def test_without_dashboards_the_card_is_only_served(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Without lovelace or the frontend the card is served and nothing else."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert "lovelace" not in hass.config.components
    assert not await async_add_resource(hass, f"{CARD_URL}?v=1")
    client = await hass_client()
    response = await client.get(CARD_URL)
    assert response.status == HTTPStatus.OK


def test_version_changes_with_the_file(tmp_path: Path) -> None:
    """The resource's version is the built file's content hash."""
    card = tmp_path / "card.js"
    card.write_text("one", encoding="utf-8")
    first = card_version(card)
    card.write_text("two", encoding="utf-8")
    assert card_version(card) != first
    assert len(first) == 12


async def test_overview_gives_the_card_what_it_shows(
    hass: HomeAssistant, loaded_farm: Any
) -> None:
    """The overview names the care list and each tank's probes and level."""
    response = await hass.services.async_call(
        DOMAIN, "get_overview", {}, blocking=True, return_response=True
    )
    assert response is not None
    (farm,) = response["farms"]  # type: ignore[misc]
    assert farm["care_list"] == "todo.basement_care_list"
    assert hass.states.get(farm["care_list"]) is not None
    (tank,) = farm["tanks"]
    assert tank["sensors"] == {
        "ec": "sensor.tank_a_ec",
        "ph": "sensor.tank_a_ph",
        "level": "sensor.tank_a_level",
        "temperature": "sensor.tank_a_water_temperature",
    }
    # no level reading yet
    assert tank["level_l"] is None
    assert tank["level_percent"] is None
    assert tank["device_id"] is not None
    assert TANK_ID in loaded_farm.subentries
