"""Shared test setup: load our custom integration in every Home Assistant test."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant find custom_components/vertical_farm."""
