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


SCHEMAS: Final[JsonObject] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "description": "Stable, machine-readable snake_case code.",
                        "examples": ["unauthorized"],
                    },
                    "message": {
                        "type": "string",
                        "description": "English explanation for logs and people.",
                    },
                },
            }
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "version", "database"],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "version": {"type": "string", "description": "Planner version."},
            "database": {"type": "string", "enum": ["ok"]},
        },
    },
    "OpenApiDocument": {
        "type": "object",
        "description": "This document.",
        "required": ["openapi", "info", "paths"],
    },
}


def build_document(endpoints: Sequence[Endpoint], version: str) -> JsonObject:
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
            "schemas": SCHEMAS,
        },
        "security": [{SECURITY_SCHEME: []}],
    }


def _operation(endpoint: Endpoint) -> JsonObject:
    """Return the OpenAPI operation object of one endpoint."""
    responses: dict[str, JsonValue] = {
        "200": {
            "description": endpoint.summary,
            "content": {
                "application/json": {
                    "schema": {
                        "$ref": f"#/components/schemas/{endpoint.response_schema}"
                    }
                }
            },
        }
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
    if endpoint.public:
        # An empty requirement list overrides the document-wide bearer rule.
        operation["security"] = []
    return operation
