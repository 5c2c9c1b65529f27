"""Webhooks (issue 14): the receivers ``partnersync serve`` runs on its own port, and what
``partnersync webhooks setup`` prints or registers. An accepted event is stored in the
ledger (``sync.ledger.webhooks``); ``jobs.webhooks`` runs the targeted sync that reads
its object again."""
