"""Form selectors shared by the config, subentry and options flows."""

from __future__ import annotations

from collections.abc import Mapping
import math
from typing import Any

from homeassistant.helpers import selector
import probatio


class FormNumberSelector(selector.NumberSelector):
    """A number box whose NaN, infinity and yes/no reach the flow's translated check.

    Home Assistant's number selector lets NaN through its bounds, refuses an
    infinity with an untranslated message and takes True for 1; all three are
    left to `form_number`.
    """

    def __call__(self, data: Any) -> Any:
        """The number within bounds, or what is none for the flow to refuse."""
        if isinstance(data, bool):
            return data
        value: float = probatio.Coerce(float)(data)
        if not math.isfinite(value):
            return value
        return super().__call__(value)


class FormSwitchSelector(selector.BooleanSelector):
    """An on/off switch whose every other answer reaches the flow's check.

    Home Assistant's boolean selector makes True of any non-empty text, so
    "false" would switch a setting on; `form_boolean` refuses it instead.
    """

    def __call__(self, data: Any) -> Any:
        """The answer as given: True, False, or something for the flow to refuse."""
        return data


def switch_selector() -> selector.BooleanSelector:
    """An on/off switch."""
    return FormSwitchSelector()


def number_selector(
    minimum: float, maximum: float, step: float, unit: str | None = None
) -> selector.NumberSelector:
    """A number box with bounds and an optional unit."""
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return FormNumberSelector(config)


def choice_selector(
    options: list[str], translation_key: str, *, multiple: bool = False
) -> selector.SelectSelector:
    """A fixed list of choices, labelled by translations."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options,
            translation_key=translation_key,
            multiple=multiple,
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def labelled_selector(options: Mapping[str, str]) -> selector.SelectSelector:
    """A searchable list of records (species, racks, fertilizers) by their names.

    custom_value lets a long list be filtered by typing; an unknown value then
    gets the flow's translated error instead of a bare schema rejection.
    """
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[
                selector.SelectOptionDict(value=value, label=label)
                for value, label in sorted(options.items(), key=lambda item: item[1])
            ],
            custom_value=True,
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def entity_selector(
    domain: str | list[str], device_class: str | list[str] | None = None
) -> selector.EntitySelector:
    """An entity picker filtered to the domains and device classes that fit."""
    config = selector.EntitySelectorConfig(domain=domain)
    if device_class is not None:
        config["device_class"] = device_class
    return selector.EntitySelector(config)
