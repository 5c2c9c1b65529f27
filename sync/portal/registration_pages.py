"""Deal registration pages: the partner's registrations and the form (docs/portal.md).

GET and POST ``/registrations`` (endpoint ``registrations.index``). A post is checked
field by field (``registration_form``), then against the rules
(``sync.engine.registration``); any problem re-renders the form with the reasons
beside the fields and records nothing. A good one is recorded with its outbox intent
in one transaction, then sent to HubSpot at once; when HubSpot is unavailable it stays
pending and the next ``sync`` sends it. HubSpot's own words never reach the partner:
a translated sentence with the registration's id as reference; the detail is in the
ledger (``last_error``), the logs and the admin view. Posts that reach the rules are
rate limited per partner (a form with a typo costs nothing and keeps what was typed).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext

from sync.engine.registration import Refusal
from sync.ledger import registrations as store
from sync.ledger.registrations import Registration, registration_id
from sync.portal import registration_facts as facts
from sync.portal.auth import partner_required, signed_in_partner
from sync.portal.context import portal
from sync.portal.limits import limiter
from sync.portal.registration_form import FIELDS, Problem, parse_prospect
from sync.writeback.registrations import send_registration, waits_for_setup

blueprint = Blueprint("registrations", __name__)

POSTS_PER_PARTNER = "20 per hour"  # a person registering prospects, not a script
FLASH = "registrations"
CHECKED = "registration_checked"  # g: this post reached the rules (it counts)

PROBLEMS = {
    Problem.NAME_MISSING: lazy_gettext("Enter the prospect's company name."),
    Problem.NAME_TOO_LONG: lazy_gettext("Enter a company name of at most 255 characters."),
    Problem.DOMAIN_MISSING: lazy_gettext(
        "Enter the prospect's web domain, such as example.com."),
    Problem.DOMAIN_INVALID: lazy_gettext(
        "Enter a web domain such as example.com (no spaces; letters, digits, hyphens "
        "and dots)."),
    Problem.EMAIL_MISSING: lazy_gettext(
        "Enter the email address of your contact at the prospect."),
    Problem.EMAIL_INVALID: lazy_gettext("Enter an email address such as name@example.com."),
    Problem.PLAN_MISSING: lazy_gettext("Enter the plan the prospect expects to buy."),
    Problem.PLAN_TOO_LONG: lazy_gettext("Enter a plan of at most 64 characters."),
    Problem.INVISIBLE: lazy_gettext(
        "This field contains an invisible or control character (often pasted along with "
        "the text): type it again without."),
}

REFUSALS = {
    Refusal.TIER: lazy_gettext(
        "Deal registration is open to Partner and Premier partners. Your referral link "
        "still brings you customers."),
    Refusal.INACTIVE: lazy_gettext(
        "Your partnership is not active, so you cannot register deals. Contact the "
        "partner programme team."),
    Refusal.OWN_DOMAIN: lazy_gettext(
        "This is your own company's domain: a partner cannot register itself (rule R8)."),
    # R7 and R9 in one neutral sentence: which of the two would tell a partner that a
    # competitor registered the domain, or that it is a customer (docs/portal.md)
    Refusal.EXISTING_CUSTOMER: lazy_gettext(
        "This domain cannot be registered: it is already a customer or under another "
        "registration's protection (rules R6, R7 and R9)."),
    Refusal.ALREADY_REGISTERED: lazy_gettext(
        "This domain cannot be registered: it is already a customer or under another "
        "registration's protection (rules R6, R7 and R9)."),
}


def _partner_key() -> str:
    return f"registrations:{signed_in_partner()}"


def _reached_the_rules(_response: object) -> bool:
    """Counted: posts whose fields were right (accepted, or refused by a rule: so
    probing which domains are taken stays limited); a typo is not."""
    return bool(g.get(CHECKED, False))


@blueprint.route("/registrations", methods=["GET", "POST"])
@partner_required
@limiter.limit(POSTS_PER_PARTNER, key_func=_partner_key, methods=["POST"],
               deduct_when=_reached_the_rules)
def index() -> ResponseReturnValue:
    partner_id, context = signed_in_partner(), portal()
    services, now = context.services, context.now()
    form: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    refusal: Refusal | None = None
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in FIELDS}
        prospect, problems = parse_prospect(form)
        if prospect is not None:
            g.setdefault(CHECKED, True)
            refusal = facts.refusal(services, partner_id, prospect, now)
            if refusal is None:
                registration = Registration(
                    registration_id(partner_id, prospect.domain, now), partner_id,
                    prospect.company_name, prospect.domain, prospect.contact_email,
                    prospect.expected_plan, now)
                refusal = _record_and_send(registration)
            if refusal is None:
                return redirect(url_for("registrations.index"), code=303)
    eligible = facts.eligibility(services, partner_id, now)
    page = render_template(
        "registrations/index.html", form=form,
        # str(): a lazy string renders as markup, unescaped; these are text
        problems={name: str(PROBLEMS[problem]) for name, problem in problems.items()},
        refusal=str(REFUSALS[refusal]) if refusal is not None else None,
        ineligible=str(REFUSALS[eligible]) if eligible is not None else None,
        rows=facts.partner_rows(services, partner_id, now),
        window_days=facts.window_days(services, now))
    return page, (422 if request.method == "POST" else 200)


def _record_and_send(registration: Registration) -> Refusal | None:
    """Record it (the domain checked again under the domain's lock: another post of it
    may have been recorded since the check), then send it to HubSpot at once."""
    services = portal().services
    days = facts.window_days(services, registration.registered_at)
    recorded = store.record(services.ledger, registration, days)
    if recorded is store.Recorded.DOMAIN_TAKEN:
        return Refusal.ALREADY_REGISTERED
    if recorded is store.Recorded.DUPLICATE:
        return None  # the same post twice in one instant: already recorded
    settled = send_registration(services.ledger, services.portal_hubspot, registration.id,
                                portal=services.programme.portal)
    company, reference = registration.company_name, registration.id
    if settled.status == store.SENT:
        flash(gettext("%(company)s is registered: the deal is in HubSpot.",
                      company=company), FLASH)
    elif waits_for_setup(settled):
        flash(gettext("%(company)s is registered (reference %(reference)s). The deal could "
                      "not be created in HubSpot yet because of a setting on our side: the "
                      "programme team was told, and it will be created once that is fixed.",
                      company=company, reference=reference), FLASH)
    elif settled.status == store.PENDING:
        flash(gettext("%(company)s is registered. HubSpot could not be reached; the deal "
                      "will be created at the next synchronisation.",
                      company=company), FLASH)
    else:  # HubSpot's reason is for the programme team: ledger, logs, admin view
        flash(gettext("%(company)s could not be registered: HubSpot refused it (reference "
                      "%(reference)s). The programme team was told and will contact you; "
                      "the domain is not protected, and you may register it again.",
                      company=company, reference=reference), FLASH)
    return None
