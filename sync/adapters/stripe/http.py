"""The Stripe SDK's client as the gateway uses it: no retries of its own, one
``requests`` session, and a body reader for its streaming answers."""

from __future__ import annotations

from typing import Any

import requests
import stripe
import urllib3


def stripe_client(api_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    """A client whose retries are off (``sync.adapters.retry`` is the only policy) and whose
    threads share one session that does not re-read the environment on every request:
    ``requests`` would otherwise look for a ``~/.netrc`` and parse the proxy variables
    each call, thousands of times a sync for nothing (the key travels in a header). The
    proxy variables (``HTTPS_PROXY``, ``NO_PROXY``...) are read once, here."""
    address = api_base.rstrip("/")
    session = requests.Session()
    session.trust_env = False
    # As requests reads them (``all_proxy`` included), for requests to select from.
    proxy: Any = requests.utils.get_environ_proxies(address) or None
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": address},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=timeout, session=session, proxy=proxy),
    )


def plain(obj: Any) -> dict[str, Any]:
    """A StripeObject as the JSON the API sent (decimal strings stay strings)."""
    data: dict[str, Any] = obj.to_dict(recursive=True, for_json=True)
    return data


def read_all(stream: Any) -> bytes:
    """The body, decompressed: requests' raw stream leaves gzip to the reader."""
    if isinstance(stream, urllib3.response.BaseHTTPResponse):
        return stream.read(decode_content=True)
    data: bytes = stream.read()
    return data
