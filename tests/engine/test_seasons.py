"""Seasons: cold days, dormancy, vernalisation and days until a GDD target."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.phases import DayGDD
from custom_components.vertical_farm.engine.profiles import Phase, Species
from custom_components.vertical_farm.engine.seasons import (
    ColdSpell,
    cold_spell,
    days_until_gdd,
    is_cold_day,
    recent_daily_gdd,
)

from .factories_a import tomato
from .factories_b import make_profile, make_species

START = date(2026, 11, 1)


def _days(means: list[float], start: date = START) -> list[DayGDD]:
    """Closed days with the given mean temperatures (min = mean - 3, max = mean + 3)."""
    return [
        DayGDD(
            on=start + timedelta(days=index),
            t_min_c=mean - 3,
            t_max_c=mean + 3,
            readings=24,
            gdd=0.0,
        )
        for index, mean in enumerate(means)
    ]


def _spell(
    species: Species, phase: Phase, days: list[DayGDD], **kwargs: Any
) -> ColdSpell:
    """The cold spell as judged the day after the last closed day."""
    return cold_spell(
        species, phase, days, today=days[-1].on + timedelta(days=1), **kwargs
    )


def _mint(vernalisation_days: int = 0) -> Species:
    """A resting perennial, base 10 C (the factories' base)."""
    species = make_species(
        "mint",
        family="lamiaceae",
        profiles=(make_profile(Phase.VEGETATIVE), make_profile(Phase.DORMANCY)),
    )
    return replace(species, perennial=True, vernalisation_days=vernalisation_days)


def test_a_cold_day_has_its_mean_below_the_base() -> None:
    """Base 10 C: min 6 / max 13 (mean 9.5) is cold; 7 / 13 (mean 10) is not."""
    day = _days([9.5])[0]
    assert is_cold_day(day, 10.0)
    assert not is_cold_day(replace(day, t_min_c=7.0, t_max_c=13.0), 10.0)


def test_cold_days_count_and_the_run_ends_at_a_warm_day() -> None:
    """Means 8, 9, 12, 7 C at base 10: three cold days, a run of one."""
    spell = _spell(_mint(), Phase.VEGETATIVE, _days([8, 9, 12, 7]), since=START)
    assert spell.cold_days == 3
    assert spell.cold_run_days == 1
    assert not spell.dormancy_due


def test_a_week_of_cold_sends_a_resting_perennial_to_dormancy() -> None:
    """Seven cold days in a row (means 6 C, base 10): dormancy is due."""
    spell = _spell(_mint(), Phase.VEGETATIVE, _days([14] + [6] * 7), since=START)
    assert (spell.cold_days, spell.cold_run_days) == (7, 7)
    assert spell.dormancy_due
    # Six are not enough.
    short = _spell(_mint(), Phase.VEGETATIVE, _days([6] * 6), since=START)
    assert not short.dormancy_due
    # Already dormant: not sent again, but it keeps resting.
    dormant = _spell(_mint(), Phase.DORMANCY, _days([6] * 7), since=START)
    assert not dormant.dormancy_due
    assert dormant.keeps_resting


def test_a_gap_in_the_readings_ends_the_run() -> None:
    """Four cold days, a day without readings, three cold days: a run of three."""
    days = _days([6] * 4) + _days([6] * 3, START + timedelta(days=5))
    spell = _spell(_mint(), Phase.VEGETATIVE, days, since=START)
    assert spell.cold_days == 7
    assert spell.cold_run_days == 3
    assert not spell.dormancy_due


def test_annuals_and_perennials_without_rest_never_go_dormant() -> None:
    """Tomato (annual) after ten cold days: no dormancy."""
    spell = _spell(tomato(), Phase.VEGETATIVE, _days([5] * 10), since=START)
    assert spell.cold_run_days == 10
    assert not spell.dormancy_due


def test_vernalisation_counts_cold_days_since_the_start() -> None:
    """Needs 5 cold days; 6 cold days but only 4 since 3 Nov: not yet vernalised."""
    species = _mint(vernalisation_days=5)
    means = [6, 6, 6, 12, 6, 6, 6]  # 1..7 Nov
    since_start = _spell(species, Phase.DORMANCY, _days(means), since=START)
    assert (since_start.cold_days, since_start.vernalised) == (6, True)
    later = _spell(
        species, Phase.DORMANCY, _days(means), since=START + timedelta(days=2)
    )
    assert (later.cold_days, later.vernalised) == (4, False)
    assert later.vernalisation_days == 5


def test_a_run_under_a_day_is_refused() -> None:
    with pytest.raises(FarmError) as err:
        _spell(_mint(), Phase.VEGETATIVE, _days([6]), since=START, run_days=0)
    assert err.value.code == "invalid_cold_run"


def test_recent_pace_is_the_mean_gdd_of_the_latest_week() -> None:
    """Base 10: means 20, 22, 15 -> (10 + 12 + 5) / 3 = 9; only the last 7 count."""
    assert recent_daily_gdd(_days([20, 22, 15]), 10.0) == pytest.approx(9.0)
    # Ten days: the first three (means 40) fall outside the week.
    assert recent_daily_gdd(_days([40] * 3 + [15] * 7), 10.0) == pytest.approx(5.0)
    # Cold days add nothing, they do not subtract.
    assert recent_daily_gdd(_days([5, 15]), 10.0) == pytest.approx(2.5)
    assert recent_daily_gdd([], 10.0) is None


def test_days_until_a_gdd_target() -> None:
    """180 of 273 GDD at 10 a day: 93 / 10 -> 10 days; at 9.3 exactly 10."""
    assert days_until_gdd(273, 180, 10.0) == 10
    assert days_until_gdd(273, 180, 9.3) == 10
    assert days_until_gdd(273, 273, 10.0) == 0
    assert days_until_gdd(273, 300, None) == 0
    assert days_until_gdd(273, 180, 0.0) is None
    assert days_until_gdd(273, 180, None) is None


def test_an_old_cold_run_says_nothing_of_now() -> None:
    """Seven cold days that ended a week ago (the sensor went quiet): no run."""
    days = _days([6] * 7)  # 1..7 Nov
    stale = cold_spell(
        _mint(), Phase.VEGETATIVE, days, since=START, today=date(2026, 11, 15)
    )
    assert (stale.cold_days, stale.cold_run_days, stale.dormancy_due) == (7, 0, False)
    # A day closed today counts as the end of the run.
    today = cold_spell(
        _mint(), Phase.VEGETATIVE, days, since=START, today=date(2026, 11, 7)
    )
    assert today.cold_run_days == 7
