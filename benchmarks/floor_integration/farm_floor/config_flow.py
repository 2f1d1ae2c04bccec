"""No user flow: the benchmark creates the floor's entries itself."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from .entity import DOMAIN


class FloorConfigFlow(ConfigFlow, domain=DOMAIN):
    """Refuses users; Home Assistant only needs the flow to exist."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Not set up by hand."""
        return self.async_abort(reason="not_supported")
