"""OIDC login and launch validation on top of pylti1p3, with the checks it lacks.

Added on top of pylti1p3: ``aud`` must contain our client id and ``azp`` must equal it
when there are several audiences; RS256 only; ``exp``/``iat`` with a configurable
leeway; each nonce usable once across every worker; one rate-limited JWKS refetch on
an unknown kid; the login state bound to the browser by a partitioned cookie or by LTI
Platform Storage; size and JSON checks with an error code for each failure.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from flask import current_app, request
from flask_babel import lazy_gettext as _l
import requests
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest, FlaskSessionService
from pylti1p3.exception import LtiException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import db
from ..store import store
from .browser import PartitionedCookieService, StoreLaunchDataStorage
from .errors import LaunchError
from .models import Deployment, DeploymentStatus, Platform
from .platform_keys import USER_AGENT, PlatformKeys
from .roles import Role, map_roles
from .toolconf import DbToolConf

log = logging.getLogger(__name__)

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
SUPPORTED_MESSAGES = (RESOURCE_LINK, DEEP_LINKING)

#: Claims about the person that the tool never needs to keep.
PERSONAL_CLAIMS = (
    "name", "given_name", "family_name", "middle_name", "nickname", "email", "picture",
    "preferred_username", LTI + "lis", "https://purl.imsglobal.org/spec/lti/claim/lti1p1",
)
NOT_GIVEN = _l("(not given)")

#: Parameters a login request may carry, kept to restart it in a new window.
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id", "lti_deployment_id")


def launch_url() -> str:
    return base_url() + "/lti/launch"


def base_url() -> str:
    configured = current_app.config.get("BASE_URL")
    return (configured or request.host_url).rstrip("/")


def _conf() -> DbToolConf:
    return DbToolConf(db.session())


def _storage() -> StoreLaunchDataStorage:
    return StoreLaunchDataStorage(store())


_http: requests.Session | None = None


def http_session() -> requests.Session:
    """One kept-alive HTTP session per process for calls to platforms (key sets, services)."""
    global _http
    if _http is None:
        _http = requests.Session()
        _http.headers["User-Agent"] = USER_AGENT
    return _http


class LoginNonces(FlaskSessionService):
    """pylti1p3's session service, with the nonce kept in the login's state record.

    pylti1p3 saves each nonce as an entry of its own and looks it up at launch. The tool
    already writes one record per login (state, nonce, platform); the nonce goes in it, so
    a login is one write, and pylti1p3's nonce check is answered from that record.
    """

    issued: str | None = None

    def save_nonce(self, nonce: str) -> None:
        self.issued = nonce

    def check_nonce(self, nonce: str) -> bool:
        return bool(self.issued) and hmac.compare_digest(nonce, self.issued)


# --------------------------------------------------------------------------- login


class ToolOIDCLogin(FlaskOIDCLogin):
    """pylti1p3's login with unguessable state and nonce that we keep a record of."""

    nonce: str = ""

    def _get_uuid(self) -> str:
        return secrets.token_urlsafe(24)

    def _generate_nonce(self) -> str:
        self.nonce = secrets.token_urlsafe(32)
        return self.nonce


@dataclass
class LoginStart:
    auth_url: str
    state: str
    nonce: str
    platform: Platform
    storage_target: str | None
    cookies: PartitionedCookieService

    @property
    def storage_origin(self) -> str:
        parts = urlsplit(self.platform.auth_login_url)
        return f"{parts.scheme}://{parts.netloc}"


def start_login() -> LoginStart:
    """Check a third-party initiated login and prepare the redirect to the platform."""
    req = FlaskRequest()
    iss = req.get_param("iss")
    client_id = req.get_param("client_id")
    if not iss:
        raise LaunchError("login_missing_iss")
    if not req.get_param("login_hint"):
        raise LaunchError("login_missing_login_hint")
    conf = _conf()
    platform = conf.find_platform(iss, client_id)
    if platform is None:
        if not client_id and len(conf.platforms_for(iss)) > 1:
            raise LaunchError("login_ambiguous_platform", iss=iss)
        raise LaunchError("login_unknown_platform", iss=iss, client_id=client_id or NOT_GIVEN)
    if not platform.enabled:
        raise LaunchError("platform_disabled", iss=iss, client_id=platform.client_id)

    cookies = PartitionedCookieService(req)
    oidc = ToolOIDCLogin(req, conf, session_service=LoginNonces(req), cookie_service=cookies)
    ttl = current_app.config["STATE_TTL_SECONDS"]
    oidc.set_launch_data_storage(_storage()).set_launch_data_lifetime(ttl)
    auth_url = oidc.get_redirect_object(launch_url()).get_redirect_url()
    state = parse_qs(urlsplit(auth_url).query)["state"][0]
    storage_target = req.get_param("lti_storage_target") or None
    store().set(
        "state:" + state,
        {
            "nonce": oidc.nonce,
            "platform_id": platform.id,
            "storage_target": storage_target,
            "login": {k: req.get_param(k) for k in LOGIN_PARAMS if req.get_param(k)},
        },
        ttl,
    )
    return LoginStart(auth_url, state, oidc.nonce, platform, storage_target, cookies)


# --------------------------------------------------------------------------- launch


class StorageCheckNeeded(Exception):
    """The state cookie is absent but the login used LTI Platform Storage: ask the page."""

    def __init__(self, state: str, nonce: str, check_token: str, origin: str, target: str):
        super().__init__("platform storage check")
        self.state, self.nonce, self.check_token = state, nonce, check_token
        self.origin, self.target = origin, target


class CookiesBlocked(LaunchError):
    """No state cookie and no platform storage: offer to open the tool in a new window."""

    def __init__(self, login: dict[str, str]):
        super().__init__("cookies_blocked")
        self.login = login


def _b64json(part: str, name: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, TypeError) as exc:
        raise LaunchError("token_malformed", reason=f"its {name} is not base64url") from exc
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LaunchError("token_not_json", part=name) from exc
    if not isinstance(value, dict):
        raise LaunchError("token_not_json", part=name)
    return value


class ToolMessageLaunch(FlaskMessageLaunch):
    """pylti1p3's launch with the tool's stricter checks; errors are ``LaunchError``."""

    _platform: Platform | None = None

    def __init__(self, request=None, tool_config=None, session_service=None,
                 cookie_service=None, launch_data_storage=None, requests_session=None):
        request = request or FlaskRequest()
        super().__init__(
            request,
            tool_config or _conf(),
            session_service=session_service or LoginNonces(request),
            cookie_service=cookie_service or PartitionedCookieService(request),
            launch_data_storage=launch_data_storage or _storage(),
            requests_session=requests_session or http_session(),
        )
        cfg = current_app.config
        self.set_launch_data_lifetime(cfg["LAUNCH_TTL_SECONDS"])
        self._keys = PlatformKeys(store(), cfg["JWKS_CACHE_SECONDS"], cfg["JWKS_REFETCH_SECONDS"], http_session(),
                                  local=current_app.extensions.setdefault("platform_keysets", {}))
        self._leeway = cfg["JWT_LEEWAY"]
        self._max_token = cfg["MAX_TOKEN_BYTES"]
        self.set_launch_id("launch-" + secrets.token_urlsafe(24))

    # -- the order of checks: cheap shape checks, then who sent it, then the signature,
    # -- and only for a genuine token the browser binding and the one-time nonce.
    def validate(self) -> "ToolMessageLaunch":
        if self._restored:
            raise LtiException("Can't validate restored launch")
        self._validated = True
        try:
            self.validate_jwt_format()
            self.validate_registration()
            self.validate_jwt_signature()
            record = self._validate_browser_binding()
            self.validate_nonce(record)
            self.validate_deployment()
            self.validate_message()
            self.save_launch_data()
        except Exception:
            self._validated = False
            raise
        return self

    def validate_jwt_format(self) -> "ToolMessageLaunch":
        token = self._get_request_param("id_token")
        if not token:
            raise LaunchError("token_missing")
        if len(token) > self._max_token:
            raise LaunchError("token_too_large", size=len(token), limit=self._max_token)
        parts = token.split(".")
        if len(parts) != 3:
            raise LaunchError("token_malformed", reason="it must have three parts separated by dots")
        header = _b64json(parts[0], "header")
        body = _b64json(parts[1], "payload")
        alg = header.get("alg")
        if alg != "RS256":
            raise LaunchError("alg_not_allowed", alg=alg if isinstance(alg, str) else "no algorithm")
        if not isinstance(header.get("kid"), str) or not header["kid"]:
            raise LaunchError("token_no_kid")
        self._jwt = {"header": header, "body": body}
        return self

    def get_client_id(self) -> str | None:
        # azp, when present, names the party the token was issued to; aud must then list it.
        body = self._get_jwt_body()
        aud, azp = body.get("aud"), body.get("azp")
        if isinstance(azp, str) and azp:
            return azp
        if isinstance(aud, list):
            return aud[0] if aud and isinstance(aud[0], str) else None
        return aud if isinstance(aud, str) else None

    def validate_registration(self) -> "ToolMessageLaunch":
        body = self._get_jwt_body()
        iss = body.get("iss")
        conf: DbToolConf = self._tool_config
        if not isinstance(iss, str) or not iss:
            raise LaunchError("issuer_unknown", iss=NOT_GIVEN)
        client_id = self.get_client_id()
        platform = conf.find_platform(iss, client_id) if client_id else None
        if platform is None:
            if not conf.platforms_for(iss):
                raise LaunchError("issuer_unknown", iss=iss)
            raise LaunchError("client_unknown", iss=iss, client_id=client_id or NOT_GIVEN)
        if not platform.enabled:
            raise LaunchError("platform_disabled", iss=iss, client_id=client_id)
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if client_id not in audiences:
            raise LaunchError("aud_mismatch", aud=", ".join(map(str, audiences)))
        azp = body.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != client_id:
            raise LaunchError("azp_mismatch", azp=azp if azp is not None else "missing")
        try:
            super().validate_registration()
        except LtiException as exc:
            raise LaunchError("client_unknown", iss=iss, client_id=client_id) from exc
        self._platform = platform
        return self

    def get_public_key(self) -> tuple[str, str]:
        platform = self._platform
        pem = self._keys.public_pem(platform.key_set_url or None, platform.key_set, self._jwt["header"]["kid"])
        return pem, "RS256"

    def validate_jwt_signature(self) -> "ToolMessageLaunch":
        # Replaces pylti1p3's decode, which checks exp and iat with no leeway at all and
        # skips aud; here every claim check runs, with the configured leeway.
        public_key, alg = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[alg],
                audience=self.get_client_id(),
                issuer=self._platform.issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchError("token_expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchError("token_not_yet_valid") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise LaunchError("token_missing_times", claim=exc.claim) from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchError("aud_mismatch", aud=str(self._get_jwt_body().get("aud"))) from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchError("signature_invalid") from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchError("token_malformed", reason=str(exc)) from exc
        return self

    def _validate_browser_binding(self) -> dict[str, Any]:
        """Check that this browser started the login: by cookie, or by platform storage."""
        state = self._get_request_param("state")
        if not state:
            raise LaunchError("state_missing")
        record = store().get("state:" + state)
        if record is None:
            raise LaunchError("state_unknown")
        cookie = self._cookie_service.get_cookie(state)
        if cookie is not None:
            if cookie != state:
                raise LaunchError("state_mismatch")
            return record
        check = self._get_request_param("storage_check")
        if check:
            pending = store().pop("storage-check:" + check)
            fetch_site = request.headers.get("Sec-Fetch-Site")
            if not pending or pending != state or fetch_site not in (None, "same-origin"):
                raise LaunchError("storage_check_failed")
            return record
        if record.get("storage_target"):
            token = secrets.token_urlsafe(24)
            store().set("storage-check:" + token, state, 120)
            origin = urlsplit(self._platform.auth_login_url)
            raise StorageCheckNeeded(
                state, record["nonce"], token, f"{origin.scheme}://{origin.netloc}", record["storage_target"]
            )
        raise CookiesBlocked(record.get("login", {}))

    def validate_nonce(self, record: dict[str, Any] | None = None) -> "ToolMessageLaunch":
        body = self._get_jwt_body()
        nonce = body.get("nonce")
        if not isinstance(nonce, str) or not nonce:
            raise LaunchError("nonce_missing")
        if record is not None and nonce != record.get("nonce"):
            raise LaunchError("nonce_mismatch")
        if record is not None and isinstance(self._session_service, LoginNonces):
            self._session_service.issued = record.get("nonce")
        try:
            super().validate_nonce()
        except LtiException as exc:
            raise LaunchError("nonce_replayed") from exc
        # Using the nonce up is part of saving the launch (save_launch_data): one atomic step.
        return self

    def validate_deployment(self) -> "ToolMessageLaunch":
        body = self._get_jwt_body()
        deployment_id = body.get(LTI + "deployment_id")
        if not isinstance(deployment_id, str) or not deployment_id:
            raise LaunchError("deployment_missing")
        row = self._tool_config.find_deployment_row(self._platform, deployment_id)
        params = {"deployment_id": deployment_id, "iss": self._platform.issuer}
        if row is None:
            # The token is signed by a registered platform: a new install (a course copy, a
            # sub-account) is recorded, then held for approval or accepted, as configured.
            row = record_new_deployment(self._platform, deployment_id)
        if row.status == DeploymentStatus.PENDING:
            raise LaunchError("deployment_pending", **params)
        if row.status == DeploymentStatus.DISABLED:
            raise LaunchError("deployment_disabled", **params)
        try:
            super().validate_deployment()
        except LtiException as exc:
            raise LaunchError("deployment_unknown", **params) from exc
        return self

    def validate_message(self) -> "ToolMessageLaunch":
        body = self._get_jwt_body()
        version = body.get(LTI + "version")
        if version != "1.3.0":
            raise LaunchError("version_invalid", version=version if isinstance(version, str) else "missing")
        message_type = body.get(LTI + "message_type")
        if not message_type:
            raise LaunchError("message_type_missing")
        if message_type not in SUPPORTED_MESSAGES:
            raise LaunchError("message_type_unsupported", message_type=str(message_type))
        if LTI + "roles" not in body:
            raise LaunchError("roles_missing")
        roles = body[LTI + "roles"]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise LaunchError("roles_invalid")
        if not isinstance(body.get("sub"), str) or not body["sub"]:
            raise LaunchError("sub_missing")
        if message_type == RESOURCE_LINK:
            link = body.get(LTI + "resource_link")
            if not isinstance(link, dict) or not link.get("id"):
                raise LaunchError("resource_link_missing")
        else:
            _check_deep_linking(body.get(DL + "deep_linking_settings"))
        try:
            super().validate_message()
        except LtiException as exc:
            raise LaunchError("deep_linking_invalid" if message_type == DEEP_LINKING else "resource_link_missing",
                              reason=str(exc)) from exc
        return self

    def save_launch_data(self) -> "ToolMessageLaunch":
        """Use the nonce up and keep the launch, in one atomic write to the shared store.

        Of two launches with the same token, on any workers, exactly one stores its
        ``nonce-used`` entry; the other is refused and saves nothing.
        """
        claims = self._jwt["body"]
        body = {k: v for k, v in claims.items() if k not in PERSONAL_CLAIMS}
        body["_tool"] = {"platform_id": self._platform.id, "at": int(time.time())}
        exp = claims.get("exp") if isinstance(claims.get("exp"), (int, float)) else time.time()
        nonce_ttl = int(max(exp - time.time(), 0) + self._leeway + 60)
        launch_key = _storage().key_for(self._launch_id)
        launch_ttl = current_app.config["LAUNCH_TTL_SECONDS"]
        if not store().add_and_set("nonce-used:" + claims["nonce"], 1, nonce_ttl, {launch_key: (body, launch_ttl)}):
            raise LaunchError("nonce_replayed")
        self.launch = Launch(self._launch_id, body)
        return self


def _check_deep_linking(settings: Any) -> None:
    if not isinstance(settings, dict):
        raise LaunchError("deep_linking_invalid", reason="deep_linking_settings is missing")
    if not settings.get("deep_link_return_url"):
        raise LaunchError("deep_linking_invalid", reason="deep_link_return_url is missing")
    accept = settings.get("accept_types")
    if not isinstance(accept, list) or "ltiResourceLink" not in accept:
        raise LaunchError("deep_linking_invalid", reason="accept_types does not include ltiResourceLink")
    if not settings.get("accept_presentation_document_targets"):
        raise LaunchError("deep_linking_invalid", reason="accept_presentation_document_targets is empty")


# --------------------------------------------------------------------------- after


@dataclass
class Launch:
    """A validated launch, found again by its id on every later request."""

    id: str
    claims: dict[str, Any]

    @property
    def platform_id(self) -> int:
        return self.claims["_tool"]["platform_id"]

    @cached_property
    def role(self) -> Role:
        return map_roles(self.claims.get(LTI + "roles"))

    @property
    def sub(self) -> str:
        return self.claims["sub"]

    @property
    def issuer(self) -> str:
        return self.claims["iss"]

    @property
    def deployment_id(self) -> str:
        return self.claims[LTI + "deployment_id"]

    @property
    def message_type(self) -> str:
        return self.claims[LTI + "message_type"]

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == DEEP_LINKING

    @property
    def context(self) -> dict[str, Any]:
        ctx = self.claims.get(LTI + "context")
        return ctx if isinstance(ctx, dict) else {}

    @property
    def resource_link(self) -> dict[str, Any]:
        link = self.claims.get(LTI + "resource_link")
        return link if isinstance(link, dict) else {}

    @property
    def custom(self) -> dict[str, str]:
        custom = self.claims.get(LTI + "custom")
        return {str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {}

    @property
    def presentation(self) -> dict[str, Any]:
        pres = self.claims.get(LTI + "launch_presentation")
        return pres if isinstance(pres, dict) else {}

    @property
    def locale(self) -> str | None:
        """The language the learner chose in the tool, else the one the LMS sent."""
        chosen = self.claims.get("_tool", {}).get("locale")
        loc = chosen or self.presentation.get("locale")
        return loc if isinstance(loc, str) else None

    @property
    def ags(self) -> dict[str, Any] | None:
        ags = self.claims.get(AGS)
        return ags if isinstance(ags, dict) else None

    @property
    def nrps(self) -> dict[str, Any] | None:
        nrps = self.claims.get(NRPS)
        return nrps if isinstance(nrps, dict) else None

    @property
    def deep_linking_settings(self) -> dict[str, Any]:
        return self.claims.get(DL + "deep_linking_settings") or {}

    def message_launch(self) -> ToolMessageLaunch:
        """Return the pylti1p3 launch object, for calling the platform's services."""
        return ToolMessageLaunch.from_cache(self.id, FlaskRequest(), _conf(), launch_data_storage=_storage())


def record_new_deployment(platform: Platform, deployment_id: str) -> Deployment:
    """Add a deployment the platform launched from; held or active per NEW_DEPLOYMENTS."""
    sess = db.session()
    # A platform registered without a deployment id (Canvas) gets its first one accepted.
    first = sess.scalar(select(Deployment.id).where(Deployment.platform_id == platform.id).limit(1)) is None
    accept = first or current_app.config["NEW_DEPLOYMENTS"] == "accept"
    status = DeploymentStatus.ACTIVE if accept else DeploymentStatus.PENDING
    row = Deployment(platform_id=platform.id, deployment_id=deployment_id, status=status)
    sess.add(row)
    try:
        sess.commit()
    except IntegrityError:  # a second launch from it at the same moment
        sess.rollback()
        row = sess.scalar(select(Deployment).where(
            Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id))
    log.info("new deployment %s of platform %s recorded as %s", deployment_id, platform.id, row.status.value)
    return row


def choose_locale(launch: Launch, locale: str) -> None:
    """Keep the learner's choice of language with the launch, for the rest of its life."""
    ttl = current_app.config["LAUNCH_TTL_SECONDS"] - (int(time.time()) - launch.claims["_tool"]["at"])
    if ttl <= 0:
        raise LaunchError("launch_expired")
    launch.claims["_tool"]["locale"] = locale
    _storage().set_value(launch.id, launch.claims, ttl)


def load_launch(launch_id: str) -> Launch:
    """Find a launch by id; a missing or expired one is a clear 410 page."""
    claims = _storage().get_value(launch_id) if launch_id.startswith("launch-") else None
    if not claims:
        raise LaunchError("launch_expired")
    return Launch(launch_id, claims)
