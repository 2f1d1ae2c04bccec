"""The API's endpoint descriptions and the OpenAPI 3.1 document built from them.

The route table in `api.py` is a tuple of `Endpoint`s: the same records add
the routes to the application, tell the auth middleware which routes are
public, and fill the OpenAPI document, so the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

from aiohttp import web

type JsonValue = (
    bool | int | float | str | Sequence[JsonValue] | Mapping[str, JsonValue] | None
)
type JsonObject = Mapping[str, JsonValue]
type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SECURITY_SCHEME: Final = "bearerAuth"


@dataclass(frozen=True, kw_only=True, slots=True)
class Endpoint:
    """One route of the API and how the OpenAPI document describes it."""

    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    response_schema: str
    description: str = ""
    public: bool = False
    errors: tuple[HTTPStatus, ...] = ()
    request_schema: str | None = None
    parameters: tuple[Parameter, ...] = ()
    # Anything but JSON (the ingress page) is described by its media type only.
    media_type: str = "application/json"


@dataclass(frozen=True, kw_only=True, slots=True)
class Parameter:
    """One path or query parameter of an endpoint."""

    name: str
    location: str  # "path" or "query"
    schema: JsonObject
    description: str = ""
    required: bool = False


def build_document(
    endpoints: Sequence[Endpoint], version: str, schemas: JsonObject
) -> JsonObject:
    """Return the OpenAPI 3.1 document that describes ``endpoints``."""
    paths: dict[str, dict[str, JsonValue]] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
            endpoint
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vertical Farm Planner API",
            "version": version,
            "description": (
                "Long-horizon planning for the Vertical Farm integration. Every "
                "request needs `Authorization: Bearer <token>` except the health "
                'check; every error is `{"error": {"code", "message"}}`.'
            ),
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The planner token (add-on option `token`).",
                }
            },
            "schemas": schemas,
        },
        "security": [{SECURITY_SCHEME: []}],
    }


def _operation(endpoint: Endpoint) -> JsonObject:
    """Return the OpenAPI operation object of one endpoint."""
    content: JsonValue = (
        {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{endpoint.response_schema}"}
            }
        }
        if endpoint.media_type == "application/json"
        else {endpoint.media_type: {"schema": {"type": "string"}}}
    )
    responses: dict[str, JsonValue] = {
        "200": {"description": endpoint.summary, "content": content}
    }
    statuses = set(endpoint.errors)
    if not endpoint.public:
        statuses.add(HTTPStatus.UNAUTHORIZED)
    for status in sorted(statuses):
        responses[str(status.value)] = {
            "description": status.phrase,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
            },
        }
    operation: dict[str, JsonValue] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "responses": responses,
    }
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.parameters:
        operation["parameters"] = [
            {
                "name": parameter.name,
                "in": parameter.location,
                # Path parameters are always required in OpenAPI.
                "required": parameter.required or parameter.location == "path",
                "schema": parameter.schema,
                **(
                    {"description": parameter.description}
                    if parameter.description
                    else {}
                ),
            }
            for parameter in endpoint.parameters
        ]
    if endpoint.request_schema:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "$ref": f"#/components/schemas/{endpoint.request_schema}"
                    }
                }
            },
        }
    if endpoint.public:
        # An empty requirement list overrides the document-wide bearer rule.
        operation["security"] = []
    return operation
