"""The one error type of the planner, and how it reads to a client."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Final

# English text per code; the code itself is the stable contract for clients.
MESSAGES: Final[Mapping[str, str]] = {
    "bad_request": "The request could not be understood.",
    "database_too_new": (
        "The database has schema version {found}, newer than this planner "
        "supports ({supported}); update the add-on."
    ),
    "database_unavailable": "The planner database cannot be used: {reason}.",
    "forbidden": "This request is not allowed.",
    "internal_error": "The planner hit an unexpected error; see its log.",
    "invalid_config": "Configuration option '{option}' is invalid: {reason}.",
    "invalid_json": "The request body is not valid JSON.",
    "invalid_request": "Field '{field}' is invalid: {reason}.",
    "method_not_allowed": "Method {method} is not allowed on {path}.",
    "not_found": "There is no endpoint at {path}.",
    "payload_too_large": "The request body is larger than {limit_bytes} bytes.",
    "plan_not_found": "There is no plan {plan_id}.",
    "tank_not_found": "The journal has no records about tank {tank}.",
    "unauthorized": "A valid bearer token is required.",
    "unsupported_media_type": "The request body must be JSON.",
}


class PlannerError(Exception):
    """A refused request or unusable setup, with a machine-readable code.

    ``code`` is lower-case snake_case and never changes meaning; ``status`` is
    the HTTP status a request that hits it answers with; ``params`` fill the
    message and tell a client what exactly was wrong.
    """

    def __init__(
        self,
        code: str,
        *,
        status: HTTPStatus = HTTPStatus.BAD_REQUEST,
        **params: str | float,
    ) -> None:
        """Store the code, the status and the message placeholders."""
        self.code = code
        self.status = status
        self.params: Mapping[str, str | float] = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Return the English message for this error."""
        template = MESSAGES.get(self.code)
        if template is None:
            detail = ", ".join(f"{key}={value}" for key, value in self.params.items())
            return f"{self.code}: {detail}" if detail else self.code
        try:
            return template.format(**self.params)
        except KeyError:
            # A missing placeholder must not turn an error report into a crash.
            return template
