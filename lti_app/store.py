"""The shared store: short-lived state every worker must see (OIDC state, nonces, launches).

Two backends behind one interface: a table in the tool's own database (the embedded
default, correct with several processes because every write is one atomic statement)
and Redis. Values are JSON.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any, Protocol

import redis
from flask import Flask, current_app
from sqlalchemy import Float, String, Text, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base


class StoreEntry(Base):
    """One key of the database-backed shared store."""

    __tablename__ = "store_entries"

    #: The key, namespaced by its user (``state:``, ``nonce:``, ``launch:`` ...).
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: The JSON-encoded value.
    value: Mapped[str] = mapped_column(Text)
    #: Unix time after which the entry no longer exists.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class SharedStore(Protocol):
    def get(self, key: str) -> Any | None: ...
    def set(self, key: str, value: Any, ttl: int) -> None: ...
    def add(self, key: str, value: Any, ttl: int) -> bool: ...
    def pop(self, key: str) -> Any | None: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> bool: ...


class SqlStore:
    """Shared store kept in the ``store_entries`` table."""

    #: Share of writes that also sweep expired rows, so the table stays small.
    SWEEP_CHANCE = 0.02

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, key: str) -> Any | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(StoreEntry.value).where(
                    StoreEntry.key == key, StoreEntry.expires_at > time.time()
                )
            ).first()
        return None if row is None else json.loads(row[0])

    def set(self, key: str, value: Any, ttl: int) -> None:
        data = json.dumps(value)
        expires = time.time() + ttl
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(StoreEntry)
                .where(StoreEntry.key == key)
                .values(value=data, expires_at=expires)
            ).rowcount
            if not changed:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(StoreEntry).values(key=key, value=data, expires_at=expires))
                except IntegrityError:
                    conn.execute(
                        update(StoreEntry)
                        .where(StoreEntry.key == key)
                        .values(value=data, expires_at=expires)
                    )
        self._maybe_sweep()

    def add(self, key: str, value: Any, ttl: int) -> bool:
        """Store ``value`` only if ``key`` is absent; return whether it was stored."""
        data = json.dumps(value)
        now = time.time()
        with self.engine.begin() as conn:
            # An expired row does not count as present.
            conn.execute(
                delete(StoreEntry).where(StoreEntry.key == key, StoreEntry.expires_at <= now)
            )
            try:
                with conn.begin_nested():
                    conn.execute(insert(StoreEntry).values(key=key, value=data, expires_at=now + ttl))
            except IntegrityError:
                return False
        self._maybe_sweep()
        return True

    def pop(self, key: str) -> Any | None:
        """Remove ``key`` and return its value; of two concurrent pops only one gets it."""
        with self.engine.begin() as conn:
            row = conn.execute(
                delete(StoreEntry)
                .where(StoreEntry.key == key)
                .returning(StoreEntry.value, StoreEntry.expires_at)
            ).first()
        if row is None or row[1] <= time.time():
            return None
        return json.loads(row[0])

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(StoreEntry).where(StoreEntry.key == key))

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(select(StoreEntry.key).limit(1)).all()
        return True

    def sweep(self) -> int:
        """Delete expired entries; return how many went."""
        with self.engine.begin() as conn:
            return conn.execute(delete(StoreEntry).where(StoreEntry.expires_at <= time.time())).rowcount

    def _maybe_sweep(self) -> None:
        if random.random() < self.SWEEP_CHANCE:
            self.sweep()


class RedisStore:
    """Shared store in Redis: ``SET NX EX`` for add, ``GETDEL`` for pop."""

    def __init__(self, url: str, prefix: str = "milclicks:"):
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> Any | None:
        raw = self.client.get(self._k(key))
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: int) -> None:
        self.client.set(self._k(key), json.dumps(value), ex=max(1, int(ttl)))

    def add(self, key: str, value: Any, ttl: int) -> bool:
        return bool(self.client.set(self._k(key), json.dumps(value), ex=max(1, int(ttl)), nx=True))

    def pop(self, key: str) -> Any | None:
        raw = self.client.getdel(self._k(key))
        return None if raw is None else json.loads(raw)

    def delete(self, key: str) -> None:
        self.client.delete(self._k(key))

    def ping(self) -> bool:
        return bool(self.client.ping())


def init_app(app: Flask) -> None:
    url = app.config["STORE_URL"]
    if not url:
        app.extensions["store"] = SqlStore(app.extensions["db_engine"])
    elif url.startswith(("redis://", "rediss://", "unix://")):
        app.extensions["store"] = RedisStore(url)
    else:
        raise ValueError("MILCLICKS_STORE_URL must be empty (use the database) or a redis:// URL")


def store() -> SharedStore:
    return current_app.extensions["store"]
