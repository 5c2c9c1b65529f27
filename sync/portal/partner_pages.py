"""The partner's pages (docs/portal.md, "What a partner sees"): overview, customers,
commission lines, payouts with their statements, the referral link.

Every view is ``@partner_required`` and reads only the signed-in partner's records
(``signed_in_partner()``); an id of anything else answers 404, never 403.
"""

from __future__ import annotations

import csv
import io
from itertools import chain
from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import gettext

from sync.domain.months import Month, month_label, parse_month_label
from sync.portal import partner_labels as labels
from sync.portal.auth import partner_required, signed_in_partner
from sync.portal.context import portal
from sync.portal.errors import error_page
from sync.portal.paging import PageNumberError, Paging, page_number
from sync.portal.partner_data import overview as overview_of
from sync.portal.partner_records import customers as customers_of
from sync.portal.partner_records import line_detail, lines_page
from sync.portal.partner_records import payouts as payouts_of
from sync.portal.partner_records import referral as referral_of
from sync.portal.partner_statement import CSV_COLUMNS, statement_rows
from sync.portal.partner_statement import statement as statement_of
from sync.report.svg import Series, grouped_bars

blueprint = Blueprint("partner", __name__, template_folder="templates")
CHART_MONTHS = 24
CSV_CHUNK = 500  # rows per piece of a streamed statement


@blueprint.context_processor
def _formatting() -> dict[str, Any]:
    return {"eur": labels.eur, "count": labels.count, "rate": labels.rate, "labels": labels,
            "month_label": month_label}


def _chart(months: tuple[Any, ...]) -> str:
    shown = months[-CHART_MONTHS:]
    names = [month_label(row.month) for row in shown]
    return grouped_bars(gettext("Commission by month"), names, [
        Series(gettext("accrued (lines payable in the month)"), "#4e79a7",
               [row.accrued for row in shown]),
        Series(gettext("paid (by payment date)"), "#59a14f", [row.paid for row in shown]),
    ])


@blueprint.get("/overview")
@partner_required
def overview() -> str:
    context = portal()
    services = context.services
    data = overview_of(services.ledger, services.props, signed_in_partner(),
                       services.programme, context.now())
    if data is None:  # invited before a sync read its company: nothing to show yet
        return render_template("partner/not_read.html")
    return render_template("partner/overview.html", data=data,
                           chart=_chart(data.months) if data.months else "")


def _page_asked() -> int:
    """``?page=``: 1 when absent; anything but a whole number from 1 answers 400."""
    try:
        return page_number(request.args.get("page"))
    except PageNumberError:
        abort(make_response(error_page(
            400, gettext("This page number cannot be read"),
            gettext("Page numbers are whole numbers from 1, such as page=2."))))


def _page_exists(paging: Paging) -> None:
    """A page past the last answers 404, saying how many there are."""
    if not paging.exists:
        abort(make_response(error_page(
            404, gettext("There is no page %(number)s", number=paging.number),
            gettext("The last page of this table is page %(last)s: go back to the first "
                    "one.", last=paging.pages))))


@blueprint.get("/customers")
@partner_required
def customers() -> str:
    found = customers_of(portal().services.ledger, signed_in_partner(), _page_asked())
    if found is not None:
        _page_exists(found.paging)
    return render_template("partner/customers.html", rows=found.rows if found else (),
                           paging=found.paging if found else None, stored=found is not None)


def _month_argument() -> tuple[Month | None, bool]:
    """(the month asked for, whether the argument was readable)."""
    text = (request.args.get("month") or "").strip()
    if not text:
        return None, True
    try:
        return parse_month_label(text), True
    except ValueError:
        return None, False


@blueprint.get("/lines")
@partner_required
def lines() -> tuple[str, int]:
    """A month that is not YYYY-MM answers 400 with the reason and the latest month."""
    month, readable = _month_argument()
    number = _page_asked() if readable else 1
    page = lines_page(portal().services.ledger, signed_in_partner(), month, number)
    _page_exists(page.paging)
    error = None if readable else gettext("The month must be written YYYY-MM, such as 2026-04.")
    return render_template("partner/lines.html", page=page, error=error), 200 if readable else 400


@blueprint.get("/lines/<ledger_id:line_id>")
@partner_required
def line(line_id: str) -> str:
    detail = line_detail(portal().services.ledger, signed_in_partner(), line_id)
    if detail is None:
        abort(404)
    return render_template("partner/line.html", detail=detail)


@blueprint.get("/payouts")
@partner_required
def payouts() -> str:
    return render_template("partner/payouts.html",
                           views=payouts_of(portal().services.ledger, signed_in_partner()))


@blueprint.get("/payouts/<ledger_id:payout_id>")
@partner_required
def statement(payout_id: str) -> str:
    found = statement_of(portal().services.ledger, signed_in_partner(), payout_id,
                         _page_asked())
    if found is None:
        abort(404)
    _page_exists(found.paging)
    return render_template("partner/statement.html", statement=found)


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@blueprint.get("/payouts/<ledger_id:payout_id>/statement.csv")
@partner_required
def statement_csv(payout_id: str) -> Response:
    """Every line of the payout and their total, streamed in pieces of ``CSV_CHUNK``
    rows (the lines are read first, in one transaction)."""
    rows = statement_rows(portal().services.ledger, signed_in_partner(), payout_id)
    if rows is None:
        abort(404)
    pieces = (_csv_text(rows[start:start + CSV_CHUNK]) for start in range(0, len(rows), CSV_CHUNK))
    return Response(chain([_csv_text([list(CSV_COLUMNS)])], pieces), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="statement-{payout_id}.csv"'})


@blueprint.get("/referral")
@partner_required
def referral() -> str:
    context = portal()
    services = context.services
    found = referral_of(services.ledger, services.props, signed_in_partner(),
                        services.programme, context.now())
    if found is None:
        abort(404)
    return render_template("partner/referral.html", referral=found)
