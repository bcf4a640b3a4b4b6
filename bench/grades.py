"""Grade delivery: queue scores in the tool's outbox and deliver them to the test LMS.

Scores are queued with ``lti_app.grades.outbox.enqueue`` and delivered with
``deliver_due`` (what ``milclicks grades deliver --loop`` and the background delivery run),
in this process, against the same database and shared store as the server. Retries wait
no time (``GRADE_RETRY_BASE_SECONDS=0``) so that the failing pass measures the outbox,
not its backoff.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

import requests
from flask import Flask
from sqlalchemy import func, select

from lti_app import create_app, db
from lti_app.grades import outbox
from lti_app.grades.models import DeliveryStatus, ScoreDelivery
from lti_app.lti.models import Platform

from .servers import PlatformProcess

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
#: The tool's default number of tries before a score is marked failed.
DEFAULT_MAX_TRIES = 10


def outbox_app(data_dir: Path, database_url: str, store_url: str) -> Flask:
    """The tool's own settings, except that retries wait no time."""
    return create_app({
        "DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "STORE_URL": store_url,
        "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text", "GRADE_RETRY_BASE_SECONDS": 0,
    })


def _queued(sess) -> int:
    count = sess.scalar(select(func.count()).select_from(ScoreDelivery).where(ScoreDelivery.status == DeliveryStatus.QUEUED))
    sess.commit()
    return count


def deliver_until_empty(app: Flask, deliverers: int) -> dict[str, int]:
    """Run ``deliverers`` delivery loops at once until no score is queued; return outcome counts."""
    totals: dict[str, int] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            with app.app_context():
                sess = db.session()
                while True:
                    counts = outbox.deliver_due(sess)
                    with lock:
                        for key, n in counts.items():
                            totals[key] = totals.get(key, 0) + n
                    if not counts or set(counts) == {"skipped"}:
                        if _queued(sess) == 0:
                            return
                        time.sleep(0.005)
        except BaseException as exc:  # surfaced after the threads end
            errors.append(exc)

    threads = [threading.Thread(target=loop, name=f"deliverer-{n}") for n in range(deliverers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return totals


def grade_pass(app: Flask, platform: PlatformProcess, count: int, deliverers: int, fail_rate: float,
               prefix: str, meters: dict[str, Callable[[], float]]) -> dict[str, object]:
    info = platform.info
    with app.app_context():
        sess = db.session()
        platform_id = sess.scalar(select(Platform.id).where(Platform.issuer == info["issuer"]))
        started = time.perf_counter()
        for i in range(count):
            outbox.enqueue(sess, outbox.ScoreToSend(
                platform_id=platform_id, lineitem_url=info["url"] + "/lineitems/link-7", scopes=[SCORE_SCOPE],
                user_sub=f"{prefix}{i}", score_given=float(i % 11), score_maximum=10.0,
            ))
        enqueue_s = time.perf_counter() - started

    platform.setup(fail_rate=fail_rate, seed=count)
    before = {name: meter() for name, meter in meters.items()}
    started = time.perf_counter()
    outcomes = deliver_until_empty(app, deliverers)
    wall = time.perf_counter() - started
    cpu = {name: meter() - before[name] for name, meter in meters.items()}
    platform.setup(fail_rate=0.0)

    received = platform.scores(prefix)
    with app.app_context():
        sess = db.session()
        mine = ScoreDelivery.user_sub.like(prefix + "%")
        by_status = dict(sess.execute(
            select(ScoreDelivery.status, func.count()).where(mine).group_by(ScoreDelivery.status)).all())
        max_tries = sess.scalar(select(func.max(ScoreDelivery.tries)).where(mine)) or 0
        beyond_default = sess.scalar(select(func.count()).select_from(ScoreDelivery)
                                     .where(mine, ScoreDelivery.tries > DEFAULT_MAX_TRIES))
    delivered = by_status.get(DeliveryStatus.DELIVERED, 0)
    every_once = (received["distinct_users"] == count and received["max_per_user"] == 1
                  and delivered == count)
    return {
        "scores": count,
        "deliverers": deliverers,
        "fail_rate": fail_rate,
        "enqueue_per_s": round(count / enqueue_s, 1) if enqueue_s else None,
        "wall_s": round(wall, 3),
        "scores_per_s": round(received["distinct_users"] / wall, 1) if wall else 0.0,
        "delivered_rows": delivered,
        "rows_by_status": {status.value: n for status, n in by_status.items()},
        "lms_accepted": received["accepted"],
        "lms_distinct_students": received["distinct_users"],
        "lms_students_more_than_once": received["users_more_than_once"],
        "lms_refused_posts": received["failed_posts"],
        "max_tries": max_tries,
        "needed_more_than_default_tries": beyond_default,
        "every_score_delivered_once": every_once,
        "outcomes": outcomes,
        **{f"{name}_cpu_ms_per_score": round(sec * 1000 / count, 2) for name, sec in cpu.items()},
    }


def run_grades(tool_url: str, platform: PlatformProcess, data_dir: Path, database_url: str, store_url: str,
               count: int, run_id: str, meters: dict[str, Callable[[], float]]) -> dict[str, object]:
    platform.setup(tool_jwks=requests.get(tool_url + "/lti/jwks", timeout=30).json(), fail_rate=0.0)
    app = outbox_app(data_dir, database_url, store_url)
    drained = deliver_until_empty(app, 1)  # the quiz's own scores first, untimed
    results = {"drained_before": drained}
    results["one_deliverer"] = grade_pass(app, platform, count, 1, 0.0, f"grade-{run_id}-a-", meters)
    results["two_deliverers"] = grade_pass(app, platform, count, 2, 0.0, f"grade-{run_id}-b-", meters)
    results["half_failing"] = grade_pass(app, platform, count, 2, 0.5, f"grade-{run_id}-c-", meters)
    with app.app_context():
        db.engine().dispose()
    results["errors"] = sum(
        0 if results[k]["every_score_delivered_once"] else 1 for k in ("one_deliverer", "two_deliverers", "half_failing"))
    return results
