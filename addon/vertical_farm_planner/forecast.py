"""Water and nutrient forecasts of a tank from its journal (pure functions).

Water use comes from level readings: they are cut into segments at every
refill and every long gap, each segment gets a Theil-Sen slope (the median of
the slopes between all pairs of its readings, so a few odd readings do not
pull it), and the trend is the duration-weighted median of those slopes.
Without level readings, the water added by top-ups over the time they span
stands in for use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import math
from statistics import median
from typing import Any, Final

from .schemas import MAX_RECORD_NUMBER

# A rise of the level bigger than this is a refill even without a record.
MIN_REFILL_RISE_L: Final = 1.0
REFILL_RISE_SHARE: Final = 0.03
MAX_GAP: Final = timedelta(days=3)
MIN_SEGMENT_READINGS: Final = 3
MIN_SEGMENT_SPAN: Final = timedelta(hours=6)
# Theil-Sen is quadratic; longer segments are thinned evenly to this many points.
MAX_SEGMENT_POINTS: Final = 80
MIN_RATE_SPAN: Final = timedelta(days=7)
DAY_S: Final = 86400.0
# Days until empty or out further than this are not forecast (null).
MAX_FORECAST_DAYS: Final = 3660


@dataclass(frozen=True, kw_only=True, slots=True)
class LevelReading:
    """The tank's water level at one time."""

    at: datetime
    level_l: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Feeding:
    """A `fed` record: a refill, top-up or adjustment, with the products added."""

    at: datetime
    kind: str
    volume_l: float | None
    products_ml: Mapping[str, float] = field(default_factory=dict)

    @property
    def refills(self) -> bool:
        """Return whether it put water into the tank."""
        return self.kind in ("full_change", "top_up")


@dataclass(frozen=True, kw_only=True, slots=True)
class StockCount:
    """How much of a product was on hand at one time."""

    at: datetime
    fertilizer: str
    amount_ml: float


@dataclass(frozen=True, kw_only=True, slots=True)
class WaterUse:
    """The water use trend and what it rests on."""

    use_l_per_day: float | None
    method: str  # level_trend, refills or none
    segments: int
    samples: int


def _number(value: Any) -> float | None:
    """Return a number from 0 to the journal's bound from free-form data, else None.

    Records stored before the journal bounded numbers may hold larger ones.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    # NaN fails this too; an int too large for a float never reaches float().
    return float(value) if 0 <= value <= MAX_RECORD_NUMBER else None


def level_reading(at: datetime, data: Mapping[str, Any]) -> LevelReading | None:
    """Return the reading a `tank_level` record holds, or None if it holds none."""
    level = _number(data.get("level_l"))
    if level is None:
        percent = _number(data.get("level_percent"))
        volume = _number(data.get("volume_l"))
        if percent is None or volume is None:
            return None
        level = percent / 100 * volume
    return LevelReading(at=at, level_l=level)


def feeding(at: datetime, data: Mapping[str, Any]) -> Feeding:
    """Return the feeding a `fed` record describes (unusable fields are dropped)."""
    products: dict[str, float] = {}
    raw = data.get("fertilizers")
    if isinstance(raw, Mapping):
        for name, amount in raw.items():
            ml = _number(amount)
            if isinstance(name, str) and ml is not None:
                products[name] = ml
    kind = data.get("kind")
    return Feeding(
        at=at,
        kind=kind if isinstance(kind, str) else "adjustment",
        volume_l=_number(data.get("volume_l")),
        products_ml=products,
    )


def stock_count(at: datetime, data: Mapping[str, Any]) -> StockCount | None:
    """Return the stock a `stock` record counts, or None."""
    name = data.get("fertilizer")
    amount = _number(data.get("amount_ml"))
    if not isinstance(name, str) or not name or amount is None:
        return None
    return StockCount(at=at, fertilizer=name, amount_ml=amount)


def theil_sen_slope(points: Sequence[tuple[float, float]]) -> float:
    """Return the median of the slopes between every pair of points.

    Raises:
        ValueError: when no two points differ in x.
    """
    if len(points) > MAX_SEGMENT_POINTS:
        step = (len(points) - 1) / (MAX_SEGMENT_POINTS - 1)
        points = [points[round(index * step)] for index in range(MAX_SEGMENT_POINTS)]
    slopes = [
        (y2 - y1) / (x2 - x1)
        for index, (x1, y1) in enumerate(points)
        for x2, y2 in points[index + 1 :]
        if x2 != x1
    ]
    if not slopes:
        raise ValueError("no two points differ in x")
    return median(slopes)


def level_segments(
    readings: Sequence[LevelReading], feedings: Iterable[Feeding]
) -> list[list[LevelReading]]:
    """Split readings (oldest first) at refills, level rises and long gaps."""
    refill_times = sorted(item.at for item in feedings if item.refills)
    segments: list[list[LevelReading]] = []
    current: list[LevelReading] = []
    refill = 0
    for reading in readings:
        if current:
            previous = current[-1]
            refilled = False
            while refill < len(refill_times) and refill_times[refill] <= reading.at:
                refilled = refilled or refill_times[refill] > previous.at
                refill += 1
            rise = reading.level_l - previous.level_l
            if (
                refilled
                or rise > max(MIN_REFILL_RISE_L, REFILL_RISE_SHARE * previous.level_l)
                or reading.at - previous.at > MAX_GAP
            ):
                segments.append(current)
                current = []
        else:
            while refill < len(refill_times) and refill_times[refill] <= reading.at:
                refill += 1
        current.append(reading)
    if current:
        segments.append(current)
    return segments


def water_use(
    readings: Sequence[LevelReading], feedings: Sequence[Feeding]
) -> WaterUse:
    """Return the tank's water use per day from its readings or its top-ups."""
    slopes: list[tuple[float, float]] = []
    used = 0
    for segment in level_segments(readings, feedings):
        span = segment[-1].at - segment[0].at
        if len(segment) < MIN_SEGMENT_READINGS or span < MIN_SEGMENT_SPAN:
            continue
        origin = segment[0].at
        points = [
            ((reading.at - origin).total_seconds() / DAY_S, reading.level_l)
            for reading in segment
        ]
        slope = theil_sen_slope(points)
        if not math.isfinite(slope):
            continue  # readings near the float's end overflow it
        slopes.append((slope, span.total_seconds()))
        used += len(segment)
    if slopes:
        return WaterUse(
            use_l_per_day=max(0.0, -_weighted_median(slopes)),
            method="level_trend",
            segments=len(slopes),
            samples=used,
        )
    top_ups = [item for item in feedings if item.kind == "top_up" and item.volume_l]
    if len(top_ups) >= 2:
        days = (top_ups[-1].at - top_ups[0].at).total_seconds() / DAY_S
        if days >= 1:
            # Each top-up after the first replaces what was used since the one before.
            added = sum(item.volume_l or 0.0 for item in top_ups[1:])
            return WaterUse(
                use_l_per_day=added / days,
                method="refills",
                segments=0,
                samples=len(top_ups),
            )
    return WaterUse(use_l_per_day=None, method="none", segments=0, samples=0)


def _weighted_median(values: Sequence[tuple[float, float]]) -> float:
    """Return the median of (value, weight) pairs."""
    ordered = sorted(values)
    half = sum(weight for _, weight in ordered) / 2
    running = 0.0
    for value, weight in ordered:  # noqa: B007 - the value where it stops is wanted
        running += weight
        if running >= half:
            break
    return value


def level_now(
    readings: Sequence[LevelReading],
    feedings: Sequence[Feeding],
    use_l_per_day: float | None,
    at: datetime,
) -> float | None:
    """Return the level at ``at``: the last reading, refills after it, less the use."""
    if not readings:
        return None
    anchor_at = readings[-1].at
    level = readings[-1].level_l
    rate = use_l_per_day or 0.0
    for item in feedings:
        if item.at <= anchor_at or item.at > at or not item.refills:
            continue
        if item.volume_l is None:
            continue
        level = max(0.0, level - rate * (item.at - anchor_at).total_seconds() / DAY_S)
        level = item.volume_l if item.kind == "full_change" else level + item.volume_l
        anchor_at = item.at
    return max(0.0, level - rate * (at - anchor_at).total_seconds() / DAY_S)


def water_forecast(
    readings: Sequence[LevelReading], feedings: Sequence[Feeding], at: datetime
) -> dict[str, Any]:
    """Return the water part of a tank forecast."""
    use = water_use(readings, feedings)
    level = level_now(readings, feedings, use.use_l_per_day, at)
    days: float | None = None
    if level is not None and use.use_l_per_day:
        days = _lasts(level, use.use_l_per_day, days_per_unit=1.0)
    return {
        "use_l_per_day": _round(use.use_l_per_day),
        "method": use.method,
        "segments": use.segments,
        "samples": use.samples,
        "level_l": _round(level),
        "level_at": at if level is not None else None,
        "days_until_empty": _round(days),
        "empty_on": None if days is None else (at + timedelta(days=days)).date(),
    }


def _rates(feedings: Iterable[Feeding], at: datetime) -> dict[str, float]:
    """Return ml per week of every product over the span the feedings cover."""
    totals: dict[str, float] = defaultdict(float)
    earliest: datetime | None = None
    for item in feedings:
        if not item.products_ml:
            continue
        earliest = item.at if earliest is None else min(earliest, item.at)
        for name, ml in item.products_ml.items():
            totals[name] += ml
    if earliest is None:
        return {}
    span = max(at - earliest, MIN_RATE_SPAN)
    weeks = span.total_seconds() / (7 * DAY_S)
    return {name: total / weeks for name, total in totals.items()}


def nutrient_forecast(
    tank_feedings: Sequence[Feeding],
    farm_feedings: Sequence[Feeding],
    stocks: Sequence[StockCount],
    at: datetime,
    since: datetime,
) -> list[dict[str, Any]]:
    """Return per product: this tank's and the farm's use per week and when it runs out.

    ``farm_feedings`` span every tank of the farm and all history (stock
    counts may be old); rates use the feedings from ``since`` to ``at``.
    """
    tank_rates = _rates((f for f in tank_feedings if since <= f.at <= at), at)
    farm_rates = _rates((f for f in farm_feedings if since <= f.at <= at), at)
    latest: dict[str, StockCount] = {}
    for stock in stocks:
        if stock.at <= at:
            latest[stock.fertilizer] = stock
    products = []
    for name in sorted(tank_rates):
        farm_rate = farm_rates.get(name, tank_rates[name])
        count = latest.get(name)
        remaining: float | None = None
        weeks: float | None = None
        if count is not None:
            used = sum(
                item.products_ml.get(name, 0.0)
                for item in farm_feedings
                if count.at < item.at <= at
            )
            remaining = max(0.0, count.amount_ml - used)
            if 0 < farm_rate < math.inf:
                weeks = _lasts(remaining, farm_rate, days_per_unit=7.0)
        products.append(
            {
                "fertilizer": name,
                "ml_per_week": _round(tank_rates[name]),
                "farm_ml_per_week": _round(farm_rate),
                "stock_ml": _round(remaining),
                "stock_at": None if count is None else count.at,
                "weeks_until_out": _round(weeks),
                "runs_out_on": None
                if weeks is None
                else (at + timedelta(weeks=weeks)).date(),
            }
        )
    return products


def _lasts(amount: float, rate: float, *, days_per_unit: float) -> float | None:
    """Return how many units ``amount`` lasts at ``rate`` a unit, or None past the horizon."""
    units = amount / rate
    return units if units * days_per_unit <= MAX_FORECAST_DAYS else None


def _round(value: float | None) -> float | None:
    """Round a figure for people (two decimals); one too large for a float is None."""
    return None if value is None or not math.isfinite(value) else round(value, 2)
