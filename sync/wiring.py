"""Everything wired in one place: settings -> programme, names, ledger, gateways, logs.

Commands and jobs receive a ``Services`` and never build clients themselves, so each
API client is created once per process with the one retry policy and its pacer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import cached_property

from mappings.properties import DEFAULT_PROPERTY_MAP, PropertyMap
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.people import HubSpotPeople
from sync.adapters.hubspot.transport import DEFAULT_TIMEOUT, Timeout
from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy
from sync.adapters.stripe.gateway import StripeGateway
from sync.config.programme_file import load_programme
from sync.config.settings import Settings
from sync.domain.terms import Programme
from sync.errors import ConfigurationError
from sync.ledger import Ledger
from sync.ledger.database import shown
from sync.ledger.errors import LedgerMissing
from sync.ledger.mirror import Mirror
from sync.pull import mapped
from sync.pull.decision_content import decision_digest
from sync.runtime.logs import configure_logging
from sync.writeback.finance import FinanceControls

# Pace a little under the vendors' windows: they count a request when it arrives, we
# when it leaves, so an exact match meets a 429 at the window's edge whenever one
# request took longer on the way than another. The slack covers that spread: a tenth
# of the window, at most a quarter second (10% of HubSpot's 10 s would give up a tenth
# of its rate for nothing; a 429 is still retried after Retry-After).
PACING_SLACK = 0.1
PACING_SLACK_MAX_SECONDS = 0.25
HUBSPOT_WINDOW_SECONDS = 10.0
HUBSPOT_SEARCHES_PER_SECOND = 5
STRIPE_REQUESTS_PER_SECOND = {"live": 100, "test": 25}
# The portal writes while a partner waits for the page: one attempt, connect within a
# second, an answer within two; what it could not write stays pending in the outbox
# and the next sync sends it (docs/portal.md, Deal registration).
PORTAL_HUBSPOT_TIMEOUT: tuple[float, float] = (1.0, 2.0)  # connect, read


@dataclass
class Services:
    settings: Settings
    props: PropertyMap = DEFAULT_PROPERTY_MAP
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # The worker (sync, serve) creates the ledger; commands that only read or amend it
    # refuse a missing one rather than show an empty ledger's nothing.
    create_ledger: bool = True

    @cached_property
    def programme(self) -> Programme:
        return load_programme(self.settings.programme_file)

    @cached_property
    def ledger(self) -> Ledger:
        try:
            ledger = Ledger.open(self.settings.database_url, create=self.create_ledger)
        except ConfigurationError as error:
            raise self._database_error(error) from None
        try:
            ledger.migrate(create=self.create_ledger)
        except ConfigurationError as error:
            ledger.close()
            raise self._database_error(error) from None
        except BaseException:
            # Not kept, so tried again on next use (serve's probes and jobs): close it,
            # or each try would leave an engine and a checkpoint thread behind.
            ledger.close()
            raise
        return ledger

    def _database_error(self, error: ConfigurationError) -> ConfigurationError:
        """``error`` under the name of the setting to fix (docs/configuration.md)."""
        url, missing = shown(self.settings.database_url), isinstance(error, LedgerMissing)
        if "database_url" in self.settings.model_fields_set:
            where = f"PARTNERSYNC_DATABASE_URL ({url})"
        else:
            where = (f"PARTNERSYNC_DATABASE_URL is not set and its default ({url}) "
                     f"{'names no ledger' if missing else 'fails'}")
        fix = ("; set PARTNERSYNC_DATABASE_URL to your ledger's URL, or create one with "
               "`partnersync sync` (or `partnersync demo`)" if missing else "")
        return ConfigurationError(f"{where}: {error}{fix}")

    @cached_property
    def mirror(self) -> Mirror:
        return Mirror(self.ledger, decision_digest(self.props), mapped.encode)

    @cached_property
    def hubspot(self) -> HubSpotGateway:
        token, _ = self.settings.require_credentials()
        return self.hubspot_for(token)

    @cached_property
    def stripe(self) -> StripeGateway:
        _, key = self.settings.require_credentials()
        return self.stripe_for(key)

    @cached_property
    def portal_hubspot(self) -> HubSpotGateway:
        """The portal's HubSpot gateway: the same pacers (one rate limit per process)
        and retry policy, but one attempt (no retry sleeps) and a short timeout, so a
        partner's request answers within seconds even when HubSpot does not."""
        token, _ = self.settings.require_credentials()
        return self._hubspot_gateway(token, replace(self.retry, max_attempts=1),
                                     PORTAL_HUBSPOT_TIMEOUT)

    @cached_property
    def hubspot_pacers(self) -> tuple[RollingWindowPacer, RollingWindowPacer,
                                      RollingWindowPacer]:
        """HubSpot's windows as this process counts them: the general 10-second one,
        searches, and the association batches' own 10-second one."""
        settings = self.settings
        return (RollingWindowPacer(settings.hubspot_rate_limit_per_10s,
                                   self._window(HUBSPOT_WINDOW_SECONDS)),
                RollingWindowPacer(HUBSPOT_SEARCHES_PER_SECOND, self._window(1.0)),
                RollingWindowPacer(settings.hubspot_association_rate_limit_per_10s,
                                   self._window(HUBSPOT_WINDOW_SECONDS)))

    def hubspot_for(self, token: str) -> HubSpotGateway:
        """A HubSpot gateway on ``token`` (``doctor`` checks one vendor without the other's
        credential; every command uses ``hubspot``, built once)."""
        return self._hubspot_gateway(token, self.retry, DEFAULT_TIMEOUT)

    def _hubspot_gateway(self, token: str, retry: RetryPolicy,
                         timeout: Timeout) -> HubSpotGateway:
        pacer, search_pacer, association_pacer = self.hubspot_pacers
        return HubSpotGateway(token, self.settings.hubspot_base_url, self.props, retry=retry,
                              pacer=pacer, search_pacer=search_pacer,
                              association_pacer=association_pacer, timeout=timeout)

    def stripe_for(self, key: str) -> StripeGateway:
        """A Stripe gateway on ``key``, paced for its mode (see ``hubspot_for``)."""
        mode = "live" if "_live_" in key else "test"
        pacer = RollingWindowPacer(STRIPE_REQUESTS_PER_SECOND[mode], self._window(1.0))
        return StripeGateway(key, self.settings.stripe_api_base, retry=self.retry, pacer=pacer)

    @cached_property
    def finance_controls(self) -> FinanceControls:
        """Who may approve in HubSpot (R33) and how the worker finds out who did."""
        return FinanceControls(self.programme.approval, HubSpotPeople(self.hubspot))

    def _window(self, seconds: float) -> float:
        """A vendor window in the worker's seconds, with the slack; shorter when the
        APIs run time-scaled (``PARTNERSYNC_PACING_TIME_SCALE``, benchmarks only)."""
        slack = min(seconds * PACING_SLACK, PACING_SLACK_MAX_SECONDS)
        return (seconds + slack) / self.settings.pacing_time_scale

    def secrets(self) -> list[str]:
        return self.settings.secrets()

    def configure_logging(self) -> None:
        level = getattr(logging, self.settings.log_level.upper())
        configure_logging(self.settings.resolved_log_format, self.secrets(), level)

    def close(self) -> None:
        if "ledger" in self.__dict__:
            self.ledger.close()
