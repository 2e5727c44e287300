"""How a provider client's requests session reads its environment."""

from __future__ import annotations

import os

import requests


def environment_once(session: requests.Session, base_url: str) -> None:
    """Read the proxy and CA-bundle environment (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE,
    CURL_CA_BUNDLE) once for this client instead of on every request: with `trust_env`
    requests scans the whole environment per request (a tenth of a loopback sync's time)."""
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
