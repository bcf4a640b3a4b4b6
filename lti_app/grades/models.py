"""The grade outbox: each score waiting for, or done with, delivery to the LMS."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class DeliveryStatus(str, enum.Enum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    FAILED = "failed"
    #: A newer score for the same student and line item replaced it before it was sent.
    SUPERSEDED = "superseded"


class ScoreDelivery(Base):
    """One score for one student on one LMS line item."""

    __tablename__ = "score_deliveries"
    __table_args__ = (
        Index("ix_score_deliveries_due", "status", "next_try_at"),
        Index("ix_score_deliveries_key", "platform_id", "lineitem_url", "user_sub"),
    )

    #: Database id.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The platform whose gradebook receives the score.
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    #: The AGS line item URL (scores go to its /scores endpoint).
    lineitem_url: Mapped[str] = mapped_column(String(1000))
    #: For a line item the tool creates: what to create (label, scoreMaximum, resourceId,
    #: resourceLinkId, tag, lineitems); ``lineitem_url`` is then a stable key, not a URL.
    new_lineitem: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: The AGS scopes the launch granted.
    scopes: Mapped[list[str]] = mapped_column(JSON)
    #: The student's LTI ``sub``, the score's ``userId``.
    user_sub: Mapped[str] = mapped_column(String(255))
    #: The quiz attempt this score comes from, if any.
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: Points earned; None while a teacher still has to mark.
    score_given: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: Points possible.
    score_maximum: Mapped[float] = mapped_column(Float)
    #: AGS activityProgress (Completed, Submitted, ...).
    activity_progress: Mapped[str] = mapped_column(String(20), default="Completed")
    #: AGS gradingProgress (FullyGraded, PendingManual).
    grading_progress: Mapped[str] = mapped_column(String(20), default="FullyGraded")
    #: A comment shown with the grade in the LMS.
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Where the score is in its journey.
    status: Mapped[DeliveryStatus] = mapped_column(
        SAEnum(DeliveryStatus, name="delivery_status", values_callable=lambda e: [m.value for m in e]),
        default=DeliveryStatus.QUEUED,
    )
    #: Delivery tries so far.
    tries: Mapped[int] = mapped_column(Integer, default=0)
    #: Not before this time is the next try made.
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A worker sending it holds it until then; after that another worker may take over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Why the last try failed.
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: When the score was queued.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the LMS accepted it.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

