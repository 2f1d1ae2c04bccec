"""Options of a farm: the planner connection and the user's own library entries."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import probatio
from yarl import URL

from .const import (
    CONF_FERTILIZER,
    CONF_FERTILIZERS,
    CONF_NAME,
    CONF_PLANNER_TOKEN,
    CONF_PLANNER_URL,
    CONF_SPECIES,
    CONF_USER_FERTILIZERS,
    CONF_USER_SPECIES,
    SUBENTRY_PLANT,
    SUBENTRY_TANK,
)
from .engine.profiles import FertilizerKind, Library, Species
from .farm import async_get_bundled_library, farm_library
from .library import ERROR_INVALID_ENTRY, LibraryError, merge_user_entries
from .planner import (
    PlannerAuthError,
    PlannerClient,
    PlannerConnectionError,
    PlannerError,
    PlannerServerError,
)
from .selectors import (
    choice_selector,
    labelled_selector,
    number_selector,
    switch_selector,
)
from .validation import (
    Errors,
    form_boolean,
    form_name,
    form_number,
    form_whole_number,
    has_control_characters,
    name_key,
    trimmed_text,
)

SPECIES_NUMBERS = ("base_temp_c", "ec_min", "ec_max", "ph_min", "ph_max")

# A phase's band the library refuses (its lowest above its highest), by the
# bounds the user gave: (lowest, highest) -> the field to name and its error.
RANGE_ERRORS: Final[dict[str, dict[tuple[bool, bool], tuple[str, str]]]] = {
    "ec": {
        (True, True): ("ec_max", "ec_max_below_min"),
        (False, True): ("ec_max", "ec_max_below_template"),
        (True, False): ("ec_min", "ec_min_above_template"),
    },
    "ph": {
        (True, True): ("ph_max", "ph_max_below_min"),
        (False, True): ("ph_max", "ph_max_below_template"),
        (True, False): ("ph_min", "ph_min_above_template"),
    },
}

# Where a new fertilizer goes in the mixing order, by kind (see fertilizers.yaml).
DEFAULT_PRIORITY = {
    FertilizerKind.SILICATE: 10,
    FertilizerKind.CALMAG: 20,
    FertilizerKind.BASE: 30,
    FertilizerKind.ADDITIVE: 50,
    FertilizerKind.PH_DOWN: 90,
    FertilizerKind.PH_UP: 90,
}


def _species_data(template: Species, user_input: dict[str, Any]) -> dict[str, Any]:
    """A new species as stored in the options: the template's phases, the user's ranges."""
    overrides = {
        key: float(user_input[key])
        for key in ("ec_min", "ec_max", "ph_min", "ph_max")
        if user_input.get(key) is not None
    }
    return {
        "name": trimmed_text(user_input[CONF_NAME]),
        "family": str(user_input.get("family") or template.family),
        "base_temp_c": float(user_input.get("base_temp_c", template.base_temp_c)),
        "perennial": user_input.get("perennial", template.perennial),
        "care_preset": str(user_input.get("care_preset") or template.care_preset),
        "water_factor": template.water_factor,
        "temp_min_c": template.temp_min_c,
        "temp_max_c": template.temp_max_c,
        "humidity_min": template.humidity_min,
        "humidity_max": template.humidity_max,
        "phases": [
            {
                "phase": str(profile.phase),
                "days": profile.days,
                "gdd": profile.gdd,
                "ec_min": profile.ec_min,
                "ec_max": profile.ec_max,
                "ph_min": profile.ph_min,
                "ph_max": profile.ph_max,
                "photoperiod_h": profile.photoperiod_h,
                "ppfd": profile.ppfd,
                "dli": profile.dli,
            }
            | overrides
            for profile in template.phases
        ],
    }


def _range_error(err: LibraryError, user_input: dict[str, Any]) -> Errors:
    """The field and error for an EC or pH band the library refuses; empty if another.

    The library names a phase's highest bound when it is below the lowest;
    the field named is the bound the user gave (both given: the highest).
    """
    band, _, bound = err.path.rpartition(".")
    if err.code != ERROR_INVALID_ENTRY or ".phases[" not in band:
        return {}
    quantity = bound.removesuffix("_max")
    given = (
        user_input.get(f"{quantity}_min") is not None,
        user_input.get(f"{quantity}_max") is not None,
    )
    if (found := RANGE_ERRORS.get(quantity, {}).get(given)) is None:
        return {}
    field, error = found
    return {field: error}


async def _async_check_planner(
    hass: HomeAssistant, url: str, token: str
) -> dict[str, str]:
    """Ask the planner before saving; the field that is wrong, if one is."""
    client = PlannerClient(async_get_clientsession(hass), url, token)
    try:
        await client.async_check()
    except PlannerAuthError:
        return {CONF_PLANNER_TOKEN: "invalid_auth"}
    except PlannerServerError:
        # It answers at this address, with an error of its own: neither field is wrong.
        return {"base": "planner_server_error"}
    except PlannerConnectionError:
        return {CONF_PLANNER_URL: "cannot_connect"}
    except PlannerError:
        return {CONF_PLANNER_URL: "not_a_planner"}
    return {}


def _is_planner_address(url: str) -> bool:
    """Whether the text is an http(s) address with a host and a possible port."""
    try:
        parsed = URL(url)
        return (
            parsed.scheme in ("http", "https")
            and bool(parsed.host)
            and parsed.port is not None
        )
    except ValueError:  # an unclosed IPv6 address, a port past 65535, a bad host
        return False


def _has_login(url: str) -> bool:
    """Whether a planner address holds a user name or password ("user:pw@host")."""
    parsed = URL(url)
    return parsed.raw_user is not None or parsed.raw_password is not None


class FarmOptionsFlow(OptionsFlowWithReload):
    """Change a farm's options; the farm reloads when they change."""

    async def _async_library(self) -> Library:
        return farm_library(
            await async_get_bundled_library(self.hass), self.config_entry.options
        )

    def _save(self, **changes: Any) -> ConfigFlowResult:
        options = {**self.config_entry.options, **changes}
        return self.async_create_entry(
            data={key: value for key, value in options.items() if value}
        )

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose what to change."""
        menu = ["planner", "add_species", "add_fertilizer"]
        if self.config_entry.options.get(
            CONF_USER_SPECIES
        ) or self.config_entry.options.get(CONF_USER_FERTILIZERS):
            menu.append("remove_custom")
        return self.async_show_menu(step_id="init", menu_options=menu)

    async def async_step_planner(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Connect to the planner add-on by hand (it is found automatically under Supervisor)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = str(user_input.get(CONF_PLANNER_URL) or "").strip().rstrip("/")
            token = str(user_input.get(CONF_PLANNER_TOKEN) or "").strip()
            if url and not _is_planner_address(url):
                errors[CONF_PLANNER_URL] = "invalid_url"
            elif url and _has_login(url):
                # The token is the login; no request can carry both.
                errors[CONF_PLANNER_URL] = "url_with_login"
            elif url and not token:
                errors[CONF_PLANNER_TOKEN] = "token_required"
            elif token and not url:
                errors[CONF_PLANNER_URL] = "url_required"
            elif has_control_characters(token):
                # No header can carry them, and no planner token holds them.
                errors[CONF_PLANNER_TOKEN] = "token_control_characters"
            elif url:
                errors = await _async_check_planner(self.hass, url, token)
            if not errors:
                return self._save(
                    **{CONF_PLANNER_URL: url or None, CONF_PLANNER_TOKEN: token or None}
                )
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

    async def async_step_add_species(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a species of your own, starting from the closest one in the library."""
        library = await self._async_library()
        errors: Errors = {}
        placeholders = {"error": ""}
        if user_input is not None:
            name = form_name(user_input, errors)
            for number in SPECIES_NUMBERS:
                form_number(user_input, number, None, errors)
            form_boolean(user_input, "perennial", False, errors)
            key = name_key(name or "")
            template = library.species.get(str(user_input["based_on"]))
            if not errors and key in library.species:
                errors[CONF_NAME] = "key_exists"
            if not errors and template is None:
                errors["based_on"] = "unknown_species"
            if not errors and template is not None:
                data = _species_data(template, user_input)
                user_species = {
                    **self.config_entry.options.get(CONF_USER_SPECIES, {}),
                    key: data,
                }
                try:
                    merge_user_entries(library, species={key: data})
                except LibraryError as err:
                    errors = _range_error(err, user_input) or {"base": "invalid_entry"}
                    placeholders["error"] = err.message
                else:
                    return self._save(**{CONF_USER_SPECIES: user_species})
        schema = probatio.Schema(
            {
                probatio.Required(CONF_NAME): selector.TextSelector(),
                probatio.Required("based_on"): labelled_selector(
                    {key: species.name for key, species in library.species.items()}
                ),
                probatio.Optional("family"): labelled_selector(
                    {key: family.name for key, family in library.families.items()}
                ),
                probatio.Optional("care_preset"): choice_selector(
                    sorted(library.care_presets), "care_preset"
                ),
                probatio.Optional("perennial"): switch_selector(),
                probatio.Optional("base_temp_c"): number_selector(-5, 25, 0.5, "°C"),
                probatio.Optional("ec_min"): number_selector(0, 10, 0.05, "mS/cm"),
                probatio.Optional("ec_max"): number_selector(0, 10, 0.05, "mS/cm"),
                probatio.Optional("ph_min"): number_selector(0, 14, 0.1),
                probatio.Optional("ph_max"): number_selector(0, 14, 0.1),
            }
        )
        return self.async_show_form(
            step_id="add_species",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_add_fertilizer(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a nutrient product of your own."""
        library = await self._async_library()
        errors: Errors = {}
        if user_input is not None:
            kind = FertilizerKind(user_input["kind"])
            name = form_name(user_input, errors)
            data = {
                "name": name,
                "kind": str(kind),
                "ec_per_ml": form_number(user_input, "ec_per_ml", None, errors),
                "mixing_priority": form_whole_number(
                    user_input, "mixing_priority", DEFAULT_PRIORITY[kind], errors
                ),
                "tank_safe": form_boolean(user_input, "tank_safe", True, errors),
                "max_ml_per_l": form_number(user_input, "max_ml_per_l", 5.0, errors),
            }
            key = name_key(name or "")
            if not errors and key in library.fertilizers:
                errors[CONF_NAME] = "key_exists"
            if not errors:
                # The selectors bound every field, so the entry is valid as built.
                return self._save(
                    **{
                        CONF_USER_FERTILIZERS: {
                            **self.config_entry.options.get(CONF_USER_FERTILIZERS, {}),
                            key: data,
                        }
                    }
                )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_NAME): selector.TextSelector(),
                probatio.Required("kind", default=FertilizerKind.BASE): choice_selector(
                    list(FertilizerKind), "fertilizer_kind"
                ),
                probatio.Required("ec_per_ml"): number_selector(0, 5, 0.01, "mS/cm"),
                probatio.Optional("mixing_priority"): number_selector(1, 99, 1),
                probatio.Optional("tank_safe", default=True): switch_selector(),
                probatio.Optional("max_ml_per_l", default=5.0): number_selector(
                    0.01, 50, 0.01, "ml/L"
                ),
            }
        )
        return self.async_show_form(
            step_id="add_fertilizer",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
        )

    async def async_step_remove_custom(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove your own species or fertilizers that nothing uses any more."""
        options = self.config_entry.options
        species: dict[str, Any] = dict(options.get(CONF_USER_SPECIES, {}))
        fertilizers: dict[str, Any] = dict(options.get(CONF_USER_FERTILIZERS, {}))
        errors: dict[str, str] = {}
        placeholders = {"in_use": ""}
        if user_input is not None:
            chosen = set(user_input.get("entries", []))
            in_use = sorted(
                subentry.title
                for subentry in self.config_entry.subentries.values()
                if (
                    subentry.subentry_type == SUBENTRY_PLANT
                    and f"species:{subentry.data.get(CONF_SPECIES)}" in chosen
                )
                or (
                    subentry.subentry_type == SUBENTRY_TANK
                    and any(
                        f"fertilizer:{item.get(CONF_FERTILIZER)}" in chosen
                        for item in subentry.data.get(CONF_FERTILIZERS) or ()
                    )
                )
            )
            if in_use:
                errors["entries"] = "entry_in_use"
                placeholders["in_use"] = ", ".join(in_use)
            else:
                return self._save(
                    **{
                        CONF_USER_SPECIES: {
                            key: value
                            for key, value in species.items()
                            if f"species:{key}" not in chosen
                        },
                        CONF_USER_FERTILIZERS: {
                            key: value
                            for key, value in fertilizers.items()
                            if f"fertilizer:{key}" not in chosen
                        },
                    }
                )
        choices = {f"species:{key}": value["name"] for key, value in species.items()}
        choices |= {
            f"fertilizer:{key}": value["name"] for key, value in fertilizers.items()
        }
        schema = probatio.Schema(
            {
                probatio.Required("entries"): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=value, label=label)
                            for value, label in sorted(choices.items())
                        ],
                        multiple=True,
                        mode=selector.SelectSelectorMode.LIST,
                    )
                )
            }
        )
        return self.async_show_form(
            step_id="remove_custom",
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )
