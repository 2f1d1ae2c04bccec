"""Client for the Vertical Farm Planner add-on's JSON API (SPEC section 9).

It runs on Home Assistant's shared aiohttp session and sends the bearer token
on every call but the health check. Failures come out as three kinds of
`PlannerError`, which the link, the options flow and the actions tell apart:
`PlannerConnectionError` (nothing answers, a timeout; `PlannerServerError`
when it answers with a server error),
`PlannerAuthError` (the token is refused) and `PlannerResponseError` (an answer
that is not what the API promises). A request the planner refuses as invalid
is a `PlannerRefusedError` with the planner's error code and message.

The request and response shapes live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
import json
from typing import Any, Final

import aiohttp
from yarl import URL

from .store import JournalRecord

API: Final = "/api/v1"
TIMEOUT: Final = aiohttp.ClientTimeout(total=15, connect=5)
# A long plan is solved while the request waits.
PLAN_TIMEOUT: Final = aiohttp.ClientTimeout(total=120, connect=5)


class PlannerError(Exception):
    """The planner could not do what was asked; `code` says why."""

    code = "planner_error"

    def __init__(self, detail: str = "") -> None:
        """Keep what went wrong, for the log and the error message."""
        self.detail = detail
        super().__init__(detail or self.code)


class PlannerConnectionError(PlannerError):
    """Nothing answers at the address, or the planner is failing."""

    code = "cannot_connect"


class PlannerServerError(PlannerConnectionError):
    """The planner answered with a server error (its database, a crash)."""

    def __init__(self, detail: str, status: int) -> None:
        """Keep what the planner said and the HTTP status it answered with."""
        self.status = status
        super().__init__(detail)


class PlannerAuthError(PlannerError):
    """The planner refused the token."""

    code = "invalid_auth"


class PlannerResponseError(PlannerError):
    """The planner answered something the API does not promise."""

    code = "bad_response"


class PlannerRefusedError(PlannerError):
    """The planner refused the request as invalid (its error code and message)."""

    code = "refused"

    def __init__(
        self, planner_code: str, message: str, status: int = HTTPStatus.BAD_REQUEST
    ) -> None:
        """Keep the planner's own code and message, and the HTTP status."""
        self.planner_code = planner_code
        self.status = status
        super().__init__(message or planner_code)


class PlannerClient:
    """Calls to one planner with one token."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Talk to the planner at `url` (scheme, host, port) with `token`."""
        self._session = session
        self._base = URL(url.rstrip("/"))
        self._headers = {"Authorization": f"Bearer {token}"}

    @property
    def url(self) -> str:
        """The planner's address as shown in notices and logs: no user or password."""
        return str(self._base.with_user(None))

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        auth: bool = True,
        limits: aiohttp.ClientTimeout = TIMEOUT,
    ) -> dict[str, Any]:
        """One call; the JSON object it answers.

        Raises:
            PlannerError: one of its kinds, as the module says.
        """
        try:
            async with self._session.request(
                method,
                self._base.with_path(
                    f"{self._base.path.rstrip('/')}{API}{path}", encoded=False
                ),
                json=body,
                headers=self._headers if auth else None,
                timeout=limits,
                allow_redirects=False,
            ) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as err:
            raise PlannerConnectionError(str(err) or type(err).__name__) from err
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = None
        if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            raise PlannerAuthError(_message(answer) or f"HTTP {status}")
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise PlannerServerError(_message(answer) or f"HTTP {status}", status)
        if status >= HTTPStatus.BAD_REQUEST:
            error = answer.get("error") if isinstance(answer, dict) else None
            if isinstance(error, dict) and isinstance(error.get("code"), str):
                raise PlannerRefusedError(
                    error["code"], str(error.get("message") or ""), status
                )
            raise PlannerResponseError(f"HTTP {status}")
        if status >= HTTPStatus.MULTIPLE_CHOICES or not isinstance(answer, dict):
            raise PlannerResponseError(f"HTTP {status}: not a JSON object")
        return answer

    async def async_health(self) -> dict[str, Any]:
        """The planner's status (needs no token)."""
        return await self._request("GET", "/health", auth=False)

    async def async_check(self) -> None:
        """Whether the planner answers and takes the token.

        Raises:
            PlannerError: `PlannerConnectionError` or `PlannerAuthError` say which;
                `PlannerServerError` once the token is taken but the planner
                fails (its database).
        """
        failing: PlannerServerError | None = None
        try:
            await self.async_health()
        except PlannerServerError as err:
            failing = err  # it answers, failing: whether it takes the token first
        # The cheapest call that needs the token.
        await self._request("GET", "/openapi.json")
        if failing is not None:
            raise failing

    async def async_ship(
        self, farm_id: str, records: Sequence[JournalRecord]
    ) -> set[str]:
        """Send journal records; the ids the planner committed.

        The planner takes each event id once, so sending one again is harmless.
        """
        answer = await self._request(
            "POST",
            "/journal",
            body={"farm_id": farm_id, "records": [dict(record) for record in records]},
        )
        accepted = answer.get("accepted")
        if not isinstance(accepted, list):
            raise PlannerResponseError("accepted is not a list")
        # Only what the planner names as committed leaves the outbox.
        return {record["id"] for record in records} & {str(item) for item in accepted}

    async def async_plan_succession(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Solve and store a succession plan; the plan with its id."""
        plan = await self._request(
            "POST", "/plans/succession", body=dict(request), limits=PLAN_TIMEOUT
        )
        if not isinstance(plan.get("plan_id"), str) or not isinstance(
            plan.get("sowings"), list
        ):
            raise PlannerResponseError("a plan needs a plan_id and sowings")
        return plan

    async def async_get_forecast(self, tank_id: str) -> dict[str, Any]:
        """The water and nutrient forecast of a tank from the journal."""
        return await self._request("GET", f"/forecast/tanks/{tank_id}")


def _message(answer: Any) -> str:
    """The message of a JSON error answer, if it is one."""
    if isinstance(answer, dict) and isinstance(error := answer.get("error"), dict):
        return str(error.get("message") or error.get("code") or "")
    return ""
