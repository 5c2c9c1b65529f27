"""Stripe through stripe-python: one HTTP client, errors classified at the boundary."""
