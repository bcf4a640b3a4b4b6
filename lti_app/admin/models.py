"""The tool admin's account and the registration links an admin hands to an LMS."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class AdminAccount(Base):
    """The one tool admin; the password is set with ``milclicks admin set-password``."""

    __tablename__ = "admin_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: werkzeug's salted scrypt hash; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: When the password was last set; sessions from before it end.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegistrationLink(Base):
    """A dynamic-registration URL: only its hash is kept, and it stops working when it expires."""

    __tablename__ = "registration_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 of the secret in the URL.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: What the admin called it, e.g. "Lakeside Moodle".
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when an LMS registered with it; a used link cannot register again.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The platform it registered.
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id", ondelete="SET NULL"), nullable=True)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
