"""Stripe objects to the domain: billing (customers, prices, subscriptions), invoices."""
