"""Write-back: what a run writes to HubSpot and Stripe (``intents``, pure), sent through the
ledger's outbox (``send``), and what is read back of the worker's own records before
they are written over: finance's approvals (``finance``, R33) and edited line records
(``line_edits``)."""
