"""The programme report (R31): its figures from the ledger and the engine's KPIs (``data``),
rendered as HTML (``html``) with server-side SVG charts (``svg``)."""
