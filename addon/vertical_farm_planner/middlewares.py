"""Request middlewares: security headers, errors as JSON, body size, bearer auth.

Order matters: the security headers go on every answer, errors wrap the rest
(so a refusal by the later middlewares is JSON too), the size check runs
before auth (cheapest refusal first).
"""

from __future__ import annotations

import hmac
from http import HTTPStatus
import logging
from typing import Final

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

from .api import PUBLIC_ROUTES
from .config import INGRESS_PATH_HEADER, PlannerConfig
from .errors import PlannerError

_LOGGER = logging.getLogger(__name__)

# Headers of aiohttp's HTTP errors that still mean something in the JSON reply.
_KEPT_HEADERS: Final = (hdrs.ALLOW, hdrs.WWW_AUTHENTICATE, hdrs.RETRY_AFTER)
_HTTP_CODES: Final = {
    HTTPStatus.BAD_REQUEST: "bad_request",
    HTTPStatus.UNAUTHORIZED: "unauthorized",
    HTTPStatus.FORBIDDEN: "forbidden",
    HTTPStatus.NOT_FOUND: "not_found",
    HTTPStatus.METHOD_NOT_ALLOWED: "method_not_allowed",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "payload_too_large",
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
}


def build_middlewares(config: PlannerConfig) -> tuple[Middleware, ...]:
    """Return the application's middlewares, outermost first."""
    return (
        _security_headers_middleware,
        _error_middleware(config),
        _size_limit_middleware(config),
        _auth_middleware(config),
    )


def error_response(error: PlannerError) -> web.Response:
    """Return the JSON response that reports ``error`` to a client."""
    headers = {}
    if error.status == HTTPStatus.UNAUTHORIZED:
        headers[hdrs.WWW_AUTHENTICATE] = 'Bearer realm="vertical_farm_planner"'
    body: dict[str, str] = {"code": error.code, "message": error.message}
    if "field" in error.params:
        body["field"] = str(error.params["field"])
    return web.json_response(
        {"error": body},
        status=error.status,
        headers=headers,
    )


# The page loads only its own scripts and styles and may only be framed by
# Home Assistant's own origin (ingress shows it in an iframe of the frontend).
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; "
        "base-uri 'self'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@web.middleware
async def _security_headers_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Put the security headers on every answer, errors and redirects included."""
    try:
        response = await handler(request)
    except web.HTTPException as err:
        err.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def _error_middleware(config: PlannerConfig) -> Middleware:
    """Return the middleware that turns every failure into a JSON error."""

    @web.middleware
    async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except PlannerError as err:
            if err.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
                _LOGGER.warning("%s %s failed: %s", request.method, request.path, err)
            return error_response(err)
        except web.HTTPException as err:
            if err.status < HTTPStatus.BAD_REQUEST:
                raise
            status = HTTPStatus(err.status)
            code = _HTTP_CODES.get(status) or (
                "internal_error"
                if status >= HTTPStatus.INTERNAL_SERVER_ERROR
                else "bad_request"
            )
            response = error_response(
                PlannerError(
                    code,
                    status=status,
                    path=request.path,
                    method=request.method,
                    limit_bytes=config.max_body_bytes,
                )
            )
            for name in _KEPT_HEADERS:
                if name in err.headers:
                    response.headers[name] = err.headers[name]
            return response
        except Exception:
            _LOGGER.exception("Unexpected error in %s %s", request.method, request.path)
            return error_response(
                PlannerError("internal_error", status=HTTPStatus.INTERNAL_SERVER_ERROR)
            )

    return errors


def _size_limit_middleware(config: PlannerConfig) -> Middleware:
    """Return the middleware that refuses bodies over the configured size.

    Bodies without a declared length are cut off by the application's
    ``client_max_size`` when a handler reads them.
    """

    @web.middleware
    async def size_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > config.max_body_bytes:
            raise PlannerError(
                "payload_too_large",
                status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                limit_bytes=config.max_body_bytes,
            )
        return await handler(request)

    return size_limit


def _auth_middleware(config: PlannerConfig) -> Middleware:
    """Return the middleware that requires the bearer token off the public routes."""
    expected = config.token.encode()

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if (request.method, request.path) in PUBLIC_ROUTES or _is_authorized(
            request, config, expected
        ):
            return await handler(request)
        raise PlannerError("unauthorized", status=HTTPStatus.UNAUTHORIZED)

    return auth


def _is_authorized(
    request: web.Request, config: PlannerConfig, expected: bytes
) -> bool:
    """Return whether the request carries the token or came through ingress."""
    scheme, _, credentials = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    # surrogateescape: header bytes that are not UTF-8 must compare, not crash.
    provided = credentials.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() == "bearer" and hmac.compare_digest(provided, expected):
        return True
    # Home Assistant has already authenticated the user behind an ingress request.
    return (
        config.ingress_proxy is not None
        and request.remote == config.ingress_proxy
        and INGRESS_PATH_HEADER in request.headers
    )
