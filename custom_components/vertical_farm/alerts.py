"""The alert monitor: tank alert events and the farm's repair notices.

The judging is pure (engine/alerts.py for tank alert hysteresis, presenters
for conflicts); this module only keeps what is active, fires
`vertical_farm_tank_alert` when an excursion starts, and raises or removes
repair notices as problems come and go.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, Final

from homeassistant.const import UnitOfConductivity, UnitOfTemperature, UnitOfVolume
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, EVENT_TANK_ALERT, ISSUE_ENTRY_ID
from .engine.alerts import (
    AlertCheck,
    AlertKind,
    TankReadings,
    step_alerts,
    tank_alert_checks,
)
from .engine.chemistry import PhLevel
from .engine.profiles import WaterChemistry
from .figures import (
    CELSIUS_DIGITS,
    EC_DIGITS,
    LITRES_DIGITS,
    MESSAGE_DIGITS,
    PH_DIGITS,
    rounded,
)
from .presenters import TankView
from .store import FarmStore
from .topology import FarmConfig

# Notices about one rack or tank, their ids `<kind>_<subject id>`.
ANTAGONISTS_ISSUE: Final = "antagonists"
SUBJECT_NOTICES: Final = (
    "tank_conflict",
    "level_mismatch",
    "light_conflict",
    ANTAGONISTS_ISSUE,
)
# Every kind raised here (their translation keys): the subjects' notices and
# those about a linked entity (`<kind>_<entry id>_<entity id>`).
NOTICE_KINDS: Final = frozenset({*SUBJECT_NOTICES, "unit", "missing_entity"})


def farm_issues(
    hass: HomeAssistant, entry_id: str, subjects: Collection[str]
) -> list[tuple[str, ir.IssueEntry]]:
    """The integration's notices about a farm: its entry or one of its `subjects`.

    By id (which names the entry or the subject), or by the entry id in their
    data (a removed rack's or tank's notice, a pump left on).
    """
    ours = (entry_id, *subjects)
    return [
        (issue_id, issue)
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
        and (
            any(key in issue_id for key in ours)
            or (issue.data or {}).get(ISSUE_ENTRY_ID) == entry_id
        )
    ]


class RepairNotices:
    """The farm's repair notices: raised while a problem lasts, removed after.

    Notices outlive the farm that raised them (an unload, a reload). A new
    farm takes on those of its entry still shown, unconfirmed: each is
    judged again as the farm starts, and `async_settle` removes the ones no
    judgement raised again once all have run.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        farm_name: str,
        subjects: Collection[str],
    ) -> None:
        """Take on the entry's notices shown now (about it or its `subjects`)."""
        self.hass = hass
        self.entry_id = entry_id
        self.farm_name = farm_name
        self._unconfirmed = {
            issue_id
            for issue_id, issue in farm_issues(hass, entry_id, subjects)
            if issue.active and issue.translation_key in NOTICE_KINDS
        }
        # Each raised notice with the placeholders it shows (None: taken on).
        self._active: dict[str, dict[str, str] | None] = dict.fromkeys(
            self._unconfirmed
        )

    @callback
    def async_set(
        self,
        issue_id: str,
        translation_key: str,
        active: bool,
        *,
        figures: Mapping[str, str] | None = None,
        **placeholders: str,
    ) -> None:
        """Raise a notice while `active`; remove it once not.

        A notice already raised is raised again when what it says changed
        (a rack, tank or plant renamed); so is one taken on from an earlier
        farm when confirmed. `figures` (readings) are shown as they were
        when it was raised: each reading changing them would rewrite the
        repair registry and tell every listener again.
        """
        self._unconfirmed.discard(issue_id)
        shown = {"farm": self.farm_name, **placeholders}
        if active and self._active.get(issue_id, False) != shown:
            self._active[issue_id] = shown
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=translation_key,
                translation_placeholders={**shown, **(figures or {})},
            )
        elif not active and issue_id in self._active:
            del self._active[issue_id]
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    @callback
    def async_rename_farm(self, name: str, subjects: Collection[str]) -> None:
        """The farm has a new name: every notice of it shown says so at once.

        Those raised here and those raised elsewhere about the farm or its
        `subjects` (a removed rack or tank, a pump, the planner), some of
        which nothing raises again.
        """
        self.farm_name = name
        for issue_id, issue in farm_issues(self.hass, self.entry_id, subjects):
            placeholders = issue.translation_placeholders or {}
            if (
                not issue.active
                or issue.translation_key is None
                or issue.severity is None
                or placeholders.get("farm") in (None, name)
            ):
                continue
            shown = {**placeholders, "farm": name}
            # What it was raised with, renamed: its figures are no reason to raise it.
            if (raised := self._active.get(issue_id)) is not None:
                self._active[issue_id] = {**raised, "farm": name}
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                breaks_in_ha_version=issue.breaks_in_ha_version,
                data=issue.data,
                is_fixable=bool(issue.is_fixable),
                is_persistent=issue.is_persistent,
                issue_domain=issue.issue_domain,
                learn_more_url=issue.learn_more_url,
                severity=issue.severity,
                translation_key=issue.translation_key,
                translation_placeholders=shown,
            )

    @callback
    def async_settle(self) -> None:
        """Remove the notices taken on that no judgement raised again."""
        for issue_id in self._unconfirmed:
            self._active.pop(issue_id, None)
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        self._unconfirmed.clear()

    @callback
    def async_keep(self, subjects: Collection[str]) -> None:
        """Remove the conflict and mismatch notices of racks and tanks that are gone."""
        for issue_id in [
            issue_id
            for issue_id in self._active
            for kind in SUBJECT_NOTICES
            if issue_id.startswith(f"{kind}_")
            and issue_id.removeprefix(f"{kind}_") not in subjects
        ]:
            del self._active[issue_id]
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    @callback
    def async_tank_conflict(
        self, config: FarmConfig, tank_id: str, view: TankView
    ) -> None:
        """A notice while a tank's plants want EC or pH ranges that do not meet."""
        self.async_set(
            f"tank_conflict_{tank_id}",
            "tank_conflict",
            view.conflict,
            name=config.tanks[tank_id].name,
            plants=", ".join(
                sorted(
                    {
                        config.plants[plant_id].name
                        for conflict in view.compatibility.conflicts
                        for group in (conflict.lower, conflict.higher)
                        for plant_id in group.plant_ids
                        if plant_id in config.plants
                    }
                )
            ),
        )

    @callback
    def async_level_mismatch(
        self, config: FarmConfig, tank_id: str, view: TankView
    ) -> None:
        """A notice while a tank's level and volume sensors disagree.

        It goes once they agree, and once there is nothing to compare (a
        sensor unlinked, unavailable or stale).
        """
        check = view.level_check
        issue_id = f"level_mismatch_{tank_id}"
        if check is None or check.consistent:
            if issue_id in self._active:
                self.async_set(issue_id, "level_mismatch", False)
            return  # most readings: nothing to raise and nothing raised
        system = self.hass.config.units
        self.async_set(
            issue_id,
            "level_mismatch",
            True,
            name=config.tanks[tank_id].name,
            # in the user's volume unit, as the tank's own sensors show it
            figures={
                **{
                    key: f"{system.volume(litres, UnitOfVolume.LITERS):.1f}"
                    for key, litres in (
                        ("level", check.level_l),
                        ("volume", check.volume_reading_l),
                        ("tolerance", check.tolerance_l),
                    )
                },
                "unit": system.volume_unit,
            },
        )

    @callback
    def async_light_conflict(
        self, config: FarmConfig, rack_id: str, conflicting: list[str]
    ) -> None:
        """A notice while plants under one light need day lengths too far apart."""
        self.async_set(
            f"light_conflict_{rack_id}",
            "light_conflict",
            bool(conflicting),
            name=config.racks[rack_id].name,
            plants=", ".join(sorted(conflicting)),
        )


_EC_ALERTS = frozenset({AlertKind.EC_LOW, AlertKind.EC_HIGH})
_PH_ALERTS = frozenset({AlertKind.PH_LOW, AlertKind.PH_HIGH})
# The alert kinds each field of a tank's view feeds (through tank_readings):
# when a reading changes none of them, the tank's alerts stay as they are.
ALERT_INPUTS: Final[Mapping[str, frozenset[AlertKind]]] = {
    "ec": _EC_ALERTS,
    "ec_deviation": _EC_ALERTS,
    "targets": _EC_ALERTS | _PH_ALERTS,
    "ph": _PH_ALERTS,
    "target_ph": _PH_ALERTS,
    "ph_drift_per_day": _PH_ALERTS,
    "level_l": frozenset({AlertKind.LEVEL_LOW}),
    "water_temperature": frozenset({AlertKind.TEMPERATURE}),
    "stale_probes": frozenset({AlertKind.PROBE_STALE}),
}


def tank_readings(
    view: TankView,
    volume_l: float,
    water: WaterChemistry | None = None,
    critical_margin: float | None = None,
) -> TankReadings:
    """What a tank's alerts are judged from, out of its view."""
    water = water or WaterChemistry()
    ph_range = view.targets.ph
    return TankReadings(
        ec_deviation=view.ec_deviation,
        ec=view.ec,
        target_ec=view.target_ec,
        ph=view.ph,
        ph_low=None if ph_range is None else ph_range.low,
        ph_high=None if ph_range is None else ph_range.high,
        target_ph=view.target_ph,
        level_l=view.level_l,  # the probe's reading: none while it is lost
        volume_l=volume_l,
        water_c=view.water_temperature,
        stale=bool(view.stale_probes),
        ph_critical_margin=critical_margin,
        ph_drift_per_day=view.ph_drift_per_day,
        ph_drift_alert=water.ph_drift_alert_per_day,
        ph_drift_end=water.ph_drift_end_per_day,
    )


# An alert's value and target at the precision their unit is measured in.
_DIGITS: Final[Mapping[AlertKind, int]] = {
    AlertKind.EC_LOW: EC_DIGITS,
    AlertKind.EC_HIGH: EC_DIGITS,
    AlertKind.PH_LOW: PH_DIGITS,
    AlertKind.PH_HIGH: PH_DIGITS,
    AlertKind.LEVEL_LOW: LITRES_DIGITS,
    AlertKind.TEMPERATURE: CELSIUS_DIGITS,
}


# The unit an alert's value and target are in (the farm's units).
_UNITS: Final[Mapping[AlertKind, str]] = {
    AlertKind.EC_LOW: UnitOfConductivity.MILLISIEMENS_PER_CM,
    AlertKind.EC_HIGH: UnitOfConductivity.MILLISIEMENS_PER_CM,
    AlertKind.LEVEL_LOW: UnitOfVolume.LITERS,
    AlertKind.TEMPERATURE: UnitOfTemperature.CELSIUS,
}


def _figures(hass: HomeAssistant, check: AlertCheck) -> dict[str, Any]:
    """An alert's value and target with their unit, and as the user's units give them.

    `value` and `target` stay in the farm's units (°C, L, mS/cm); `user_value`,
    `user_target` and `user_unit` are the same in the user's unit system, so
    a notification reads as the tank's own sensors do (°F and gal in the US).
    """
    digits = _DIGITS.get(check.kind, MESSAGE_DIGITS)
    unit = _UNITS.get(check.kind)
    system = hass.config.units
    convert: Callable[[float, str], float] | None = None
    user_unit = unit
    if check.kind is AlertKind.TEMPERATURE:
        convert, user_unit = system.temperature, system.temperature_unit
    elif check.kind is AlertKind.LEVEL_LOW:
        convert, user_unit = system.volume, system.volume_unit

    def user(value: float | None) -> float | None:
        if value is None or convert is None or unit is None:
            return value
        return convert(value, unit)

    return {
        "value": rounded(check.value, digits),
        "target": rounded(check.target, digits),
        "unit": unit,
        "user_value": rounded(user(check.value), digits),
        "user_target": rounded(user(check.target), digits),
        "user_unit": user_unit,
    }


def _ph_details(check: AlertCheck, view: TankView) -> dict[str, Any]:
    """Why and how bad a pH alert is; nothing for the other kinds."""
    if check.kind not in (AlertKind.PH_LOW, AlertKind.PH_HIGH):
        return {}
    return {
        "reason": check.reason or "range",
        "level": str(view.ph_level)
        if view.ph_level is not None and view.ph_level is not PhLevel.OK
        else "warning",
        "drift_per_day": None
        if view.ph_drift_per_day is None
        else round(view.ph_drift_per_day, 2),
    }


@callback
def async_check_tank_alerts(
    hass: HomeAssistant,
    store: FarmStore,
    config: FarmConfig,
    tank_id: str,
    view: TankView,
    *,
    water: WaterChemistry | None = None,
    changed: Collection[str] | None = None,
) -> None:
    """Fire `vertical_farm_tank_alert` once when an excursion starts.

    pH alerts also say why (`reason`: `range`, `critical` or `drift`), how
    bad (`level`: `warning` or `critical`) and, for a drift, `drift_per_day`.
    With `changed` (the view's fields a reading changed), only the kinds
    those fields feed are judged again.
    """
    kinds: set[AlertKind] | None = None
    if changed is not None:
        kinds = set()
        for name in changed:
            if (fed := ALERT_INPUTS.get(name)) is not None:
                kinds |= fed
        if not kinds:
            return
    tank = config.tanks[tank_id]
    stored = store.state(tank_id)
    active: dict[str, bool] = stored.get("alerts", {})
    margin = None if water is None else water.ph_critical_margin.get(tank.system)
    after, started = step_alerts(
        active,
        tank_alert_checks(tank_readings(view, tank.volume_l, water, margin), kinds),
    )
    if after == active:
        return
    stored["alerts"] = after
    # A pH that leaves its band far at once alerts once, as critical.
    critical = {check.kind for check in started if check.reason == "critical"}
    for check in started:
        if check.reason is None and check.kind in critical:
            continue
        hass.bus.async_fire(
            EVENT_TANK_ALERT,
            {
                "tank_id": tank_id,
                "name": tank.name,
                "kind": str(check.kind),
                **_figures(hass, check),
                **_ph_details(check, view),
            },
        )
    store.async_schedule_save()
