"""The test LMS of the suite (``tests.platform.TestPlatform``) in a process of its own.

It runs apart from the load driver so that signing id_tokens and taking scores does not
compete with the simulated browsers for one interpreter. The benchmark steers it over
HTTP under ``/_bench/``:

- ``POST /_bench/setup`` (JSON): ``tool_jwks`` (to check the tool's AGS token requests),
  ``fail_rate`` (share of score posts answered 503) and ``seed``;
- ``GET /_bench/scores?prefix=P``: what arrived for users whose id starts with ``P``;
- ``GET /_bench/stats``: counters; ``POST /_bench/reset`` forgets scores and counters.

A launch hint ``bench:<sub>`` makes a student launch for user ``<sub>`` without registering
a scenario first, so any number of students can launch.

Run: ``python -m bench.platform_server``; it prints one JSON line with its URL and serves
until stopped (SIGTERM or SIGINT).
"""

from __future__ import annotations

import json
import logging
import random
import signal
import sys
import threading
from collections import Counter
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask import Flask, request

from tests.platform import PlatformKey, Scenario, TestPlatform

HINT_PREFIX = "bench:"


class BenchScenarios(dict):
    """Scenarios as the test platform keeps them, plus one per ``bench:<sub>`` hint."""

    def get(self, hint: Any, default: Any = None) -> Any:
        if isinstance(hint, str) and hint.startswith(HINT_PREFIX):
            return Scenario(sub=hint[len(HINT_PREFIX):])
        return super().get(hint, default)


class BenchPlatform(TestPlatform):
    __test__ = False

    def __init__(self) -> None:
        self.fail_rate = 0.0
        self.rng = random.Random(1)
        self.failed_posts: Counter[str] = Counter()
        self.auth_requests = 0
        self.counter_lock = threading.Lock()
        self._private_keys: dict[str, Any] = {}
        super().__init__()
        self.scenarios = BenchScenarios()
        # Many browsers may connect at once; the development server listens with a short queue.
        self.server.socket.listen(1024)

    def sign(self, claims: dict[str, Any], key: PlatformKey | None = None, headers: dict[str, Any] | None = None) -> str:
        """Sign as the test platform does, with the private key parsed once: parsing (and
        checking) an RSA key costs tens of milliseconds, which an LMS does not pay per launch."""
        key = key or self.key
        private = self._private_keys.get(key.kid)
        if private is None:
            private = self._private_keys[key.kid] = load_pem_private_key(key.private_pem.encode(), None)
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": key.kid, **(headers or {})})

    def _build_app(self) -> Flask:
        app = super()._build_app()
        platform = self
        take_score = app.view_functions["scores"]
        authorize = app.view_functions["auth"]

        def auth():
            with platform.counter_lock:
                platform.auth_requests += 1
            # The platform keeps every token it issued; a benchmark issues thousands.
            response = authorize()
            platform.tokens_issued.clear()
            return response

        def scores(item: str):
            token = request.headers.get("Authorization", "")[7:]
            if token in platform.issued_access_tokens and platform.fail_rate:
                with platform.score_lock:
                    fail = platform.rng.random() < platform.fail_rate
                if fail:
                    body = request.get_json(force=True, silent=True) or {}
                    with platform.counter_lock:
                        platform.failed_posts[str(body.get("userId", ""))] += 1
                    return {"error": "unavailable"}, 503
            return take_score(item)

        app.view_functions["auth"] = auth
        app.view_functions["scores"] = scores

        @app.post("/_bench/setup")
        def setup():
            data = request.get_json(force=True)
            if "tool_jwks" in data:
                platform.tool_jwks = data["tool_jwks"]
            if "fail_rate" in data:
                platform.fail_rate = float(data["fail_rate"])
            if "seed" in data:
                platform.rng = random.Random(data["seed"])
            return {"ok": True}

        @app.post("/_bench/reset")
        def reset():
            with platform.score_lock, platform.counter_lock:
                platform.scores.clear()
                platform.failed_posts.clear()
                platform.auth_requests = 0
                platform.token_requests = 0
                platform.jwks_fetches = 0
            return {"ok": True}

        @app.get("/_bench/scores")
        def scores_summary():
            prefix = request.args.get("prefix", "")
            with platform.score_lock:
                per_user = Counter(s["userId"] for s in platform.scores if str(s["userId"]).startswith(prefix))
            with platform.counter_lock:
                failed = sum(n for user, n in platform.failed_posts.items() if user.startswith(prefix))
            return {
                "accepted": sum(per_user.values()),
                "distinct_users": len(per_user),
                "max_per_user": max(per_user.values(), default=0),
                "users_more_than_once": sum(1 for n in per_user.values() if n > 1),
                "failed_posts": failed,
            }

        @app.get("/_bench/stats")
        def stats():
            return {
                "auth_requests": platform.auth_requests,
                "jwks_fetches": platform.jwks_fetches,
                "token_requests": platform.token_requests,
                "scores": len(platform.scores),
            }

        return app


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    platform = BenchPlatform()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sys.stdout.write(json.dumps({"url": platform.url, "issuer": platform.issuer, **platform.registration,
                                 "deployment_id": platform.deployment_id}) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    platform.close()


if __name__ == "__main__":
    main()
