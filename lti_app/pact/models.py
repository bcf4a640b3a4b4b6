"""Who signed the MIL CLICKER Pact, in which LMS activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class PactSignature(Base):
    """One learner's signature of the Pact in one LMS activity; no name is kept."""

    __tablename__ = "pact_signatures"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", "context_id", "resource_link_id", "user_sub",
                         name="uq_pact_signatures_learner"),
    )

    #: Database id.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The school's platform.
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    #: The deployment the launch came through.
    deployment_id: Mapped[str] = mapped_column(String(255))
    #: The LMS course.
    context_id: Mapped[str] = mapped_column(String(255), default="")
    #: The LMS link of the Pact activity.
    resource_link_id: Mapped[str] = mapped_column(String(255))
    #: The learner's opaque LTI ``sub``.
    user_sub: Mapped[str] = mapped_column(String(255))
    #: The commitment ids signed, in the Pact's version at the time.
    commitments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: The language the learner read the Pact in.
    locale: Mapped[str] = mapped_column(String(16), default="en")
    #: When the learner signed.
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
