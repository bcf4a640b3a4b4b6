"""What an admin sees of each registration: last launch, last grade delivered, last error."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import db
from ..db import utcnow
from ..grades.models import DeliveryStatus, ScoreDelivery
from ..lti.errors import LaunchError
from ..lti.models import Platform
from ..store import store

#: Launch and error times are written at most this often per platform, to keep launches cheap.
NOTE_EVERY_SECONDS = 60


def note_launch(platform_id: int) -> None:
    """Record that a platform launched the tool (at most once a minute)."""
    # Each process first asks itself, so most launches touch neither store nor database.
    noted = current_app.extensions.setdefault("noted_launches", {})
    now = time.monotonic()
    if noted.get(platform_id, -NOTE_EVERY_SECONDS) > now - NOTE_EVERY_SECONDS:
        return
    noted[platform_id] = now
    if store().add(f"noted-launch:{platform_id}", 1, NOTE_EVERY_SECONDS):
        sess = db.session()
        sess.execute(update(Platform).where(Platform.id == platform_id).values(last_launch_at=utcnow()))
        sess.commit()


def note_error(platform_id: int, err: LaunchError) -> None:
    """Record a refused launch from a known platform (at most once a minute), in English for the admin."""
    if store().add(f"noted-error:{platform_id}", 1, NOTE_EVERY_SECONDS):
        with force_locale("en"):
            text = f"{err.code}: {err.what()}"
        sess = db.session()
        sess.execute(update(Platform).where(Platform.id == platform_id).values(last_error=text, last_error_at=utcnow()))
        sess.commit()


@dataclass(frozen=True)
class RegistrationStatus:
    platform: Platform
    last_grade_at: datetime | None
    queued: int
    failed: int


def registration_status(sess: Session) -> list[RegistrationStatus]:
    """Return every platform with its grade delivery figures, newest registration first."""
    platforms = sess.scalars(select(Platform).order_by(Platform.id.desc())).all()
    last = dict(sess.execute(
        select(ScoreDelivery.platform_id, func.max(ScoreDelivery.delivered_at)).group_by(ScoreDelivery.platform_id)
    ).all())
    counts = {
        (platform_id, status): n for platform_id, status, n in sess.execute(
            select(ScoreDelivery.platform_id, ScoreDelivery.status, func.count())
            .where(ScoreDelivery.status.in_((DeliveryStatus.QUEUED, DeliveryStatus.FAILED)))
            .group_by(ScoreDelivery.platform_id, ScoreDelivery.status)
        ).all()
    }
    return [
        RegistrationStatus(p, last.get(p.id), counts.get((p.id, DeliveryStatus.QUEUED), 0),
                           counts.get((p.id, DeliveryStatus.FAILED), 0))
        for p in platforms
    ]
