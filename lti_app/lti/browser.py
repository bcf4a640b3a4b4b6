"""Cookies and launch storage that work inside a third-party LMS iframe."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request
from pylti1p3.contrib.flask import FlaskCookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage

from ..store import SharedStore

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def cookie_can_be_secure() -> bool:
    """Browsers keep Secure cookies over https, and over plain http on localhost."""
    return request.is_secure or urlsplit("//" + request.host).hostname in LOCAL_HOSTS


class PartitionedCookieService(FlaskCookieService):
    """pylti1p3's cookie service with CHIPS: ``Partitioned; SameSite=None; Secure``.

    A cookie set inside a cross-site iframe survives third-party cookie blocking only
    when it is partitioned to the embedding site.
    """

    def update_response(self, response):
        secure = cookie_can_be_secure()
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key=key,
                value=data["value"],
                max_age=data["exp"],
                path="/",
                httponly=True,
                secure=secure,
                samesite="None" if secure else "Lax",
                partitioned=secure,
            )


class StoreLaunchDataStorage(LaunchDataStorage[Any]):
    """pylti1p3 launch storage in the shared store.

    Keys are not tied to a session cookie (the iframe may have none); every key holds an
    unguessable random part (nonce, state or launch id).
    """

    def __init__(self, store: SharedStore):
        super().__init__()
        self.store = store

    def get_session_cookie_name(self):
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def key_for(self, key: str) -> str:
        """The shared-store key this storage keeps ``key`` under."""
        return self._prepare_key(key)

    def get_value(self, key: str):
        return self.store.get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self.store.set(self._prepare_key(key), value, exp or 3600)

    def check_value(self, key: str) -> bool:
        return self.store.get(self._prepare_key(key)) is not None

    def pop_value(self, key: str):
        return self.store.pop(self._prepare_key(key))
