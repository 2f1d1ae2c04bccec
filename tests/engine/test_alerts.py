"""Tank alerts: what each excursion is judged from, and hysteresis."""

from custom_components.vertical_farm.engine.alerts import (
    AlertCheck,
    AlertKind,
    TankReadings,
    step_alerts,
    tank_alert_checks,
)
from custom_components.vertical_farm.engine.tanks import DeviationLevel, deviation


def _checks(readings: TankReadings) -> dict[AlertKind, AlertCheck]:
    return {check.kind: check for check in tank_alert_checks(readings)}


def test_nothing_measured_checks_only_staleness() -> None:
    assert list(_checks(TankReadings())) == [AlertKind.PROBE_STALE]


def test_ec_starts_past_20_percent_and_ends_inside_15() -> None:
    """Target 1.5 mS/cm: 1.19 is 20.7 % low (starts), 1.26 is 16 % (goes on)."""
    low = _checks(
        TankReadings(ec_deviation=deviation(1.19, 1.5), ec=1.19, target_ec=1.5)
    )
    assert low[AlertKind.EC_LOW].starts
    assert low[AlertKind.EC_LOW].value == 1.19
    assert low[AlertKind.EC_LOW].target == 1.5
    assert not low[AlertKind.EC_HIGH].starts
    going_on = _checks(TankReadings(ec_deviation=deviation(1.26, 1.5)))
    assert not going_on[AlertKind.EC_LOW].starts
    assert going_on[AlertKind.EC_LOW].continues
    ended = _checks(TankReadings(ec_deviation=deviation(1.3, 1.5)))
    assert not ended[AlertKind.EC_LOW].continues
    high = _checks(TankReadings(ec_deviation=deviation(1.85, 1.5)))
    assert high[AlertKind.EC_HIGH].starts
    assert not high[AlertKind.EC_LOW].continues


def test_an_ec_alert_starts_where_the_tank_shows_an_ec_problem() -> None:
    """Exactly 20 % off is no problem, even where float noise makes it 20.000...04 %.

    1.68 mS/cm against 1.4 computes as 20.000000000000004 % high; the tank's EC
    problem sensor calls it ok, so no alert may start either.
    """
    for ec, target in ((1.68, 1.4), (2.04, 1.7), (0.88, 1.1), (1.76, 2.2)):
        found = deviation(ec, target)
        assert found.level is DeviationLevel.OK
        checks = _checks(TankReadings(ec_deviation=found, ec=ec, target_ec=target))
        assert not checks[AlertKind.EC_LOW].starts
        assert not checks[AlertKind.EC_HIGH].starts
    # a hair beyond 20 % is both a problem and an alert
    beyond = deviation(1.681, 1.4)
    assert beyond.level is DeviationLevel.WARNING
    assert _checks(TankReadings(ec_deviation=beyond))[AlertKind.EC_HIGH].starts


def test_ph_outside_the_range_with_a_margin_to_end() -> None:
    """Range 5.5-6.5: 5.4 starts low, 5.55 goes on, 5.65 ends; 6.6 starts high."""

    def ph(value: float) -> dict[AlertKind, AlertCheck]:
        return _checks(TankReadings(ph=value, ph_low=5.5, ph_high=6.5, target_ph=6.0))

    assert ph(5.4)[AlertKind.PH_LOW].starts
    assert ph(5.4)[AlertKind.PH_LOW].target == 6.0
    assert not ph(5.55)[AlertKind.PH_LOW].starts
    assert ph(5.55)[AlertKind.PH_LOW].continues
    assert not ph(5.65)[AlertKind.PH_LOW].continues
    assert ph(6.6)[AlertKind.PH_HIGH].starts
    assert ph(6.45)[AlertKind.PH_HIGH].continues
    assert not ph(6.35)[AlertKind.PH_HIGH].continues
    # Without the plants' range, pH is not judged.
    assert AlertKind.PH_LOW not in _checks(TankReadings(ph=4.0))


def test_level_under_a_fifth_ends_above_a_quarter() -> None:
    """A 60 L tank: 11 L starts (under 12), 14 L goes on (under 15), 15 L ends."""

    def level(litres: float) -> AlertCheck:
        return _checks(TankReadings(level_l=litres, volume_l=60.0))[AlertKind.LEVEL_LOW]

    assert level(11).starts
    assert level(11).value == 11
    assert not level(14).starts
    assert level(14).continues
    assert not level(15).continues
    assert AlertKind.LEVEL_LOW not in _checks(TankReadings(level_l=5.0))


def test_water_temperature_outside_16_to_24() -> None:
    def water(celsius: float) -> AlertCheck:
        return _checks(TankReadings(water_c=celsius))[AlertKind.TEMPERATURE]

    assert water(24.5).starts
    assert not water(24.0).starts
    assert water(24.0).continues  # inside the limits, not yet half a degree in
    assert not water(23.5).continues
    assert water(15.9).starts
    assert water(16.4).continues
    assert not water(16.5).continues


def test_step_fires_once_per_excursion() -> None:
    start = AlertCheck(kind=AlertKind.LEVEL_LOW, starts=True, continues=True)
    hover = AlertCheck(kind=AlertKind.LEVEL_LOW, starts=False, continues=True)
    over = AlertCheck(kind=AlertKind.LEVEL_LOW, starts=False, continues=False)
    active, fired = step_alerts({}, [start])
    assert active == {AlertKind.LEVEL_LOW: True}
    assert fired == [start]
    active, fired = step_alerts(active, [start])
    assert fired == [], "still the same excursion"
    active, fired = step_alerts(active, [hover])
    assert (active[AlertKind.LEVEL_LOW], fired) == (True, [])
    active, fired = step_alerts(active, [over])
    assert (active[AlertKind.LEVEL_LOW], fired) == (False, [])
    active, fired = step_alerts(active, [hover])
    assert fired == [], "inside the start bound: no new alert"
    _, fired = step_alerts(active, [start])
    assert fired == [start], "a new excursion"


def test_stale_probe_alert() -> None:
    (stale,) = tank_alert_checks(TankReadings(stale=True))
    assert stale.kind is AlertKind.PROBE_STALE
    assert stale.starts
    assert stale.continues


def test_a_far_out_ph_starts_a_critical_alert_of_its_own() -> None:
    """Band 5.5-6.5, margin 0.5: 7.1 is 0.6 beyond (critical); 6.95 goes on; 6.85 ends."""

    def critical(ph: float) -> AlertCheck:
        checks = tank_alert_checks(
            TankReadings(ph=ph, ph_low=5.5, ph_high=6.5, ph_critical_margin=0.5)
        )
        return next(
            check
            for check in checks
            if check.kind is AlertKind.PH_HIGH and check.reason == "critical"
        )

    assert critical(7.1).starts
    assert critical(7.1).key == "ph_high_critical"
    assert not critical(6.95).starts
    assert critical(6.95).continues
    assert not critical(6.85).continues
    after, started = step_alerts({"ph_high": True}, [critical(7.1)])
    assert after == {"ph_high": True, "ph_high_critical": True}
    assert started == [critical(7.1)]


def test_a_fast_drift_alerts_before_the_ph_leaves_its_band() -> None:
    """0.6 pH a day up starts ph_high (drift); 0.45 goes on; 0.35 ends; -0.6 is ph_low."""

    def drift(per_day: float) -> dict[AlertKind, AlertCheck]:
        checks = tank_alert_checks(
            TankReadings(ph=6.0, ph_low=5.5, ph_high=6.5, ph_drift_per_day=per_day)
        )
        return {check.kind: check for check in checks if check.reason == "drift"}

    assert drift(0.6)[AlertKind.PH_HIGH].starts
    assert drift(0.6)[AlertKind.PH_HIGH].drift_per_day == 0.6
    assert drift(0.6)[AlertKind.PH_HIGH].key == "ph_high_drift"
    assert not drift(0.6)[AlertKind.PH_LOW].starts
    assert drift(0.45)[AlertKind.PH_HIGH].continues
    assert not drift(0.45)[AlertKind.PH_HIGH].starts
    assert not drift(0.35)[AlertKind.PH_HIGH].continues
    assert drift(-0.6)[AlertKind.PH_LOW].starts


def test_only_the_kinds_asked_for_are_checked() -> None:
    """Low and high go together; the rest are left out (they stay as they are)."""
    readings = TankReadings(
        ec_deviation=deviation(1.19, 1.5),
        ec=1.19,
        target_ec=1.5,
        ph=5.0,
        ph_low=5.5,
        ph_high=6.5,
        level_l=5.0,
        volume_l=60.0,
        water_c=30.0,
    )
    every = tank_alert_checks(readings)
    assert {check.kind for check in every} == set(AlertKind)

    def only(*kinds: AlertKind) -> list[AlertCheck]:
        return [check for check in every if check.kind in kinds]

    low, high = AlertKind.EC_LOW, AlertKind.EC_HIGH
    assert tank_alert_checks(readings, {high}) == only(low, high)
    assert tank_alert_checks(readings, {AlertKind.PH_LOW}) == only(
        AlertKind.PH_LOW, AlertKind.PH_HIGH
    )
    assert tank_alert_checks(
        readings, {AlertKind.LEVEL_LOW, AlertKind.PROBE_STALE}
    ) == only(AlertKind.LEVEL_LOW, AlertKind.PROBE_STALE)
    assert tank_alert_checks(readings, {AlertKind.TEMPERATURE}) == only(
        AlertKind.TEMPERATURE
    )
    assert tank_alert_checks(readings, ()) == []
