"""The SDK client reads the proxy variables once, as ``requests`` would on each call."""

from __future__ import annotations

import pytest

from sync.adapters.stripe.http import stripe_client


def _proxy(api_base: str) -> object:
    return stripe_client("sk_test_proxy", api_base, 5)._requestor._client._proxy  # type: ignore[attr-defined]


def test_the_environment_s_proxy_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert _proxy("https://api.stripe.com") == {"https": "http://proxy.internal:3128"}


def test_no_proxy_bypasses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "api.stripe.com")
    assert _proxy("https://api.stripe.com") is None


def test_without_proxy_variables_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert _proxy("https://api.stripe.com") is None
