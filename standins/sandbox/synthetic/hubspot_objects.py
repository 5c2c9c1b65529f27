"""HubSpot CRM v3 objects as ``GET /crm/v3/objects/{type}/{id}`` returns them with
``propertiesWithHistory`` and ``associations=companies``.

Property values are strings or null; histories are newest first, with millisecond
``Z`` timestamps. Programme property names come from ``mappings.properties``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP, PropertyMap
from sandbox.synthetic.clock import hubspot_date, hubspot_time
from sandbox.synthetic.specs import CompanySpec, DealSpec, PartnerSpec, Timeline

JsonObject = dict[str, Any]
Properties = dict[str, str | None]

# HubSpot's own properties that mappings.properties does not declare (never read).
OBJECT_ID = "hs_object_id"
CREATED = "createdate"
LAST_MODIFIED = "hs_lastmodifieddate"
CITY = "city"
COUNTRY = "country"
DEAL_AMOUNT = "amount"
DEAL_STAGE = "dealstage"
DEAL_PIPELINE = "pipeline"
DEAL_CLOSE_DATE = "closedate"
PIPELINE = "default"
OPEN_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
               "decisionmakerboughtin", "contractsent")
USER_ID = 81_234_567  # the partner manager who edits partner records


def history(timeline: Timeline, user_id: int = USER_ID) -> list[JsonObject]:
    """A property history, newest first, as CRM v3 lists it."""
    return [
        {"value": value, "timestamp": hubspot_time(at), "sourceType": "CRM_UI",
         "sourceId": f"userId:{user_id}", "updatedByUserId": user_id}
        for at, value in reversed(timeline)
    ]


def crm_object(object_id: str, created: datetime, properties: Mapping[str, str | None],
               histories: Mapping[str, Timeline],
               associations: JsonObject | None = None) -> JsonObject:
    """One CRM object; the current value of a property with history is its newest."""
    stamps = [created] + [at for timeline in histories.values() for at, _ in timeline]
    updated = max(stamps)
    props: Properties = {OBJECT_ID: object_id, CREATED: hubspot_time(created),
                         LAST_MODIFIED: hubspot_time(updated), **properties}
    for name, timeline in histories.items():
        props[name] = timeline[-1][1] if timeline else None
    record: JsonObject = {
        "id": object_id,
        "properties": props,
        "propertiesWithHistory": {name: history(tl) for name, tl in histories.items() if tl},
        "createdAt": hubspot_time(created),
        "updatedAt": hubspot_time(updated),
        "archived": False,
    }
    if associations is not None:
        record["associations"] = associations
    return record


def _empty_company_properties(props: PropertyMap) -> Properties:
    """Every property the worker reads: HubSpot returns unset ones as null."""
    return dict.fromkeys(props.company_properties_to_read())


def partner_company(spec: PartnerSpec, props: PropertyMap = DEFAULT_PROPERTY_MAP) -> JsonObject:
    names = props.company
    values = _empty_company_properties(props)
    values.update({
        names.name: spec.name, names.domain: spec.domain, CITY: spec.city, COUNTRY: "France",
        names.stripe_account_id: spec.account_id,
        names.stripe_customer_id: spec.own_customer_id,
        names.partner_since: hubspot_date(spec.joined),
        names.interview_passed: _flag(spec.interview),
        names.training_completed: _flag(spec.training),
        names.certified: _flag(spec.certified),
    })
    histories = {names.tier: spec.tier, names.status: spec.status, names.option: spec.option,
                 names.referral_code: spec.code}
    return crm_object(spec.company_id, spec.joined, values, histories)


def plain_company(spec: CompanySpec, props: PropertyMap = DEFAULT_PROPERTY_MAP) -> JsonObject:
    names = props.company
    values = _empty_company_properties(props)
    values.update({names.name: spec.name, names.domain: spec.domain, CITY: spec.city,
                   COUNTRY: "France", **spec.extra})
    return crm_object(spec.company_id, spec.created, values, {})


def deal(spec: DealSpec, props: PropertyMap = DEFAULT_PROPERTY_MAP) -> JsonObject:
    names = props.deal
    values: Properties = dict.fromkeys(props.deal_properties_to_read())
    values.update({
        names.name: spec.name, DEAL_AMOUNT: spec.amount, DEAL_PIPELINE: PIPELINE,
        DEAL_CLOSE_DATE: hubspot_time(spec.closed) if spec.closed else None,
        names.stripe_customer_id: spec.customer_id,
        names.referral_code: spec.referral_code, names.referral_at: spec.referral_at,
        names.registered_by: spec.registered_by, names.registered_at: spec.registered_at,
    })
    return crm_object(spec.deal_id, spec.created, values, {DEAL_STAGE: _stages(spec)},
                      _company_association(spec.company_id, props))


def _stages(spec: DealSpec) -> Timeline:
    """A deal walks the default pipeline to its stage; closed deals close on ``closed``."""
    if spec.stage in OPEN_STAGES:
        reached = OPEN_STAGES[: OPEN_STAGES.index(spec.stage) + 1]
        return tuple((spec.created + timedelta(minutes=index), stage)
                     for index, stage in enumerate(reached))
    closed = spec.closed or spec.created
    return ((spec.created, OPEN_STAGES[0]), (closed, spec.stage))


def _company_association(company_id: str | None, props: PropertyMap) -> JsonObject | None:
    """HubSpot omits ``associations`` when there are none."""
    if company_id is None:
        return None
    names = props.associations
    return {names.deal_companies: {
        "results": [{"id": company_id, "type": names.deal_to_company_primary}]}}


def _flag(value: bool) -> str:
    return "true" if value else "false"
