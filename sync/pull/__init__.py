"""Pull: HubSpot and Stripe read into the ledger's mirror, and the engine's inputs built
from it (``mirror_inputs``). ``portal.pull`` reads both sides in parallel."""
