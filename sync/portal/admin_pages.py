"""The admin view, for programme managers signed in with ``partnersync portal
invite-admin``: the programme report live (``/admin``, what ``partnersync report --html``
shows), partners' destinations and holds (``/admin/partners``, R32, R35, with the deal
registrations HubSpot refused or has not taken yet, and HubSpot's reason) and payouts
waiting for approval (``/admin/payouts``, R25, R33). It reads only: every change is
finance's, on the command line, and each page names the command."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal

from sync.domain.money import grouped_eur
from sync.domain.months import month_label
from sync.ledger import registrations as registration_store
from sync.portal.admin_data import (
    LastSyncCache,
    approvals,
    first_month,
    held_payouts,
    month_shown,
    partner_rows,
    partners_read,
    report_of,
)
from sync.portal.auth import admin_required, signed_in_admin
from sync.portal.context import portal
from sync.report.html import render_sections, scoped_style

admin = Blueprint("admin", __name__, url_prefix="/admin")
CACHE = "partnersync.admin.last_sync"
# The report's own constant CSS; with its HTML (sync/report/html.py escapes every value
# from data), the template marks it safe.
REPORT_STYLE = scoped_style(".report")


@admin.context_processor
def _formats() -> dict[str, object]:
    """Amounts in tables as the report writes them (1,234.56), amounts inside a
    sentence in the page's language (300,00 in French), months as YYYY-MM."""
    return {"eur": grouped_eur, "eur_in_text": eur_in_text, "month_label": month_label}


def eur_in_text(cents: int) -> str:
    """An amount for a translated sentence that names its currency: the locale's
    decimal mark and grouping, two decimals (French: 1 234,56; English: 1,234.56)."""
    return str(format_decimal(Decimal(cents) / 100, format="#,##0.00"))


def _last_sync_cache() -> LastSyncCache:
    """One cache per application: each portal has its own ledger."""
    cache = current_app.extensions.get(CACHE)
    if not isinstance(cache, LastSyncCache):
        cache = current_app.extensions[CACHE] = LastSyncCache()
    return cache


@admin.get("")
@admin_required
def dashboard() -> ResponseReturnValue:
    context = portal()
    last = _last_sync_cache().get(context.services)
    if last is None:
        return render_template("admin/dashboard.html", report=None, problem="no_sync")
    shown = month_shown(request.args.get("month"), last)
    closed, first = last.decisions.last_closed_month, first_month(last)
    if isinstance(shown, str):
        return render_template("admin/dashboard.html", report=None, problem=shown,
                               asked=request.args.get("month", ""),
                               closed=month_label(closed),
                               first=month_label(first)), 400
    data = report_of(context.services, last, shown, context.now())
    # the months with data only: from the first the ledger knows to the last closed
    months = [month_label(month) for month in range(closed, first - 1, -1)]
    return render_template("admin/dashboard.html", report=render_sections(data),
                           style=REPORT_STYLE, problem=None, month=month_label(shown),
                           months=months)


@admin.get("/partners")
@admin_required
def partners() -> ResponseReturnValue:
    context = portal()
    services = context.services
    rows = partner_rows(partners_read(services.mirror, services.props),
                        services.ledger.controls(), services.ledger.list_payouts(),
                        context.now(), signed_in_admin())
    held = [row for row in rows if row.control.hold_reasons or row.held]
    names = {row.partner.id: row.partner.name for row in rows}
    return render_template("admin/partners.html", rows=rows, held=held, names=names,
                           registrations=registration_store.with_errors(services.ledger))


@admin.get("/payouts")
@admin_required
def payouts() -> ResponseReturnValue:
    services = portal().services
    records = services.ledger.list_payouts()
    names = {partner.id: partner.name
             for partner in partners_read(services.mirror, services.props)}
    approval = services.programme.approval
    waiting = approvals(records, names, approval, signed_in_admin())
    return render_template("admin/payouts.html", waiting=waiting,
                           held=held_payouts(records), names=names,
                           approvers=approval.approvers, dual_above=approval.dual_above,
                           auto_max=approval.auto_approve_max)
