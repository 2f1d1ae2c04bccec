"""Plant protection products: every interval is noted against its labels."""

from __future__ import annotations

import re

from custom_components.vertical_farm.engine.profiles import Library

# "up to the day of harvest" and "no waiting period" are a 0-day interval.
_ZERO = re.compile(
    r"day of harvest|no waiting period|no pre-harvest interval", re.IGNORECASE
)
_DAYS = re.compile(r"(\d+) days?\b")


def _label_days(source: str) -> list[int]:
    """Every interval a source note quotes, in days."""
    days = [int(number) for number in _DAYS.findall(source)]
    if _ZERO.search(source):
        days.append(0)
    return days


def test_every_product_has_a_source_and_an_interval(bundled: Library) -> None:
    """Each product names the labels it was checked against and has a PHI."""
    assert bundled.products
    for product in bundled.products.values():
        assert product.source.startswith(("Product labels:", "Supplier guidance:")), (
            product.key
        )
        assert isinstance(product.interval_days, int), product.key
        assert product.interval_days >= 0, product.key


def test_every_interval_is_the_longest_its_labels_give(bundled: Library) -> None:
    """The PHI equals the longest interval the source note quotes.

    Spinosad: US labels 1 day, EU labels 3 days -> 3. Abamectin: 3 days for
    strawberries, 7 for tomatoes -> 7. Neem oil: up to the day of harvest -> 0.
    """
    for product in bundled.products.values():
        quoted = _label_days(product.source)
        assert quoted, product.key
        assert product.interval_days == max(quoted), product.key
    assert bundled.products["spinosad"].interval_days == 3
    assert bundled.products["abamectin"].interval_days == 7
    assert bundled.products["neem_oil"].interval_days == 0


def test_modes_of_action_are_label_groups(bundled: Library) -> None:
    """A mode of action is an IRAC or FRAC group, or empty where none applies."""
    group = re.compile(r"(IRAC|FRAC) [0-9A-Z]+")
    for product in bundled.products.values():
        moa = product.mode_of_action
        assert moa == "" or group.fullmatch(moa), product.key
    assert bundled.products["spinosad"].mode_of_action == "IRAC 5"
    assert bundled.products["pyrethrins"].mode_of_action == "IRAC 3A"
    assert (
        bundled.products["deltamethrin"].mode_of_action
        == bundled.products["pyrethrins"].mode_of_action
    )
