"""The HubSpot stand-in: CRM v3 objects, search, properties, schemas, associations v4,
and the Settings users API; a `pat-user-<digits>` token writes as that user.

`HubSpotSandbox.from_fixtures(path, clock=..., token=...)` builds one; serve its
`.wsgi_app` with `sandbox.core.SandboxServer` and point `hubspot.HubSpot(host=URL)` at
it. `.state`, `.calls`, `.faults`, `.limits` are live and thread-safe.
"""

from sandbox.hubspot.sandbox import DEFAULT_TOKEN, HubSpotSandbox

__all__ = ["DEFAULT_TOKEN", "HubSpotSandbox"]
