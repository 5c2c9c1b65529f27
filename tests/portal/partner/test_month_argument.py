"""``/lines?month=`` is read as strictly as every month (sync.domain.months): full-width
digits, a sign, a year out of the programme's range answer 400 with the reason."""

from __future__ import annotations

import pytest

from tests.portal.partner.conftest import NUAGE, SignIn
from tests.portal.partner.pages import Page


@pytest.mark.parametrize("asked", ["0000-01", "0001-01", "+202-01", "２０２６-04",
                                   "9999-12"])
def test_a_month_out_of_range_or_not_ascii_is_refused(signed_in: SignIn, asked: str) -> None:
    response = signed_in(NUAGE).get("/lines", query_string={"month": asked})
    assert response.status_code == 400
    shown = Page(response.get_data(as_text=True))
    assert shown.text("error") == "The month must be written YYYY-MM, such as 2026-04."
