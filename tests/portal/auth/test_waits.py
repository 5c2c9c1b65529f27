"""The 429 page says how long to wait, from the limit's own Retry-After, in the page's
language: a minute, minutes, an hour or hours, rounded up."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from sync.portal.app import create_portal
from sync.portal.errors import wait_advice
from sync.portal.limits import limiter
from sync.wiring import Services
from tests.portal.conftest import ManualClock

waits = Blueprint("waits", __name__)


@waits.get("/probe/ten-minutes")
@limiter.limit("1 per 10 minutes")
def ten_minutes() -> str:
    return "ok"


@waits.get("/probe/hourly")
@limiter.limit("1/hour")
def hourly() -> str:
    return "ok"


@waits.get("/probe/daily")
@limiter.limit("1/day")
def daily() -> str:
    return "ok"


@pytest.fixture
def limited(portal_services: Services, portal_clock: ManualClock) -> Flask:
    app = create_portal(portal_services, clock=portal_clock)
    app.register_blueprint(waits)
    limiter.reset()  # the limiter counts in this process's memory, across tests
    return app


@pytest.mark.parametrize(("path", "english", "french", "retry_after"), [
    ("/probe/ten-minutes", "Wait 10 minutes, then try again.",
     "Patientez 10 minutes, puis réessayez.", (599, 600)),
    ("/probe/hourly", "Wait an hour, then try again.",
     "Patientez une heure, puis réessayez.", (3599, 3600)),
    ("/probe/daily", "Wait 24 hours, then try again.",
     "Patientez 24 heures, puis réessayez.", (86399, 86400)),
])
def test_the_429_page_says_how_long_the_retry_after_is(
        limited: Flask, path: str, english: str, french: str,
        retry_after: tuple[int, int]) -> None:
    client = limited.test_client()
    assert client.get(path).status_code == 200
    refused = client.get(path)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) in retry_after
    page = refused.get_data(as_text=True)
    assert english in page
    assert "Wait a minute" not in page
    in_french = client.get(path, headers={"Accept-Language": "fr"})
    assert in_french.status_code == 429
    assert french in in_french.get_data(as_text=True)


@pytest.mark.parametrize(("seconds", "advice"), [
    (0, "Wait a minute, then try again."),
    (60, "Wait a minute, then try again."),
    (61, "Wait 2 minutes, then try again."),
    (3534, "Wait 59 minutes, then try again."),  # the registration limit's, in review
    (3599, "Wait 60 minutes, then try again."),
    (3600, "Wait an hour, then try again."),
    (3601, "Wait 2 hours, then try again."),
])
def test_the_wait_is_rounded_up(limited: Flask, seconds: int, advice: str) -> None:
    with limited.test_request_context("/"):
        assert wait_advice(seconds) == advice
