"""The partner's pages (docs/portal.md, "What a partner sees"): overview, customers,
commission lines, payouts with their statements, the referral link.

Every view is ``@partner_required`` and reads only the signed-in partner's records
(``signed_in_partner()``); an id of anything else answers 404, never 403.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext

from sync.domain.decisions import CommissionLine
from sync.domain.money import eur as plain_eur
from sync.domain.months import Month, month_label, parse_month_label
from sync.ledger.transitions import spreadsheet_safe
from sync.portal import partner_labels as labels
from sync.portal.auth import partner_required, signed_in_partner
from sync.portal.context import portal
from sync.portal.partner_data import overview as overview_of
from sync.portal.partner_records import (
    customers as customers_of,
)
from sync.portal.partner_records import (
    line_detail,
    lines_page,
)
from sync.portal.partner_records import payouts as payouts_of
from sync.portal.partner_records import (
    referral as referral_of,
)
from sync.portal.partner_records import (
    statement as statement_of,
)
from sync.report.svg import Series, grouped_bars
from sync.writeback.intents import rate_text

blueprint = Blueprint("partner", __name__, template_folder="templates")
CHART_MONTHS = 24
CSV_COLUMNS = ("line_id", "month", "kind", "customer_id", "deal_id", "tier", "rate",
               "basis_eur", "amount_eur", "explanation")


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


@blueprint.get("/customers")
@partner_required
def customers() -> str:
    rows = customers_of(portal().services.ledger, signed_in_partner())
    return render_template("partner/customers.html", rows=rows or (), stored=rows is not None)


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
    page = lines_page(portal().services.ledger, signed_in_partner(), month)
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
    found = statement_of(portal().services.ledger, signed_in_partner(), payout_id)
    if found is None:
        abort(404)
    return render_template("partner/statement.html", statement=found)


def _csv_row(line: CommissionLine) -> list[str]:
    return [line.id, month_label(line.month), line.kind.value, spreadsheet_safe(line.customer_id),
            line.deal_id or "", line.tier.value, rate_text(line.rate),
            plain_eur(line.basis), plain_eur(line.amount), spreadsheet_safe(line.explanation)]


@blueprint.get("/payouts/<ledger_id:payout_id>/statement.csv")
@partner_required
def statement_csv(payout_id: str) -> Response:
    """The payout's lines and their total; amounts in EUR with a dot and rates as
    decimals, as HubSpot and finance's export write them, whatever the page's language."""
    found = statement_of(portal().services.ledger, signed_in_partner(), payout_id)
    if found is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(line) for line in found.lines)
    writer.writerow(["total", "", "", "", "", "", "", "", plain_eur(found.total),
                     f"payout {payout_id}: {len(found.lines)} lines"])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="statement-{payout_id}.csv"'})


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
