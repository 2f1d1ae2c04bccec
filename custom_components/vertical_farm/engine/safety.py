"""Safety: pre-harvest intervals of plant protection products, resistance risk.

A treatment applied at an instant may not be harvested before its safe
instant: applied + the product's pre-harvest interval in days. Instants are
aware datetimes; intervals count calendar days, so the safe instant keeps the
wall-clock time of the application (as product labels count days); a part of
a day counts real hours on from there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
import math

from .errors import FarmError

# Same active ingredient more than 3 times in 90 days selects for resistant pests:
# the usual label and resistance-action-committee advice to rotate modes of action.
RESISTANCE_MAX_USES = 3
RESISTANCE_WINDOW_DAYS = 90


@dataclass(frozen=True, kw_only=True, slots=True)
class Treatment:
    """One application of a protection product."""

    product: str  # library key, or the name of a product not in the library
    active_ingredient: str  # "" when unknown (free-text product without one)
    interval_days: float  # pre-harvest interval
    applied: datetime  # aware
    # Worked out once here, not in every whole-farm pass: see safe_instant().
    safe_utc: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Refuse naive instants and negative intervals; work out the safe instant."""
        if self.applied.utcoffset() is None:
            raise FarmError("naive_datetime", field="applied")
        if not self.interval_days >= 0:
            raise FarmError("invalid_interval", interval_days=self.interval_days)
        # Whole days on the wall clock; a part of a day (hours) in real time.
        # Not the whole interval on the wall clock: adding to a time in a
        # repeated hour reads the result as the first pass of that hour, so
        # 20 minutes on from the second 01:10 would be the first 01:30.
        days = math.floor(self.interval_days)
        start = self.applied + timedelta(days=days) if days else self.applied
        # Through UTC: a real, unambiguous instant to compare.
        safe = start.astimezone(UTC) + timedelta(days=self.interval_days - days)
        object.__setattr__(self, "safe_utc", safe)


class HarvestReason(StrEnum):
    """Why a harvest is or is not allowed."""

    ALLOWED = "allowed"  # every treatment's safe instant has been reached
    NO_TREATMENTS = "no_treatments"
    BLOCKED = "blocked"


@dataclass(frozen=True, kw_only=True, slots=True)
class TreatmentSafety:
    """One treatment's safe instant and whether it blocks a harvest."""

    treatment: Treatment
    safe_at: datetime  # in UTC (`safe_instant` gives it in the application's zone)
    blocks: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class HarvestSafety:
    """Whether a harvest at a given instant is safe, and if not, from when."""

    allowed: bool
    reason: HarvestReason
    # Earliest instant every treatment is safe (harvest time's zone); None if none.
    safe_at: datetime | None
    safe_on: date | None  # safe_at's date in the harvest time's zone
    blocking_products: tuple[str, ...]  # products whose interval has not run out
    treatments: tuple[TreatmentSafety, ...]  # latest safe instant first


@dataclass(frozen=True, kw_only=True, slots=True)
class ResistanceWarning:
    """An active ingredient used too often in the window."""

    code: str  # always "resistance_risk"
    active_ingredient: str  # as first written in the records
    count: int  # distinct applications within the window
    window_days: int


def safe_instant(treatment: Treatment) -> datetime:
    """The first instant a crop may be harvested after one treatment.

    Applied + timedelta(days=interval): the same wall-clock time that many days
    later, in the application's time zone. If that wall time does not exist
    (spring-forward gap) it is read with the pre-change offset, landing just
    after the gap.
    """
    return treatment.safe_utc.astimezone(treatment.applied.tzinfo)


def safe_harvest(
    treatments: Iterable[Treatment], harvest_at: datetime
) -> HarvestSafety:
    """Decide whether harvesting at an instant respects every pre-harvest interval.

    A harvest is blocked while any treatment's safe instant is later than the
    harvest time; harvesting exactly at the safe instant is allowed. Treatments
    whose interval ran out long ago are harmless, so passing a plant's whole
    treatment history is fine. From `safe_at` on the verdict is the same at
    every instant (in one zone), so the live farm asks again only then, or
    when a treatment is added.

    Returns:
        The verdict, the earliest instant at which every treatment is safe (the
        latest safe instant among them) and its date, both in `harvest_at`'s
        zone, the blocking products, and each treatment's own safe instant.

    Raises:
        FarmError: `naive_datetime` for a naive `harvest_at`.
    """
    if harvest_at.utcoffset() is None:
        raise FarmError("naive_datetime", field="harvest_at")
    harvest_utc = harvest_at.astimezone(UTC)
    per_treatment = [
        TreatmentSafety(
            treatment=treatment,
            safe_at=treatment.safe_utc,
            blocks=treatment.safe_utc > harvest_utc,
        )
        for treatment in treatments
    ]
    if not per_treatment:
        return HarvestSafety(
            allowed=True,
            reason=HarvestReason.NO_TREATMENTS,
            safe_at=None,
            safe_on=None,
            blocking_products=(),
            treatments=(),
        )
    per_treatment.sort(key=lambda item: item.safe_at, reverse=True)
    latest = per_treatment[0].safe_at.astimezone(harvest_at.tzinfo)
    blocking = tuple(
        dict.fromkeys(item.treatment.product for item in per_treatment if item.blocks)
    )
    return HarvestSafety(
        allowed=not blocking,
        reason=HarvestReason.BLOCKED if blocking else HarvestReason.ALLOWED,
        safe_at=latest,
        safe_on=latest.date(),
        blocking_products=blocking,
        treatments=tuple(per_treatment),
    )


def resistance_warnings(
    treatments: Iterable[Treatment],
    now: datetime,
    *,
    max_uses: int = RESISTANCE_MAX_USES,
    window_days: int = RESISTANCE_WINDOW_DAYS,
) -> tuple[ResistanceWarning, ...]:
    """Warn about active ingredients used more than `max_uses` times in the window.

    Pass the treatments of one plant or of one set of plants treated together.
    The window is the `window_days` days up to and including `now` (an
    application exactly `window_days` days ago still counts; later ones are
    ignored). Treatments without a known ingredient are skipped. Ingredients
    match case- and space-insensitively. Records with the same ingredient at
    the same instant are one application, so a rack treated at once and stored
    per plant counts once.

    Returns:
        One warning per over-used ingredient, most used first.

    Raises:
        FarmError: `naive_datetime` for a naive `now`.
    """
    if now.utcoffset() is None:
        raise FarmError("naive_datetime", field="now")
    now_utc = now.astimezone(UTC)
    since = now_utc - timedelta(days=window_days)
    applications: defaultdict[str, set[datetime]] = defaultdict(set)
    spelling: dict[str, str] = {}
    for treatment in treatments:
        applied = treatment.applied.astimezone(UTC)
        key = " ".join(treatment.active_ingredient.split()).casefold()
        # An unknown ingredient cannot be matched against anything.
        if key and since <= applied <= now_utc:
            spelling.setdefault(key, " ".join(treatment.active_ingredient.split()))
            applications[key].add(applied)
    warnings = [
        ResistanceWarning(
            code="resistance_risk",
            active_ingredient=spelling[key],
            count=len(instants),
            window_days=window_days,
        )
        for key, instants in applications.items()
        if len(instants) > max_uses
    ]
    warnings.sort(
        key=lambda warning: (-warning.count, warning.active_ingredient.casefold())
    )
    return tuple(warnings)
