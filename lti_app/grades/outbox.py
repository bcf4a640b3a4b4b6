"""Queue scores in the database and deliver them, retrying with backoff, never twice at once.

Rules that keep the LMS gradebook right:
- at most one live score per student and line item: a new one supersedes older queued ones;
- a worker claims a batch of due rows with one atomic UPDATE and a lease, so two workers
  never send the same row (on PostgreSQL they skip each other's rows instead of waiting);
- an LMS that is down or unreachable is retried, with backoff, for GRADE_RETRY_HOURS; any
  other refusal counts against GRADE_MAX_TRIES;
- each try carries a fresh timestamp, later than any earlier try for that student;
- a row that fails while a newer score exists is superseded, never retried over the newer one.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from .. import db
from ..db import utcnow
from ..lti.models import Platform
from ..lti.toolconf import DbToolConf
from ..store import store
from .ags import DeliveryError, send_score
from .models import DeliveryStatus, ScoreDelivery

log = logging.getLogger(__name__)

#: How long a worker may hold a claimed row before another may take it over.
LEASE = timedelta(seconds=60)
#: Backoff never waits longer than this between tries.
MAX_BACKOFF_SECONDS = 3600
#: Rows claimed at once: few enough to be sent well within the lease.
CLAIM_BATCH = 20


@dataclass(frozen=True)
class ScoreToSend:
    platform_id: int
    lineitem_url: str
    scopes: list[str]
    user_sub: str
    score_given: float | None
    score_maximum: float
    activity_progress: str = "Completed"
    grading_progress: str = "FullyGraded"
    attempt_id: int | None = None
    comment: str | None = None
    new_lineitem: dict | None = None


def _same_key(row_platform, row_lineitem, row_user):
    return and_(
        ScoreDelivery.platform_id == row_platform,
        ScoreDelivery.lineitem_url == row_lineitem,
        ScoreDelivery.user_sub == row_user,
    )


def enqueue(sess: Session, score: ScoreToSend) -> ScoreDelivery:
    """Queue a score (committing it) and supersede older unsent ones for the same student."""
    now = utcnow()
    row = ScoreDelivery(
        platform_id=score.platform_id, lineitem_url=score.lineitem_url, scopes=list(score.scopes),
        user_sub=score.user_sub, attempt_id=score.attempt_id, score_given=score.score_given,
        score_maximum=score.score_maximum, activity_progress=score.activity_progress,
        grading_progress=score.grading_progress, comment=score.comment, new_lineitem=score.new_lineitem,
        created_at=now, next_try_at=now,
    )
    sess.add(row)
    sess.flush()
    sess.execute(
        update(ScoreDelivery)
        .where(
            _same_key(score.platform_id, score.lineitem_url, score.user_sub),
            ScoreDelivery.id < row.id,
            ScoreDelivery.status.in_([DeliveryStatus.QUEUED, DeliveryStatus.FAILED]),
            or_(ScoreDelivery.claimed_until.is_(None), ScoreDelivery.claimed_until < now),
        )
        .values(status=DeliveryStatus.SUPERSEDED)
    )
    sess.commit()
    return row


def backoff_seconds(tries: int, base: int) -> float:
    """Wait before try ``tries + 1``: doubling from ``base``, capped, with jitter."""
    delay = min(base * 2 ** max(tries - 1, 0), MAX_BACKOFF_SECONDS)
    return delay * random.uniform(0.8, 1.2)


def _due(now):
    return (
        ScoreDelivery.status == DeliveryStatus.QUEUED,
        ScoreDelivery.next_try_at <= now,
        or_(ScoreDelivery.claimed_until.is_(None), ScoreDelivery.claimed_until < now),
    )


def claim_due(sess: Session, limit: int = CLAIM_BATCH) -> list[int]:
    """Claim up to ``limit`` due rows for this worker, oldest first; return their ids.

    One UPDATE: the rows' conditions are checked again as each is updated, so a row two
    workers both pick is claimed by one of them only. On PostgreSQL the pick skips rows
    another worker is claiming at that moment, so two workers take different rows.
    """
    now = utcnow()
    # A CTE, so that the pick runs once: PostgreSQL may run a LIMIT subquery inside IN (...)
    # again for each row, and with SKIP LOCKED each run would pick further rows.
    pick = (
        select(ScoreDelivery.id).where(*_due(now)).order_by(ScoreDelivery.id).limit(limit)
        .with_for_update(skip_locked=True).cte("picked")
    )
    ids = sess.scalars(
        update(ScoreDelivery)
        .where(ScoreDelivery.id.in_(select(pick.c.id)), *_due(now))
        .values(claimed_until=now + LEASE, tries=ScoreDelivery.tries + 1)
        .returning(ScoreDelivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    sess.commit()
    return sorted(ids)


def _newer_exists(sess: Session, row: ScoreDelivery) -> bool:
    return sess.scalar(
        select(ScoreDelivery.id).where(_same_key(row.platform_id, row.lineitem_url, row.user_sub), ScoreDelivery.id > row.id).limit(1)
    ) is not None


def _gave_up(row: ScoreDelivery, err: DeliveryError) -> bool:
    cfg = current_app.config
    if err.transient:
        # The LMS is down or out of reach: keep trying for as long as the setting says.
        return utcnow() - row.created_at >= timedelta(hours=cfg["GRADE_RETRY_HOURS"])
    return row.tries >= cfg["GRADE_MAX_TRIES"]


def _deliver_claimed(sess: Session, row_id: int) -> DeliveryStatus:
    row = sess.get(ScoreDelivery, row_id, populate_existing=True)
    platform = sess.get(Platform, row.platform_id)
    cfg = current_app.config
    try:
        if platform is None or not platform.enabled:
            raise DeliveryError("the platform is disabled or no longer registered")
        send_score(DbToolConf(sess).registration_for(platform), store(), row)
    except DeliveryError as err:
        row.last_error = err.reason
        if _newer_exists(sess, row):
            row.status = DeliveryStatus.SUPERSEDED
        elif _gave_up(row, err):
            row.status = DeliveryStatus.FAILED
            log.warning("score %s failed after %s tries: %s", row.id, row.tries, err.reason)
        else:
            row.next_try_at = utcnow() + timedelta(seconds=backoff_seconds(row.tries, cfg["GRADE_RETRY_BASE_SECONDS"]))
        row.claimed_until = None
        sess.commit()
        return row.status
    row.status = DeliveryStatus.DELIVERED
    row.delivered_at = utcnow()
    row.last_error = None
    row.claimed_until = None
    sess.commit()
    return row.status


def deliver_due(sess: Session, limit: int = 200) -> dict[str, int]:
    """Claim and deliver due scores, a batch at a time, up to ``limit``; return counts by outcome."""
    counts: dict[str, int] = {}
    done = 0
    while done < limit:
        claimed = claim_due(sess, min(CLAIM_BATCH, limit - done))
        if not claimed:
            break
        for row_id in claimed:
            status = _deliver_claimed(sess, row_id)
            counts[status.value] = counts.get(status.value, 0) + 1
        done += len(claimed)
    return counts


def resend(sess: Session, row_id: int) -> bool:
    """Queue a failed score again, unless a newer score for that student exists."""
    row = sess.get(ScoreDelivery, row_id)
    if row is None or row.status != DeliveryStatus.FAILED or _newer_exists(sess, row):
        return False
    row.status = DeliveryStatus.QUEUED
    row.tries = 0
    row.created_at = row.next_try_at = utcnow()  # queued again now: a fresh retry window
    sess.commit()
    return True


class BackgroundDelivery:
    """A thread that delivers due scores every few seconds (the embedded default's worker)."""

    def __init__(self, app: Flask):
        self.app = app
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="grade-delivery", daemon=True)

    def start(self) -> "BackgroundDelivery":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=15)

    def _run(self) -> None:
        interval = self.app.config["GRADE_WORKER_INTERVAL_SECONDS"]
        while not self.stopped.is_set():
            try:
                with self.app.app_context():
                    counts = deliver_due(db.session())
                if counts:
                    log.info("grade delivery: %s", counts)
            except Exception:  # keep the worker alive through a database hiccup
                log.exception("grade delivery round failed")
            self.stopped.wait(interval)
