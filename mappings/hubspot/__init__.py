"""HubSpot CRM v3 objects to the engine's domain model.

Pure functions, no I/O: companies to partners (R1) and domains (R8), deals to deals
with their touches (R4). See ``hubspot_companies`` and ``hubspot_deals``.
"""

from mappings.hubspot.companies import company_domains, company_ids, partners_from_companies
from mappings.hubspot.deals import deals_from_hubspot, primary_company_id

__all__ = [
    "company_domains",
    "company_ids",
    "deals_from_hubspot",
    "partners_from_companies",
    "primary_company_id",
]
