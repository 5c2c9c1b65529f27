"""The only code that does network I/O: HubSpot and Stripe through their SDKs."""
