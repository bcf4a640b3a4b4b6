"""The shared store: one-time add and pop hold across workers, entries expire."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask

from lti_app.store import RedisStore, SqlStore, store
from tests.conftest import STORE_URL


@pytest.fixture
def shared(app):
    with app.app_context():
        yield store()


def test_backend_follows_the_setting(shared):
    assert isinstance(shared, RedisStore if STORE_URL else SqlStore)


def test_set_get_and_overwrite(shared):
    shared.set("k", {"a": 1}, 60)
    assert shared.get("k") == {"a": 1}
    shared.set("k", [2], 60)
    assert shared.get("k") == [2]


def test_add_only_once(shared):
    assert shared.add("once", 1, 60) is True
    assert shared.add("once", 2, 60) is False
    assert shared.get("once") == 1


def test_add_and_set_writes_everything_or_nothing(shared):
    assert shared.add_and_set("first", 1, 60, {"other": ({"a": 1}, 60), "third": ("x", 60)}) is True
    assert shared.get("other") == {"a": 1} and shared.get("third") == "x"
    # The first key is taken: nothing else is written.
    assert shared.add_and_set("first", 2, 60, {"other": ("changed", 60), "fourth": (4, 60)}) is False
    assert shared.get("first") == 1 and shared.get("other") == {"a": 1} and shared.get("fourth") is None


def test_add_and_set_counts_an_expired_key_as_absent(shared):
    assert shared.add_and_set("brief", 1, 1, {}) is True
    time.sleep(1.2)
    assert shared.add_and_set("brief", 2, 60, {"with-it": (3, 60)}) is True
    assert shared.get("brief") == 2 and shared.get("with-it") == 3


def test_pop_returns_the_value_once(shared):
    shared.set("p", "v", 60)
    assert shared.pop("p") == "v"
    assert shared.pop("p") is None


def test_entries_expire(shared):
    shared.set("short", 1, 1)
    assert shared.add("short-add", 1, 1)
    time.sleep(1.2)
    assert shared.get("short") is None
    assert shared.add("short-add", 2, 60), "an expired key must count as absent"


def test_concurrent_adds_let_exactly_one_win(app):
    # Separate engines and connections, as separate worker processes would have.
    from lti_app import create_app

    winners = []
    problems = []
    barrier = threading.Barrier(8, timeout=60)
    # Built one after another: CPython 3.11 can fail compiling code in several threads at once
    # ("AST constructor recursion depth mismatch"), which is not what this test is about.
    apps = [create_app({**app.config, "TESTING": True}) for _ in range(8)]

    def worker(other):
        try:
            with other.app_context():
                barrier.wait()
                winners.append(store().add("race", 1, 60))
        except Exception as exc:  # a broken worker must fail the test, not leave the others waiting
            barrier.abort()
            problems.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(other,)) for other in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert problems == [] and winners.count(True) == 1


def test_sql_store_sweeps_expired_rows_and_pops_once(app):
    # Runs on whichever database the suite uses, also when the shared store is Redis.
    with app.app_context():
        from lti_app import db

        s = SqlStore(db.engine())
        s.set("old", 1, 1)
        s.set("kept", 2, 60)
        time.sleep(1.1)
        assert s.sweep() == 1
        assert s.pop("kept") == 2 and s.pop("kept") is None
