"""pylti1p3 tool configuration read from the database.

Every issuer may have many client ids (Canvas has one issuer for all schools), so
lookups are always by issuer and client id.
"""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from .keys import SigningKey, current_key
from .models import Deployment, Platform


class ToolRegistration(Registration):
    """A pylti1p3 registration that signs with the tool's current key and its kid."""

    def __init__(self, platform: Platform, key: SigningKey):
        super().__init__()
        self.platform = platform
        self._kid = key.kid
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)
        self.set_key_set_url(platform.key_set_url or None)
        self.set_key_set(platform.key_set)
        self.set_tool_private_key(key.private_pem)
        self.set_tool_public_key(key.public_pem)

    def get_kid(self) -> str:
        return self._kid


class DbToolConf(ToolConfAbstract):
    """Registrations and deployments stored in the ``platforms`` and ``deployments`` tables."""

    def __init__(self, sess: Session):
        super().__init__()
        self.sess = sess
        self.issuers_relation_types = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platforms_for(self, iss: str) -> list[Platform]:
        return list(self.sess.scalars(select(Platform).where(Platform.issuer == iss)))

    def find_platform(self, iss: str, client_id: str | None) -> Platform | None:
        """Return the platform for issuer and client id; without a client id, the only one."""
        if client_id:
            return self.sess.scalar(
                select(Platform).where(Platform.issuer == iss, Platform.client_id == client_id)
            )
        candidates = self.platforms_for(iss)
        return candidates[0] if len(candidates) == 1 else None

    def registration_for(self, platform: Platform) -> ToolRegistration:
        return ToolRegistration(platform, current_key(self.sess))

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
        return self.sess.scalar(
            select(Deployment).where(
                Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id
            )
        )

    def _deployment(self, platform: Platform | None, deployment_id: str):
        if platform is None:
            return None
        row = self.find_deployment_row(platform, deployment_id)
        return LtiDeployment().set_deployment_id(row.deployment_id) if row else None
