"""Platform public keys: cached in the shared store, fetched again once on an unknown kid.

Each process also keeps the key sets it read for up to a minute, and each key's PEM, so
a launch usually reads no key set at all: a new kid always looks in the shared store
again before anything is fetched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from functools import lru_cache
from typing import Any

import requests
from jwcrypto.jwk import JWK

from ..store import SharedStore
from .errors import LaunchError

log = logging.getLogger(__name__)

USER_AGENT = "MIL-CLICKS-LTI/1.0"

#: Longest time a process trusts a key set it read without looking at the shared store.
LOCAL_SECONDS = 60


class PlatformKeys:
    """Find a platform's public key by kid, through a cache every worker shares."""

    def __init__(self, store: SharedStore, cache_seconds: int, refetch_seconds: int,
                 session: requests.Session | None = None, local: dict | None = None):
        self.store = store
        #: url -> (monotonic time until which it is trusted, key set): shared by a process's launches.
        self.local = {} if local is None else local
        self.cache_seconds = cache_seconds
        self.refetch_seconds = refetch_seconds
        self.http = session or requests.Session()
        self.http.headers.setdefault("User-Agent", USER_AGENT)

    @staticmethod
    def _cache_key(url: str) -> str:
        return "jwks:" + hashlib.sha256(url.encode()).hexdigest()

    def fetch(self, url: str) -> dict[str, Any]:
        """Download a key set and cache it."""
        try:
            resp = self.http.get(url, timeout=5)
            resp.raise_for_status()
            keyset = resp.json()
        except requests.RequestException as exc:
            raise LaunchError("jwks_unavailable", url=url, reason=type(exc).__name__) from exc
        except ValueError as exc:
            raise LaunchError("jwks_unavailable", url=url, reason="not JSON") from exc
        if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
            raise LaunchError("jwks_unavailable", url=url, reason="no 'keys' list")
        self.store.set(self._cache_key(url), keyset, self.cache_seconds)
        self._keep(url, keyset)
        return keyset

    def keyset(self, url: str) -> dict[str, Any]:
        kept = self.local.get(url)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        cached = self.store.get(self._cache_key(url))
        if cached is None:
            return self.fetch(url)
        self._keep(url, cached)
        return cached

    def _keep(self, url: str, keyset: dict[str, Any]) -> None:
        self.local[url] = (time.monotonic() + min(LOCAL_SECONDS, self.cache_seconds), keyset)

    def public_pem(self, url: str | None, static_keyset: dict | None, kid: str) -> str:
        """Return the PEM of key ``kid``; refetch the set once (rate-limited) if it is missing."""
        if static_keyset:
            jwk = _find(static_keyset, kid)
        else:
            jwk = _find(self.keyset(url), kid)
            if jwk is None and self.local.pop(url, None) is not None:
                jwk = _find(self.keyset(url), kid)  # another worker may have fetched the new set
            # Only one refetch per platform per interval, whatever the number of workers,
            # so a stream of forged kids cannot turn the tool against the platform.
            if jwk is None and self.store.add("jwks-refetch:" + self._cache_key(url), 1, self.refetch_seconds):
                log.info("unknown kid %s, fetching key set again from %s", kid, url)
                jwk = _find(self.fetch(url), kid)
        if jwk is None:
            raise LaunchError("kid_unknown", kid=kid)
        try:
            return _pem(json.dumps(jwk, sort_keys=True))
        except (ValueError, TypeError) as exc:
            raise LaunchError("jwks_unavailable", url=url or "", reason=f"key {kid} is not a valid RSA key") from exc


@lru_cache(maxsize=64)
def _pem(jwk_json: str) -> str:
    return JWK.from_json(jwk_json).export_to_pem().decode()


def _find(keyset: dict[str, Any], kid: str) -> dict[str, Any] | None:
    for key in keyset.get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid and key.get("kty") == "RSA":
            return key
    return None
