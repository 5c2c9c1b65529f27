"""Payments: approved payouts paid by Stripe Connect transfer (``transfers``, R26), to a
destination the worker trusts (``destinations``, R32)."""
