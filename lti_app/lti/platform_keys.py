"""Platform public keys: cached in the shared store, fetched again once on an unknown kid."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import requests
from jwcrypto.jwk import JWK

from ..store import SharedStore
from .errors import LaunchError

log = logging.getLogger(__name__)

USER_AGENT = "MIL-CLICKS-LTI/1.0"


class PlatformKeys:
    """Find a platform's public key by kid, through a cache every worker shares."""

    def __init__(self, store: SharedStore, cache_seconds: int, refetch_seconds: int,
                 session: requests.Session | None = None):
        self.store = store
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
        return keyset

    def keyset(self, url: str) -> dict[str, Any]:
        cached = self.store.get(self._cache_key(url))
        return cached if cached is not None else self.fetch(url)

    def public_pem(self, url: str | None, static_keyset: dict | None, kid: str) -> str:
        """Return the PEM of key ``kid``; refetch the set once (rate-limited) if it is missing."""
        if static_keyset:
            jwk = _find(static_keyset, kid)
        else:
            jwk = _find(self.keyset(url), kid)
            # Only one refetch per platform per interval, whatever the number of workers,
            # so a stream of forged kids cannot turn the tool against the platform.
            if jwk is None and self.store.add("jwks-refetch:" + self._cache_key(url), 1, self.refetch_seconds):
                log.info("unknown kid %s, fetching key set again from %s", kid, url)
                jwk = _find(self.fetch(url), kid)
        if jwk is None:
            raise LaunchError("kid_unknown", kid=kid)
        try:
            return JWK.from_json(json.dumps(jwk)).export_to_pem().decode()
        except (ValueError, TypeError) as exc:
            raise LaunchError("jwks_unavailable", url=url or "", reason=f"key {kid} is not a valid RSA key") from exc


def _find(keyset: dict[str, Any], kid: str) -> dict[str, Any] | None:
    for key in keyset.get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid and key.get("kty") == "RSA":
            return key
    return None
