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

from flask import Flask, current_app
from sqlalchemy import Float, String, Text, delete, select, text
from sqlalchemy.engine import Engine
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
    def add_and_set(self, key: str, value: Any, ttl: int, also: dict[str, tuple[Any, int]]) -> bool: ...
    def pop(self, key: str) -> Any | None: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> bool: ...


class SqlStore:
    """Shared store kept in the ``store_entries`` table.

    Every operation is one fixed SQL statement, valid on SQLite and PostgreSQL alike
    (``INSERT ... ON CONFLICT``, ``RETURNING``) and compiled once: a launch's few store
    calls cost a statement each, with no savepoints and no query building.
    """

    #: Share of writes that also sweep expired rows, so the table stays small.
    SWEEP_CHANCE = 0.02

    GET = text("SELECT value FROM store_entries WHERE key = :key AND expires_at > :now")
    SET = text(
        "INSERT INTO store_entries (key, value, expires_at) VALUES (:key, :value, :expires) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"
    )
    # An expired row does not count as present: it is overwritten, in the same statement.
    ADD = text(
        "INSERT INTO store_entries (key, value, expires_at) VALUES (:key, :value, :expires) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at "
        "WHERE store_entries.expires_at <= :now RETURNING key"
    )
    POP = text("DELETE FROM store_entries WHERE key = :key RETURNING value, expires_at")
    DELETE = text("DELETE FROM store_entries WHERE key = :key")

    def __init__(self, engine: Engine):
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise ValueError(f"the shared store needs SQLite or PostgreSQL, not {engine.dialect.name}")
        self.engine = engine

    def get(self, key: str) -> Any | None:
        with self.engine.connect() as conn:
            row = conn.execute(self.GET, {"key": key, "now": time.time()}).first()
        return None if row is None else json.loads(row[0])

    @staticmethod
    def _entry(key: str, value: Any, ttl: int) -> dict[str, Any]:
        now = time.time()
        return {"key": key, "value": json.dumps(value), "expires": now + ttl, "now": now}

    def set(self, key: str, value: Any, ttl: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(self.SET, self._entry(key, value, ttl))
        self._maybe_sweep()

    def add(self, key: str, value: Any, ttl: int) -> bool:
        """Store ``value`` only if ``key`` is absent; return whether it was stored."""
        with self.engine.begin() as conn:
            stored = conn.execute(self.ADD, self._entry(key, value, ttl)).first() is not None
        if stored:
            self._maybe_sweep()
        return stored

    def add_and_set(self, key: str, value: Any, ttl: int, also: dict[str, tuple[Any, int]]) -> bool:
        """``add`` ``key`` and, only if it was stored, set the entries in ``also``: one transaction."""
        with self.engine.begin() as conn:
            if conn.execute(self.ADD, self._entry(key, value, ttl)).first() is None:
                return False
            for other, (other_value, other_ttl) in also.items():
                conn.execute(self.SET, self._entry(other, other_value, other_ttl))
        self._maybe_sweep()
        return True

    def pop(self, key: str) -> Any | None:
        """Remove ``key`` and return its value; of two concurrent pops only one gets it."""
        with self.engine.begin() as conn:
            row = conn.execute(self.POP, {"key": key}).first()
        if row is None or row[1] <= time.time():
            return None
        return json.loads(row[0])

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(self.DELETE, {"key": key})

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


#: SET NX the first key; only if that worked, SET the others. One script, so one atomic step.
ADD_AND_SET = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'EX', ARGV[2 * i]) end
return 1
"""


class RedisStore:
    """Shared store in Redis: ``SET NX EX`` for add, ``GETDEL`` for pop."""

    def __init__(self, url: str, prefix: str = "milclicks:"):
        import redis  # only where Redis is configured: the embedded default never loads it

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self._add_and_set = self.client.register_script(ADD_AND_SET)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> Any | None:
        raw = self.client.get(self._k(key))
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: int) -> None:
        self.client.set(self._k(key), json.dumps(value), ex=max(1, int(ttl)))

    def add(self, key: str, value: Any, ttl: int) -> bool:
        return bool(self.client.set(self._k(key), json.dumps(value), ex=max(1, int(ttl)), nx=True))

    def add_and_set(self, key: str, value: Any, ttl: int, also: dict[str, tuple[Any, int]]) -> bool:
        keys = [self._k(key), *(self._k(k) for k in also)]
        args = [json.dumps(value), max(1, int(ttl))]
        for other_value, other_ttl in also.values():
            args += [json.dumps(other_value), max(1, int(other_ttl))]
        return bool(self._add_and_set(keys=keys, args=args))

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
