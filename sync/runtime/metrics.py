"""Prometheus metrics: one registry, declared once, served by ``partnersync serve``.

Labels never carry record ids or secrets, so cardinality stays small. The worker's jobs
are labelled ``job_name``, not ``job``: Prometheus sets ``job`` (and ``instance``) on
every scraped series itself and would rename ours ``exported_job``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

RUNS = Counter("partnersync_runs", "Job runs by job and outcome", ["job_name", "outcome"],
               registry=REGISTRY)
RUN_SECONDS = Histogram("partnersync_run_duration_seconds", "Job run duration", ["job_name"],
                        registry=REGISTRY, buckets=(1, 5, 15, 60, 300, 900, 3600))
API_CALLS = Counter("partnersync_api_calls", "API calls by API, operation and status class",
                    ["api", "operation", "status"], registry=REGISTRY)
API_RETRIES = Counter("partnersync_api_retries", "Retried API calls by API and reason",
                      ["api", "reason"], registry=REGISTRY)
RATE_LIMITED = Counter("partnersync_api_rate_limited", "429 answers by API", ["api"],
                       registry=REGISTRY)
QUARANTINED = Gauge("partnersync_quarantined_records", "Records quarantined in the last run",
                    ["source"], registry=REGISTRY)
LINES = Counter("partnersync_commission_lines", "Commission line changes by action",
                ["action"], registry=REGISTRY)
PAYOUTS = Counter("partnersync_payouts", "Payouts created or moved, by status", ["status"],
                  registry=REGISTRY)
AMOUNT_EUR = Counter("partnersync_amount_eur",
                     "Amounts in EUR by kind: accrued (a run's net accrual), reversed (a "
                     "run's net reversal: more voided than accrued), paid", ["kind"],
                     registry=REGISTRY)
LAST_SUCCESS = Gauge("partnersync_last_success_timestamp_seconds",
                     "Unix time the job last succeeded, in any process (from the ledger)",
                     ["job_name"], registry=REGISTRY)
WEBHOOK_EVENTS = Counter(
    "partnersync_webhook_events",
    "Webhook deliveries by vendor and outcome: accepted, duplicate and ignored count events; "
    "bad_signature, stale, malformed, too_large and unavailable count deliveries refused",
    ["vendor", "outcome"], registry=REGISTRY)
WEBHOOK_PENDING = Gauge("partnersync_webhook_events_pending",
                        "Webhook events stored and not yet processed by a targeted sync",
                        registry=REGISTRY)
