"""Options of a farm: the planner connection and the user's own library entries."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers import selector
import probatio
from yarl import URL

from .const import CONF_PLANNER_TOKEN, CONF_PLANNER_URL


class FarmOptionsFlow(OptionsFlowWithReload):
    """Change a farm's options; the farm reloads when they change."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose what to change."""
        return self.async_show_menu(step_id="init", menu_options=["planner"])

    async def async_step_planner(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Connect to the planner add-on by hand (it is found automatically under Supervisor)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = str(user_input.get(CONF_PLANNER_URL) or "").strip().rstrip("/")
            token = str(user_input.get(CONF_PLANNER_TOKEN) or "").strip()
            if url and (URL(url).scheme not in ("http", "https") or not URL(url).host):
                errors[CONF_PLANNER_URL] = "invalid_url"
            elif url and not token:
                errors[CONF_PLANNER_TOKEN] = "token_required"
            else:
                options = {
                    key: value
                    for key, value in self.config_entry.options.items()
                    if key not in (CONF_PLANNER_URL, CONF_PLANNER_TOKEN)
                }
                if url:
                    options |= {CONF_PLANNER_URL: url, CONF_PLANNER_TOKEN: token}
                return self.async_create_entry(data=options)
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_PLANNER_URL): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
                ),
                probatio.Optional(CONF_PLANNER_TOKEN): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                ),
            }
        )
        return self.async_show_form(
            step_id="planner",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or dict(self.config_entry.options)
            ),
            errors=errors,
        )
