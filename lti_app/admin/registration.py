"""LTI Dynamic Registration 1.0: an LMS opens a tool admin's registration link and the tool registers itself.

The LMS opens ``/lti/register/<secret>?openid_configuration=...&registration_token=...``. The tool
reads the platform's OpenID configuration, checks it, posts its own configuration to the
platform's registration endpoint, and stores the platform and deployment it gets back.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..lti.launch import base_url
from ..lti.models import Deployment, DeploymentStatus, Platform
from .models import RegistrationLink

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
#: Grades (line items, results, scores) and class lists; nothing else.
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
#: The only identity claims the tool asks for: who the platform is and an opaque user id.
CLAIMS = ("iss", "sub")
TIMEOUT = 10
#: How the tool describes itself to an LMS (registration and Canvas's developer key).
DESCRIPTION = _l("Short MIL CLICKS lessons and quizzes on media and information literacy, graded in your gradebook.")
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")


class RegistrationError(Exception):
    """Registration cannot go on; ``message`` says why, for the admin in the LMS."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def new_link(sess: Session, label: str, hours: int) -> tuple[RegistrationLink, str]:
    """Create a registration link; return it and the URL, shown only this once."""
    token = secrets.token_urlsafe(24)
    link = RegistrationLink(token_hash=RegistrationLink.hash(token), label=label.strip()[:200],
                            expires_at=utcnow() + timedelta(hours=hours))
    sess.add(link)
    sess.commit()
    return link, base_url() + url_for("registration.start", token=token)


def usable_link(sess: Session, token: str) -> RegistrationLink:
    link = sess.scalar(select(RegistrationLink).where(RegistrationLink.token_hash == RegistrationLink.hash(token)))
    if link is None:
        raise RegistrationError(_("This registration link is not valid. Ask the tool's admin for a new one."), 404)
    if link.used_at is not None:
        raise RegistrationError(_("This registration link was already used. Ask the tool's admin for a new one."), 410)
    if link.expires_at <= utcnow():
        raise RegistrationError(_("This registration link has expired. Ask the tool's admin for a new one."), 410)
    return link


def _check_url(url: str, what: str) -> str:
    """Accept https URLs, and http only on this machine (a platform under test)."""
    if not isinstance(url, str) or not url:
        raise RegistrationError(_("The platform did not send %(what)s.", what=what))
    parts = urlsplit(url)
    loopback = False
    try:
        loopback = ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        loopback = parts.hostname == "localhost"
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise RegistrationError(_("%(what)s must be an https address; the platform sent %(url)s.", what=what, url=url[:200]))
    return url


def read_platform_configuration(url: str) -> dict[str, Any]:
    """Fetch and check the platform's OpenID configuration."""
    _check_url(url, "openid_configuration")
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise RegistrationError(
            _("The platform's configuration could not be read from %(url)s (%(reason)s).", url=url[:200],
              reason=exc.__class__.__name__)
        ) from exc
    if not isinstance(config, dict):
        raise RegistrationError(_("The platform's configuration is not a JSON object."))
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise RegistrationError(_("The platform's configuration lacks %(keys)s.", keys=", ".join(missing)))
    # The configuration must come from the issuer's own host, or anyone could register as any LMS.
    if urlsplit(config["issuer"]).hostname != urlsplit(url).hostname:
        raise RegistrationError(_("The platform's issuer %(issuer)s does not match the address its configuration came from.",
                                  issuer=str(config["issuer"])[:200]))
    for key in REQUIRED[1:]:
        _check_url(config[key], key)
    return config


def tool_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """Return what the tool registers: its URLs, messages, scopes and the few claims it needs."""
    root = base_url()
    launch = root + url_for("lti.launch")
    logo = root + url_for("static", filename="logo.svg")
    offered = set(config.get("scopes_supported") or SCOPES)
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": root + url_for("lti.login"),
        "redirect_uris": [launch],
        "client_name": "MIL CLICKS",
        "jwks_uri": root + url_for("lti.jwks"),
        "logo_uri": logo,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scope for scope in SCOPES if scope in offered),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(root).netloc,
            "description": str(DESCRIPTION),
            "target_link_uri": launch,
            "claims": list(CLAIMS),
            "messages": [
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": "MIL CLICKS",
                 "icon_uri": logo, "placements": ["ContentArea"],
                 "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
                           "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]},
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch, "label": "MIL CLICKS",
                 "icon_uri": logo},
            ],
        },
    }


@dataclass(frozen=True)
class Registered:
    platform: Platform
    deployment_id: str | None
    product: str


def register(sess: Session, link: RegistrationLink, openid_configuration: str, registration_token: str) -> Registered:
    """Register with the platform and store what it returns; the link cannot be used again."""
    config = read_platform_configuration(openid_configuration)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        response = requests.post(config["registration_endpoint"], json=tool_configuration(config), headers=headers,
                                 timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise RegistrationError(_("The platform's registration endpoint could not be reached (%(reason)s).",
                                  reason=exc.__class__.__name__)) from exc
    if response.status_code >= 300:
        raise RegistrationError(_("The platform refused the registration (HTTP %(status)s): %(body)s",
                                  status=response.status_code, body=response.text[:300]))
    try:
        answer = response.json()
    except ValueError as exc:
        raise RegistrationError(_("The platform's answer to the registration is not JSON.")) from exc
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationError(_("The platform's answer to the registration has no client_id."))
    deployment_id = (answer.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
    product = (config.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") or ""
    platform = sess.scalar(select(Platform).where(Platform.issuer == config["issuer"], Platform.client_id == client_id))
    if platform is None:
        platform = Platform(issuer=config["issuer"], client_id=client_id)
        sess.add(platform)
    platform.name = platform.name or link.label or f"{product or 'LMS'} {urlsplit(config['issuer']).hostname}"
    platform.auth_login_url = config["authorization_endpoint"]
    platform.auth_token_url = config["token_endpoint"]
    platform.key_set_url = config["jwks_uri"]
    platform.enabled = True
    sess.flush()
    if isinstance(deployment_id, str) and deployment_id and not any(
        d.deployment_id == deployment_id for d in platform.deployments
    ):
        sess.add(Deployment(platform_id=platform.id, deployment_id=deployment_id, status=DeploymentStatus.ACTIVE))
    link.used_at = utcnow()
    link.platform_id = platform.id
    sess.commit()
    return Registered(platform, deployment_id if isinstance(deployment_id, str) else None, product)
