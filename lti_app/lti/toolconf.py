"""pylti1p3 tool configuration read from the database.

Every issuer may have many client ids (Canvas has one issuer for all schools), so
lookups are always by issuer and client id.
"""

from __future__ import annotations

from typing import Any, Callable

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .keys import SigningKey, current_key
from .models import Deployment, Platform


class ToolRegistration(Registration):
    """A pylti1p3 registration that signs with the tool's current key and its kid.

    The key is read only when something is signed (a deep-linking answer, a service
    token): logins and launches only check the platform's signature and never need it.
    """

    def __init__(self, platform: Platform, key: SigningKey | Callable[[], SigningKey]):
        super().__init__()
        self.platform = platform
        self._key = key
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)
        self.set_key_set_url(platform.key_set_url or None)
        self.set_key_set(platform.key_set)

    @property
    def key(self) -> SigningKey:
        if callable(self._key):
            self._key = self._key()
        return self._key

    def get_tool_private_key(self) -> str:
        return self.key.private_pem

    def get_tool_public_key(self) -> str:
        return self.key.public_pem

    def get_kid(self) -> str:
        return self.key.kid


# Built once: every login and launch runs these, and building a query costs more than running it.
PLATFORM = select(Platform).where(Platform.issuer == bindparam("iss"), Platform.client_id == bindparam("client_id"))
PLATFORMS_OF_ISSUER = select(Platform).where(Platform.issuer == bindparam("iss"))
DEPLOYMENT = select(Deployment).where(
    Deployment.platform_id == bindparam("platform_id"), Deployment.deployment_id == bindparam("deployment_id")
)


class DbToolConf(ToolConfAbstract):
    """Registrations and deployments stored in the ``platforms`` and ``deployments`` tables."""

    def __init__(self, sess: Session):
        super().__init__()
        self.sess = sess
        self.issuers_relation_types = {}
        # pylti1p3 asks for the same platform and deployment several times in one launch.
        self._platforms: dict[tuple[str, str], Platform | None] = {}
        self._deployments: dict[tuple[int, str], Deployment | None] = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platforms_for(self, iss: str) -> list[Platform]:
        return list(self.sess.scalars(PLATFORMS_OF_ISSUER, {"iss": iss}))

    def find_platform(self, iss: str, client_id: str | None) -> Platform | None:
        """Return the platform for issuer and client id; without a client id, the only one."""
        if client_id:
            if (iss, client_id) not in self._platforms:
                self._platforms[iss, client_id] = self.sess.scalar(PLATFORM, {"iss": iss, "client_id": client_id})
            return self._platforms[iss, client_id]
        candidates = self.platforms_for(iss)
        return candidates[0] if len(candidates) == 1 else None

    def registration_for(self, platform: Platform) -> ToolRegistration:
        return ToolRegistration(platform, lambda: current_key(self.sess))

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any):
        platform = self.find_platform(iss, None)
        return self.registration_for(platform) if platform else None

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any):
        platform = self.find_platform(iss, client_id)
        return self.registration_for(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str):
        platform = self.find_platform(iss, None)
        return self._deployment(platform, deployment_id)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any):
        return self._deployment(self.find_platform(iss, client_id), deployment_id)

    def find_deployment_row(self, platform: Platform, deployment_id: str) -> Deployment | None:
        key = (platform.id, deployment_id)
        if self._deployments.get(key) is None:  # a row recorded meanwhile is found next time
            self._deployments[key] = self.sess.scalar(
                DEPLOYMENT, {"platform_id": platform.id, "deployment_id": deployment_id}
            )
        return self._deployments[key]

    def _deployment(self, platform: Platform | None, deployment_id: str):
        if platform is None:
            return None
        row = self.find_deployment_row(platform, deployment_id)
        return LtiDeployment().set_deployment_id(row.deployment_id) if row else None
