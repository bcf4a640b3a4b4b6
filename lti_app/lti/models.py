"""Platforms (LMS registrations), their deployments and the tool's signing keys."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow


class Platform(Base):
    """One LMS registration: an issuer and the client id it gave this tool."""

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_platforms_issuer_client"),)

    #: Database id, shown by ``milclicks platform list``.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Name an admin recognises, e.g. "Lakeside High Moodle".
    name: Mapped[str] = mapped_column(String(200), default="")
    #: The platform's ``iss``; Canvas uses one issuer for every school.
    issuer: Mapped[str] = mapped_column(String(500))
    #: The client id the platform assigned to this tool.
    client_id: Mapped[str] = mapped_column(String(255))
    #: The platform's OIDC authorisation endpoint.
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    #: The platform's OAuth2 token endpoint, for grades and rosters.
    auth_token_url: Mapped[str] = mapped_column(String(1000), default="")
    #: ``aud`` for the client assertion when it differs from the token URL.
    auth_audience: Mapped[str] = mapped_column(String(1000), default="")
    #: Where the platform publishes its public keys.
    key_set_url: Mapped[str] = mapped_column(String(1000), default="")
    #: A fixed public key set, for platforms configured with a key instead of a URL.
    key_set: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: Disabled platforms cannot launch the tool; their data stays.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: When the platform was registered.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The latest accepted launch, to the minute (recorded at most once a minute).
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The latest launch error seen from this platform, as shown to the user.
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    deployments: Mapped[list["Deployment"]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )

    def to_dict(self) -> dict[str, Any]:
        """Return the platform as exported by ``milclicks platform export``."""
        return {
            "name": self.name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.auth_login_url,
            "auth_token_url": self.auth_token_url,
            "auth_audience": self.auth_audience,
            "key_set_url": self.key_set_url,
            "key_set": self.key_set,
            "enabled": self.enabled,
            "deployments": [
                {"deployment_id": d.deployment_id, "status": d.status.value}
                for d in self.deployments
            ],
        }


class DeploymentStatus(str, enum.Enum):
    ACTIVE = "active"
    PENDING = "pending"
    DISABLED = "disabled"


class Deployment(Base):
    """One install of the tool inside a platform (an account, a sub-account or a course)."""

    __tablename__ = "deployments"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", name="uq_deployments_platform_deployment"),
    )

    #: Database id.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The platform this deployment belongs to.
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    #: The ``deployment_id`` claim the platform sends.
    deployment_id: Mapped[str] = mapped_column(String(255))
    #: Only active deployments may launch.
    status: Mapped[DeploymentStatus] = mapped_column(
        SAEnum(DeploymentStatus, name="deployment_status", values_callable=lambda e: [m.value for m in e]),
        default=DeploymentStatus.ACTIVE,
    )
    #: When the deployment was added.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class KeyState(str, enum.Enum):
    NEXT = "next"
    CURRENT = "current"
    PREVIOUS = "previous"


class ToolKey(Base):
    """An RSA key pair the tool signs with; published in the JWKS while not expired."""

    __tablename__ = "tool_keys"

    #: Database id.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Key id (the RFC 7638 thumbprint), sent as ``kid`` in every JWT the tool signs.
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    #: PEM of the private key; never leaves the database except to sign.
    private_pem: Mapped[str] = mapped_column(Text)
    #: The public half as a JWK.
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: next: published, not yet signing; current: signing; previous: published until expiry.
    state: Mapped[KeyState] = mapped_column(
        SAEnum(KeyState, name="key_state", values_callable=lambda e: [m.value for m in e])
    )
    #: When the key was made.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: For a previous key, when it stops being published.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
