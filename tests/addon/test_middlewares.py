"""The middlewares around handlers that fail in every way a handler can.

The planner's own routes cannot crash on purpose, so these tests put the
real middlewares in front of small handlers that raise, served over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging

import aiohttp
from aiohttp import web
import pytest

from vertical_farm_planner.errors import MESSAGES, PlannerError
from vertical_farm_planner.middlewares import build_middlewares

from .conftest import ConfigFactory, auth


async def crash(request: web.Request) -> web.Response:
    """Fail the way a bug would."""
    raise RuntimeError("boom")


async def redirect(request: web.Request) -> web.Response:
    """Redirect, which is not an error."""
    raise web.HTTPFound("/elsewhere")


async def conflict(request: web.Request) -> web.Response:
    """Fail with an HTTP status that has no code of its own."""
    raise web.HTTPConflict


async def bad_gateway(request: web.Request) -> web.Response:
    """Fail with a server-side HTTP status."""
    raise web.HTTPBadGateway


async def unlisted(request: web.Request) -> web.Response:
    """Raise a planner error whose code has no message template."""
    raise PlannerError("plan_infeasible", crop="basil", weeks=3)


async def incomplete(request: web.Request) -> web.Response:
    """Raise a planner error that lacks its message's placeholders."""
    raise PlannerError("invalid_config")


async def echo(request: web.Request) -> web.Response:
    """Read the whole body, as JSON endpoints will."""
    return web.json_response({"bytes": len(await request.read())})


@pytest.fixture
async def base_url(make_config: ConfigFactory) -> AsyncIterator[str]:
    """Serve the test handlers behind the real middlewares."""
    config = make_config(max_body_bytes=512)
    app = web.Application(
        middlewares=build_middlewares(config), client_max_size=config.max_body_bytes
    )
    for path, handler in (
        ("/crash", crash),
        ("/redirect", redirect),
        ("/conflict", conflict),
        ("/bad-gateway", bad_gateway),
        ("/unlisted", unlisted),
        ("/incomplete", incomplete),
    ):
        app.router.add_get(path, handler)
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    try:
        yield f"http://{config.host}:{config.port}"
    finally:
        await runner.cleanup()


async def get_error(
    session: aiohttp.ClientSession, url: str, status: int
) -> dict[str, str]:
    """GET ``url`` with the token and return the error object of the reply."""
    async with session.get(url, headers=auth()) as response:
        assert response.status == status
        assert response.content_type == "application/json"
        body = await response.json()
    assert set(body) == {"error"}
    error: dict[str, str] = body["error"]
    return error


async def test_unexpected_exception_is_a_json_500(
    base_url: str,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        error = await get_error(session, f"{base_url}/crash", 500)
    assert error == {"code": "internal_error", "message": MESSAGES["internal_error"]}
    # The details go to the log, not to the client.
    assert "boom" in caplog.text
    assert "boom" not in error["message"]


async def test_redirect_passes_through(
    base_url: str, session: aiohttp.ClientSession
) -> None:
    async with session.get(
        f"{base_url}/redirect", headers=auth(), allow_redirects=False
    ) as response:
        assert response.status == 302
        assert response.headers["Location"] == "/elsewhere"


async def test_other_client_error_is_a_bad_request(
    base_url: str, session: aiohttp.ClientSession
) -> None:
    error = await get_error(session, f"{base_url}/conflict", 409)
    assert error["code"] == "bad_request"


async def test_other_server_error_is_an_internal_error(
    base_url: str, session: aiohttp.ClientSession
) -> None:
    error = await get_error(session, f"{base_url}/bad-gateway", 502)
    assert error["code"] == "internal_error"


async def test_code_without_template_still_reads(
    base_url: str, session: aiohttp.ClientSession
) -> None:
    error = await get_error(session, f"{base_url}/unlisted", 400)
    assert error == {
        "code": "plan_infeasible",
        "message": "plan_infeasible: crop=basil, weeks=3",
    }


async def test_missing_placeholder_does_not_crash(
    base_url: str, session: aiohttp.ClientSession
) -> None:
    error = await get_error(session, f"{base_url}/incomplete", 400)
    assert error == {"code": "invalid_config", "message": MESSAGES["invalid_config"]}


async def test_streamed_body_over_the_limit_is_a_json_413(
    base_url: str, session: aiohttp.ClientSession
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 200

    # No Content-Length: the limit bites when the handler reads the body.
    async with session.post(
        f"{base_url}/echo", data=chunks(), headers=auth()
    ) as response:
        assert response.status == 413
        body = await response.json()
    assert body["error"]["code"] == "payload_too_large"
    assert "512" in body["error"]["message"]


async def test_streamed_body_within_the_limit_is_read(
    base_url: str, session: aiohttp.ClientSession
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2):
            yield b"x" * 200

    async with session.post(
        f"{base_url}/echo", data=chunks(), headers=auth()
    ) as response:
        assert response.status == 200
        # Two chunks of 200 bytes.
        assert await response.json() == {"bytes": 2 * 200}


def test_code_without_params_reads_as_the_code() -> None:
    assert PlannerError("plan_infeasible").message == "plan_infeasible"
