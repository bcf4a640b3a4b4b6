"""/healthz: whether the database and the shared store answer."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from . import db
from .store import store

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


def _check(fn) -> str:
    try:
        fn()
        return "ok"
    except Exception as exc:  # any failure is the answer, not an error of this page
        log.error("health check failed: %s: %s", type(exc).__name__, exc)
        return "unavailable"


@bp.get("/healthz")
def healthz():
    def database():
        with db.engine().connect() as conn:
            conn.execute(text("SELECT 1"))

    result = {"database": _check(database), "store": _check(store().ping)}
    healthy = all(v == "ok" for v in result.values())
    result["status"] = "ok" if healthy else "unavailable"
    response = jsonify(result)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
