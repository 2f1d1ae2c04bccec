"""The farm's link to the planner add-on: connection state, journal shipping, plan.

- Connected means the planner answered a call that needs the token, lately:
  a light health check runs every minute, and every call the farm makes
  (shipping, planning, forecasts) counts as one too. The
  `planner_connected` binary sensor follows it by push.
- Every journal record waits in the farm store's outbox (written with the
  record itself) until the planner acknowledged it after its commit. Records
  are shipped as soon as they are written, in batches; a failed batch is
  retried with exponential backoff, and whatever is left goes out when the
  planner is back, after a restart too.
- Unreachable for 10 minutes raises the `planner_unreachable` repair issue; a
  refused token raises `planner_auth_failed` at once. A check answered with
  a server error of the planner's own (its database) keeps it connected, as
  shipping, forecasts and planning do, and raises `planner_server_error` at
  once. Each clears on recovery.
- A batch the planner refuses as invalid is split until the refused records
  are found; those are set aside in the store (never sent again, counted in
  diagnostics, the `planner_records_refused` repair issue says how many) and
  the rest is shipped, so no valid record waits behind a bad one.
- Each tank's forecast (water use, days until empty) is fetched when the
  planner is connected, after it acknowledged records about the tank, and
  every 30 minutes; the forecast sensors show it while it is connected.
- The latest succession plan is kept in the farm store, so the calendar shows
  its sowings after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from http import HTTPStatus
import logging
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from .const import CONF_PLANNER_TOKEN, CONF_PLANNER_URL, DOMAIN, SUBENTRY_TANK
from .farm import FarmConfigEntry
from .planner import (
    PlannerAuthError,
    PlannerClient,
    PlannerConnectionError,
    PlannerError,
    PlannerRefusedError,
    PlannerServerError,
)
from .store import FarmStore, JournalRecord

_LOGGER = logging.getLogger(__name__)

CHECK_INTERVAL: Final = timedelta(minutes=1)
UNREACHABLE_REPAIR_AFTER: Final = timedelta(minutes=10)
BATCH_SIZE: Final = 200
RETRY_FIRST_S: Final = 2.0
RETRY_MAX_S: Final = 300.0
ISSUE_UNREACHABLE: Final = "planner_unreachable"
ISSUE_AUTH_FAILED: Final = "planner_auth_failed"
ISSUE_REFUSED: Final = "planner_records_refused"
ISSUE_SERVER_ERROR: Final = "planner_server_error"
FORECAST_EVERY: Final = timedelta(minutes=30)
# Answers that refuse what was sent (invalid, too large), not the address.
RECORDS_REFUSED: Final = frozenset(
    {HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE}
)
PLAN_KEY: Final = "planner_plan"


def planner_client(
    hass: HomeAssistant, options: Mapping[str, Any]
) -> PlannerClient | None:
    """A client for the planner the options name, if they name one."""
    url = options.get(CONF_PLANNER_URL)
    token = options.get(CONF_PLANNER_TOKEN)
    if not url or not token:
        return None
    return PlannerClient(async_get_clientsession(hass), str(url), str(token))


class PlannerLink:
    """One farm's connection to the planner (idle when none is configured)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: FarmConfigEntry,
        store: FarmStore,
        changed: Callable[[Iterable[str]], None],
    ) -> None:
        """Prepare the link; nothing runs until `async_start`."""
        self.hass = hass
        self.entry = entry
        self.store = store
        self.client = planner_client(hass, entry.options)
        store.ship_samples = self.client is not None
        self.connected = False
        self.auth_failed = False
        self.unreachable_since: datetime | None = None
        # The planner's own error the last check got, while it lasts.
        self.server_error: PlannerServerError | None = None
        self._changed = changed
        self._unsub: list[CALLBACK_TYPE] = []
        self._repair_timer: CALLBACK_TYPE | None = None
        self._retry_timer: CALLBACK_TYPE | None = None
        self._retry_s = 0.0
        self._shipping = False
        self._stopped = False
        # The water part of each tank's latest forecast, by tank id.
        self.forecasts: dict[str, dict[str, Any]] = {}
        self._forecast_due: set[str] = set()
        self._forecasting = False

    @property
    def shipping(self) -> bool:
        """Whether a batch of records is on its way to the planner now."""
        return self._shipping

    @property
    def retry_s(self) -> float:
        """Seconds until the next try after a failed batch (0: none failed)."""
        return self._retry_s

    @property
    def configured(self) -> bool:
        """Whether the farm has a planner address and token."""
        return self.client is not None

    @property
    def plan(self) -> dict[str, Any] | None:
        """The latest succession plan (kept across restarts)."""
        plan: dict[str, Any] | None = self.store.state(self.entry.entry_id).get(
            PLAN_KEY
        )
        return plan

    async def async_set_plan(self, plan: dict[str, Any]) -> None:
        """Keep a new plan as the latest and write it to disk."""
        self.store.state(self.entry.entry_id)[PLAN_KEY] = plan
        await self.store.async_save_now()
        self._notify()

    # --- Lifecycle ------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Check the planner now and every minute; ship records as they come.

        Without a planner its repair notices are stale (it was disconnected
        or never linked) and go.
        """
        if (client := self.client) is None:
            for kind in (
                ISSUE_UNREACHABLE,
                ISSUE_AUTH_FAILED,
                ISSUE_REFUSED,
                ISSUE_SERVER_ERROR,
            ):
                ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(kind))
            return

        @callback
        def _check(_now: datetime) -> None:
            self._async_run(self._async_check(client))

        self._unsub.append(self.store.async_on_queued(self.async_ship_soon))

        @callback
        def _hass_stopping(_event: Event) -> None:
            self._unsub.remove(unsub_stop)  # fired: nothing left to unsubscribe
            self.async_stop()

        unsub_stop = self.hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, _hass_stopping
        )
        self._unsub.append(unsub_stop)
        self._unsub.append(async_track_time_interval(self.hass, _check, CHECK_INTERVAL))

        @callback
        def _forecast(_now: datetime) -> None:
            if self.connected:
                self.async_refresh_forecasts()

        self._unsub.append(
            async_track_time_interval(self.hass, _forecast, FORECAST_EVERY)
        )
        if self.store.refused:
            self._create_issue(ISSUE_REFUSED)
        self._async_run(self._async_check(client))

    @callback
    def async_stop(self) -> None:
        """Stop every timer; what is unshipped stays in the outbox."""
        self._stopped = True
        for unsub in self._unsub:
            unsub()
        self._unsub.clear()
        self._cancel_retry()
        if self._repair_timer is not None:
            self._repair_timer()
            self._repair_timer = None

    @callback
    def _async_run(self, job: Any) -> None:
        self.entry.async_create_background_task(
            self.hass, job, "vertical_farm planner", eager_start=True
        )

    async def _async_check(self, client: PlannerClient) -> None:
        """Ask the planner whether it answers with the token; ship when it does."""
        try:
            await client.async_check()
        except PlannerServerError as err:
            self.async_answered_with_error(err)
            return
        except PlannerError as err:
            self.async_failed(err)
            return
        self.async_succeeded()

    # --- Connection state -----------------------------------------------------

    @callback
    def async_succeeded(self) -> None:
        """A call with the token went through: connected, problems cleared."""
        self._clear_server_error()
        self.async_answered()

    @callback
    def async_answered_with_error(self, err: PlannerServerError) -> None:
        """The check took the token, but the planner failed with an error of its own.

        It answers: connected, as for shipping, forecasts and planning; a
        repair says it fails until it answers well again.
        """
        if self.server_error is None:
            _LOGGER.warning("Planner at %s answers with an error: %s", self._url, err)
        self.server_error = err
        self.async_answered()
        self._create_issue(
            ISSUE_SERVER_ERROR, status=str(err.status), error=str(err) or err.code
        )

    @callback
    def async_answered(self) -> None:
        """A call with the token was answered: connected, the token taken.

        Answered, not done: a refusal of what was asked says nothing of an
        error of the planner's own, whose notice stays until a call succeeds.
        """
        was = (self.connected, self.auth_failed)
        self.connected = True
        self.auth_failed = False
        self._clear_unreachable()
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_AUTH_FAILED))
        if was == (True, False):
            self.async_ship_soon()  # no-op while a batch or a retry is on its way
            return
        _LOGGER.info("Planner at %s is connected", self._url)
        self._notify()
        self.async_refresh_forecasts()
        if not self._shipping:
            # It is back: what waits goes now, not after the backoff.
            self._cancel_retry()
            self._retry_s = 0.0
            self.async_ship_soon()

    @callback
    def async_failed(self, err: PlannerError) -> None:
        """A call failed: not connected; a refused token, or no planner answers."""
        was = (self.connected, self.auth_failed)
        self.connected = False
        self._clear_server_error()  # it no longer answers, or not with the token
        if isinstance(err, PlannerAuthError):
            self.auth_failed = True
            # It answers: not unreachable, but the token must be fixed.
            self._clear_unreachable()
            self._create_issue(ISSUE_AUTH_FAILED)
        else:
            # No answer, a failing planner, or something else at the address.
            self.auth_failed = False
            self._mark_unreachable()
        if was != (self.connected, self.auth_failed):
            _LOGGER.warning("Planner at %s: %s (%s)", self._url, err.code, err)
            self._notify()

    @property
    def _url(self) -> str:
        return self.client.url if self.client is not None else ""

    def _issue_id(self, kind: str) -> str:
        return f"{kind}_{self.entry.entry_id}"

    def _create_issue(self, kind: str, **placeholders: str) -> None:
        if kind == ISSUE_REFUSED:
            placeholders["count"] = str(len(self.store.refused))
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id(kind),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING
            if kind == ISSUE_UNREACHABLE
            else ir.IssueSeverity.ERROR,
            translation_key=kind,
            translation_placeholders={
                "farm": self.entry.title,
                "url": self._url,
                **placeholders,
            },
        )

    @callback
    def _clear_server_error(self) -> None:
        if self.server_error is not None:
            _LOGGER.info("Planner at %s answers well again", self._url)
        self.server_error = None
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_SERVER_ERROR))

    @callback
    def _notify(self) -> None:
        """Tell the farm's entities, and the tanks' forecast sensors, to look again."""
        self._changed({self.entry.entry_id, *self._tanks()})

    def _tanks(self) -> set[str]:
        return {
            subentry.subentry_id
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_TANK
        }

    @callback
    def _mark_unreachable(self) -> None:
        if self.unreachable_since is not None:
            return
        self.unreachable_since = dt_util.utcnow()

        @callback
        def _still_unreachable(_now: datetime) -> None:
            self._repair_timer = None
            if self.unreachable_since is not None:
                self._create_issue(ISSUE_UNREACHABLE)

        self._repair_timer = async_track_point_in_utc_time(
            self.hass,
            _still_unreachable,
            self.unreachable_since + UNREACHABLE_REPAIR_AFTER,
        )

    @callback
    def _clear_unreachable(self) -> None:
        self.unreachable_since = None
        if self._repair_timer is not None:
            self._repair_timer()
            self._repair_timer = None
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_UNREACHABLE))

    # --- Shipping -------------------------------------------------------------

    @callback
    def async_ship_soon(self) -> None:
        """Ship what waits, unless a batch is on its way or a retry is planned."""
        if (
            self.client is None
            or self._stopped
            or self._shipping
            or self._retry_timer is not None
            or not self.store.outbox_size
        ):
            return
        self._shipping = True
        self._async_run(self._async_ship())

    async def _async_ship(self) -> None:
        """Send batches until the outbox is empty or a batch fails."""
        client = self.client
        shipped: set[str] = set()
        try:
            while (
                client is not None
                and not self._stopped
                and (batch := self.store.outbox(BATCH_SIZE))
            ):
                try:
                    handled = await self._async_ship_batch(client, batch, shipped)
                except PlannerError as err:
                    if isinstance(err, PlannerServerError) or not isinstance(
                        err, (PlannerConnectionError, PlannerAuthError)
                    ):
                        # It answers: the connection holds, the batch waits.
                        _LOGGER.warning("Planner did not take the journal: %s", err)
                    else:
                        self.async_failed(err)
                    self._schedule_retry()
                    return
                if handled < len(batch):
                    self._schedule_retry()  # some not taken: do not hammer
                    return
                self._retry_s = 0.0
                if not self.connected or self.server_error is not None:
                    self.async_succeeded()
        finally:
            self._shipping = False
            self.async_refresh_forecasts(shipped)

    async def _async_ship_batch(
        self, client: PlannerClient, batch: Sequence[JournalRecord], shipped: set[str]
    ) -> int:
        """Ship a batch; how many of its records were taken or set aside.

        A batch refused as invalid is split in halves until the refused
        records are alone; those are set aside, the others shipped.

        Raises:
            PlannerError: any failure but a refusal (what was taken stays taken).
        """
        try:
            acknowledged = await client.async_ship(self.entry.entry_id, batch)
        except PlannerRefusedError as err:
            if err.status not in RECORDS_REFUSED:
                raise  # not about the records (no such path): they wait
            if len(batch) > 1:
                half = len(batch) // 2
                return await self._async_ship_batch(
                    client, batch[:half], shipped
                ) + await self._async_ship_batch(client, batch[half:], shipped)
            self._set_aside(batch[0], err)
            return 1
        self.store.acknowledge(acknowledged)
        shipped.update(
            record["subject"] for record in batch if record["id"] in acknowledged
        )
        return len(acknowledged)

    @callback
    def _set_aside(self, record: JournalRecord, err: PlannerRefusedError) -> None:
        """Keep a refused record out of the outbox; say so once, in the log and a repair."""
        self.store.set_aside(record, f"{err.planner_code}: {err}")
        _LOGGER.warning(
            "Planner refused journal record %s (%s, %s): %s; it is kept but not sent again",
            record["id"],
            record["kind"],
            record["at"],
            err,
        )
        self._create_issue(ISSUE_REFUSED)

    @callback
    def _schedule_retry(self) -> None:
        """Try again after 2 s, then twice as long each time, at most 5 minutes."""
        if self._stopped:
            return
        self._retry_s = min(RETRY_MAX_S, max(RETRY_FIRST_S, self._retry_s * 2))

        @callback
        def _retry(_now: datetime) -> None:
            self._retry_timer = None
            self.async_ship_soon()

        self._cancel_retry()
        self._retry_timer = async_call_later(self.hass, self._retry_s, _retry)

    @callback
    def _cancel_retry(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer()
            self._retry_timer = None

    # --- Forecasts ------------------------------------------------------------

    @callback
    def async_refresh_forecasts(self, subjects: Iterable[str] | None = None) -> None:
        """Fetch the forecasts of these tanks (all without a list) while connected."""
        tanks = self._tanks()
        due = tanks if subjects is None else tanks.intersection(subjects)
        if self.client is None or self._stopped or not self.connected or not due:
            return
        self._forecast_due |= due
        if not self._forecasting:
            self._forecasting = True
            self._async_run(self._async_forecasts(self.client))

    async def _async_forecasts(self, client: PlannerClient) -> None:
        """Fetch the forecasts that are due, one tank at a time."""
        try:
            while self._forecast_due and not self._stopped:
                tank_id = min(self._forecast_due)
                self._forecast_due.discard(tank_id)
                try:
                    answer = await client.async_get_forecast(tank_id)
                except PlannerRefusedError:
                    answer = {}  # it answers, but has no records about the tank
                except PlannerServerError as err:
                    # It answers: the connection holds, the last forecast stays.
                    _LOGGER.warning("Planner has no forecast for %s: %s", tank_id, err)
                    continue
                except PlannerError as err:
                    self._forecast_due.clear()
                    self.async_failed(err)
                    return
                water = answer.get("water")
                forecast = dict(water) if isinstance(water, dict) else None
                if forecast != self.forecasts.get(tank_id):
                    if forecast is None:
                        self.forecasts.pop(tank_id, None)
                    else:
                        self.forecasts[tank_id] = forecast
                    self._changed({tank_id})
        finally:
            self._forecasting = False

    def forecast(self, tank_id: str) -> dict[str, Any] | None:
        """A tank's latest water forecast while the planner is connected."""
        return self.forecasts.get(tank_id) if self.connected else None
