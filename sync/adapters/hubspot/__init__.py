"""HubSpot through the official SDK: one transport, errors classified at the boundary."""
