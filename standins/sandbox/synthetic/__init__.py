"""Deterministic synthetic HubSpot and Stripe portals in the vendors' own API shapes.

``generate_portal`` builds a seeded portal at any scale; ``demo_portal`` the demo
scenario committed as ``fixtures/demo``; ``write_portal`` writes docs/sandbox.md's fixture layout.
"""

from sandbox.synthetic.demo import demo_portal
from sandbox.synthetic.generate import generate_portal
from sandbox.synthetic.portal import Portal, write_portal

__all__ = ["Portal", "demo_portal", "generate_portal", "write_portal"]
