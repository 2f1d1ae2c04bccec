"""The page's files and the plan list it reads, over real HTTP (no browser)."""

from __future__ import annotations

import aiohttp
import pytest

from .checks import assert_matches_schema
from .conftest import ConfigFactory, RunningPlanner, auth, serve_planner
from .test_planning import farm, post_plan


async def test_page_with_the_token_outside_ingress(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    async with session.get(planner.url("/"), headers=auth()) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    assert '<base href="./">' in page
    assert 'src="static/app.js"' in page
    for name, kind in (("app.js", "text/javascript"), ("app.css", "text/css")):
        async with session.get(
            planner.url(f"/static/{name}"), headers=auth()
        ) as response:
            assert response.status == 200
            assert response.content_type == kind
            assert len(await response.text()) > 500


async def test_page_needs_ingress_or_the_token(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    for path in ("/", "/static/app.js"):
        async with session.get(planner.url(path)) as response:
            assert response.status == 401


@pytest.mark.parametrize(
    ("ingress_path", "base"),
    [
        ("/api/hassio_ingress/abcDEF-123_x", "/api/hassio_ingress/abcDEF-123_x/"),
        ('/api/hassio_ingress/x"><script>alert(1)</script>', "./"),
        ("/somewhere/else", "./"),
    ],
)
async def test_page_is_based_at_the_ingress_path(
    make_config: ConfigFactory,
    session: aiohttp.ClientSession,
    ingress_path: str,
    base: str,
) -> None:
    async with (
        serve_planner(make_config(ingress_proxy="127.0.0.1")) as running,
        session.get(
            running.url("/"), headers={"X-Ingress-Path": ingress_path}
        ) as response,
    ):
        assert response.status == 200
        page = await response.text()
    assert f'<base href="{base}">' in page
    assert "<script>alert" not in page


async def test_unknown_page_file_is_a_404(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    for name in ("index.html", "secrets.txt", "..%2Fapi.py"):
        async with session.get(
            planner.url(f"/static/{name}"), headers=auth()
        ) as response:
            assert response.status == 404
            assert (await response.json())["error"]["code"] == "not_found"


async def test_plan_list_newest_first(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    plans = [
        await post_plan(session, planner, farm(farm_id=farm_id))
        for farm_id in ("farm_1", "farm_2", "farm_1")
    ]
    async with session.get(planner.url("/api/v1/openapi.json"), headers=auth()) as r:
        document = await r.json()
    async with session.get(planner.url("/api/v1/plans"), headers=auth()) as response:
        listed = await response.json()
    assert_matches_schema(listed, {"$ref": "#/components/schemas/PlanList"}, document)
    assert [item["plan_id"] for item in listed["plans"]] == [
        plan["plan_id"] for plan in reversed(plans)
    ]
    assert listed["plans"][0]["totals"] == plans[2]["totals"]
    assert listed["plans"][0]["start"] == "2026-12-07"
    assert listed["plans"][0]["horizon_weeks"] == 6
    async with session.get(
        planner.url("/api/v1/plans"),
        params={"farm_id": "farm_1", "limit": "1"},
        headers=auth(),
    ) as response:
        listed = await response.json()
    assert [item["plan_id"] for item in listed["plans"]] == [plans[2]["plan_id"]]
    async with session.get(
        planner.url("/api/v1/plans"), params={"limit": "101"}, headers=auth()
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"]["field"] == "limit"
