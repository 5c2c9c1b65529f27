"""The decisions of the last recorded sync, recomputed from the mirror without network.

The engine is a pure function of (inputs, ledger state, as_of, programme); the mirror
holds the inputs the last sync read, so commands that explain or report can decide again
exactly as that run did, against the ledger as it stands now.
"""

from __future__ import annotations

from mappings.hubspot import partners_from_companies
from sync.domain.decisions import Decisions
from sync.domain.inputs import Inputs, Partner
from sync.engine.decide import decide
from sync.errors import PartnerSyncError
from sync.pull.mirror_inputs import Mirrored, inputs_from_mirror
from sync.wiring import Services

SYNC_RUN_KIND = "sync"
NO_SYNC_MESSAGE = "no sync has run yet; run `partnersync sync` or `partnersync demo` first"


class NoSyncYet(PartnerSyncError):
    """Nothing to explain or report: no sync run is recorded (exit 1)."""

    def __init__(self) -> None:
        super().__init__(NO_SYNC_MESSAGE)


def current_decisions(services: Services) -> tuple[Inputs, Decisions] | None:
    """The inputs and decisions of the last sync, or ``None`` if no sync ever ran."""
    # The latest recorded decisions (a targeted webhook sync's too), else the last sync.
    last_run = services.ledger.latest_sync() or services.ledger.last_run(SYNC_RUN_KIND)
    if last_run is None:
        return None
    inputs = inputs_from_mirror(services.mirror, services.props)
    decisions = decide(inputs, services.ledger.load_state(), last_run.as_of,
                       services.programme)
    return inputs, decisions


def require_decisions(services: Services) -> tuple[Inputs, Decisions]:
    """``current_decisions``, or ``NoSyncYet`` (the CLI prints it and exits 1)."""
    found = current_decisions(services)
    if found is None:
        raise NoSyncYet
    return found


def known_partners(services: Services) -> dict[str, Partner]:
    """Partners by id from the mirror's companies, as the last run read them."""
    mirror = services.mirror
    companies = mirror.records(Mirrored.HUBSPOT_PARTNER) + mirror.records(Mirrored.HUBSPOT_COMPANY)
    partners, _ = partners_from_companies(companies, services.props)
    return {partner.id: partner for partner in partners}


def unknown_partner(partner_id: str) -> str:
    """What to say of a partner id that no company the ledger read has."""
    return (f"partner {partner_id} is not a partner the ledger has read from HubSpot "
            "(its company id; `partnersync partners list` shows them)")


def partner_names(services: Services) -> dict[str, str]:
    """Partner names by id from the mirror's companies (no invoices read)."""
    return {partner_id: partner.name for partner_id, partner in known_partners(services).items()}
