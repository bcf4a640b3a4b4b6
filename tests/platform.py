"""A test LMS: signs real RS256 id_tokens, serves its JWKS over HTTP, answers OIDC logins.

It runs as a real HTTP server on 127.0.0.1 so the tool fetches keys and posts grades the
way it would with Moodle or Canvas; tests choose what each launch contains through the
``lti_message_hint`` the platform hands out.
"""

from __future__ import annotations

import functools
import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, abort, request
from jwcrypto.jwk import JWK
from werkzeug.serving import make_server

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = [ROLE + "Learner"]
INSTRUCTOR = [ROLE + "Instructor"]


@dataclass
class PlatformKey:
    kid: str
    private_pem: str
    jwk: dict[str, Any]

    @functools.cached_property
    def private_key(self):
        """The parsed key: parsing the PEM for every token costs tens of milliseconds."""
        return serialization.load_pem_private_key(self.private_pem.encode(), password=None)

    @classmethod
    def generate(cls, kid: str) -> "PlatformKey":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public = json.loads(JWK.from_pem(pem.encode()).export_public())
        public.update({"kid": kid, "alg": "RS256", "use": "sig"})
        return cls(kid, pem, public)


@dataclass
class Scenario:
    """What the platform puts in one launch, chosen by the test."""

    message_type: str = "LtiResourceLinkRequest"
    roles: list[str] | None = field(default_factory=lambda: list(LEARNER))
    sub: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    #: Change the signed token just before it leaves: (claims, headers) -> token string.
    sign: Callable[[dict[str, Any], dict[str, Any]], str] | None = None


class TestPlatform:
    __test__ = False  # not a test class

    def __init__(self, issuer_host: str = "127.0.0.1"):
        self.key = PlatformKey.generate("platform-key-1")
        self.published: list[PlatformKey] = [self.key]
        self.client_id = "milclicks-client-1"
        self.deployment_id = "deployment-1"
        self.scenarios: dict[str, Scenario] = {}
        self.jwks_fetches = 0
        self.scores: list[dict[str, Any]] = []
        self.tokens_issued: list[str] = []
        self.storage: dict[str, Any] = {}
        #: The tool's public keys, to check its client assertions (set by the tests).
        self.tool_jwks: dict[str, Any] | None = None
        self.token_requests = 0
        self.issued_access_tokens: set[str] = set()
        #: Answer the next N score posts with this HTTP status instead of accepting them.
        self.fail_scores: list[int] = []
        #: Line items created through AGS.
        self.lineitems: list[dict[str, Any]] = []
        #: The class list NRPS serves, per course id.
        self.members: dict[str, list[dict[str, Any]]] = {}
        #: Members per NRPS page, to test paging.
        self.members_page_size = 100
        #: Answer NRPS with this HTTP status instead of the list.
        self.nrps_status: int | None = None
        self.score_lock = threading.Lock()
        #: Dynamic registrations received: (authorization header, body).
        self.registrations: list[tuple[str, dict[str, Any]]] = []
        #: Answer a registration with this HTTP status instead of accepting it.
        self.registration_status: int | None = None
        #: Change the OpenID configuration served (e.g. another issuer).
        self.openid_overrides: dict[str, Any] = {}
        self.tool_url = ""
        self.app = self._build_app()
        self.server = make_server(issuer_host, 0, self.app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://{issuer_host}:{self.port}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()

    # -- registration values an admin would copy into the tool
    @property
    def registration(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "key_set_url": self.url + "/jwks",
        }

    # -- building launches
    def prepare(self, scenario: Scenario | None = None, **kwargs: Any) -> str:
        """Register what the next launch with the returned hint will contain."""
        hint = "hint-" + secrets.token_hex(8)
        self.scenarios[hint] = scenario or Scenario(**kwargs)
        return hint

    def claims_for(self, scenario: Scenario, nonce: str, now: int | None = None) -> dict[str, Any]:
        now = int(time.time()) if now is None else now
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": scenario.sub or "user-" + uuid.uuid4().hex[:12],
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            LTI + "version": "1.3.0",
            LTI + "message_type": scenario.message_type,
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.tool_url + "/lti/launch",
            LTI + "roles": scenario.roles,
            LTI + "context": {"id": "course-42", "label": "MIL-9", "title": "Media Literacy 9B", "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            LTI + "launch_presentation": {"locale": "en-GB", "document_target": "iframe"},
            LTI + "tool_platform": {"guid": "test-platform", "name": "Test LMS"},
            LTI + "custom": {"module_id": "lateral-reading"},
        }
        if scenario.roles is None:
            del claims[LTI + "roles"]
        if scenario.message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-7", "title": "Lateral reading"}
        elif scenario.message_type == "LtiDeepLinkingRequest":
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque-platform-data",
            }
        claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "lineitems": self.url + "/lineitems",
            "lineitem": self.url + "/lineitems/link-7",
        }
        claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
            "context_memberships_url": f"{self.url}/memberships/course-42",
            "service_versions": ["2.0"],
        }
        claims.update(scenario.claims)
        for key in scenario.remove:
            claims.pop(key, None)
        return claims

    def sign(self, claims: dict[str, Any], key: PlatformKey | None = None, headers: dict[str, Any] | None = None) -> str:
        key = key or self.key
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, **(headers or {})})

    # -- the HTTP side
    def _build_app(self) -> Flask:
        app = Flask("test_platform")
        platform = self

        @app.get("/.well-known/openid-configuration")
        def openid_configuration():
            return {
                "issuer": platform.issuer,
                "authorization_endpoint": platform.url + "/auth",
                "token_endpoint": platform.url + "/token",
                "jwks_uri": platform.url + "/jwks",
                "registration_endpoint": platform.url + "/register",
                "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                                     "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                                     "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"],
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                    "product_family_code": "testlms", "version": "1.0", "messages_supported": [
                        {"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]},
                **platform.openid_overrides,
            }

        @app.post("/register")
        def register():
            platform.registrations.append((request.headers.get("Authorization", ""), request.get_json()))
            if platform.registration_status:
                return {"error": "invalid_client_metadata"}, platform.registration_status
            body = request.get_json()
            return {**body, "client_id": "dyn-client-" + str(len(platform.registrations)),
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        **body["https://purl.imsglobal.org/spec/lti-tool-configuration"], "deployment_id": "dyn-deployment-1"}}

        @app.get("/jwks")
        def jwks():
            platform.jwks_fetches += 1
            return {"keys": [k.jwk for k in platform.published]}

        @app.route("/auth", methods=["GET", "POST"])
        def auth():
            params = request.values
            for name, expected in (("response_type", "id_token"), ("scope", "openid"), ("response_mode", "form_post"), ("prompt", "none")):
                if params.get(name) != expected:
                    abort(400, f"{name} must be {expected}")
            if params.get("client_id") != platform.client_id:
                abort(400, "unknown client_id")
            scenario = platform.scenarios.get(params.get("lti_message_hint", ""))
            if scenario is None:
                abort(400, "unknown lti_message_hint")
            claims = platform.claims_for(scenario, params["nonce"])
            token = scenario.sign(claims, {"kid": platform.key.kid}) if scenario.sign else platform.sign(claims)
            platform.tokens_issued.append(token)
            return auto_post(params["redirect_uri"], {"id_token": token, "state": params["state"]})

        @app.post("/token")
        def token():
            form = request.form
            if form.get("grant_type") != "client_credentials":
                return {"error": "unsupported_grant_type"}, 400
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                return {"error": "invalid_request"}, 400
            try:
                header = jwt.get_unverified_header(form.get("client_assertion", ""))
                keys = {k["kid"]: k for k in (platform.tool_jwks or {}).get("keys", [])}
                public = jwt.PyJWK(keys[header["kid"]]).key
                claims = jwt.decode(form["client_assertion"], public, algorithms=["RS256"], audience=platform.url + "/token")
            except (KeyError, jwt.InvalidTokenError) as exc:
                return {"error": "invalid_client", "error_description": repr(exc)}, 401
            if claims["iss"] != platform.client_id or claims["sub"] != platform.client_id:
                return {"error": "invalid_client"}, 401
            platform.token_requests += 1
            access = "at-" + secrets.token_hex(12)
            platform.issued_access_tokens.add(access)
            return {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": form.get("scope", "")}

        @app.get("/lineitems")
        def lineitems():
            if request.headers.get("Authorization", "")[7:] not in platform.issued_access_tokens:
                return {"error": "invalid_token"}, 401
            return Response(json.dumps(platform.lineitems), mimetype="application/vnd.ims.lis.v2.lineitemcontainer+json")

        @app.post("/lineitems")
        def create_lineitem():
            if request.headers.get("Authorization", "")[7:] not in platform.issued_access_tokens:
                return {"error": "invalid_token"}, 401
            item = {**request.get_json(force=True), "id": f"{platform.url}/lineitems/created-{len(platform.lineitems) + 1}"}
            platform.lineitems.append(item)
            return Response(json.dumps(item), status=201, mimetype="application/vnd.ims.lis.v2.lineitem+json")

        @app.post("/lineitems/<item>/scores")
        def scores(item: str):
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in platform.issued_access_tokens:
                return {"error": "invalid_token"}, 401
            if request.mimetype != "application/vnd.ims.lis.v1.score+json":
                return {"error": "wrong content type"}, 415
            with platform.score_lock:
                if platform.fail_scores:
                    return {"error": "unavailable"}, platform.fail_scores.pop(0)
                body = request.get_json(force=True)
                previous = [s for s in platform.scores if s["lineitem"] == item and s["userId"] == body["userId"]]
                if previous and body["timestamp"] <= previous[-1]["timestamp"]:
                    return {"error": "timestamp must be after the previous score's"}, 400
                platform.scores.append({**body, "lineitem": item})
            return "", 204

        @app.get("/memberships/<context>")
        def memberships(context: str):
            if request.headers.get("Authorization", "")[7:] not in platform.issued_access_tokens:
                return {"error": "invalid_token"}, 401
            if platform.nrps_status:
                return {"error": "unavailable"}, platform.nrps_status
            members = platform.members.get(context, [])
            start = int(request.args.get("from", 0))
            page = members[start:start + platform.members_page_size]
            headers = {}
            if start + platform.members_page_size < len(members):
                headers["Link"] = f'<{platform.url}/memberships/{context}?from={start + platform.members_page_size}>; rel="next"'
            body = {"id": request.url, "context": {"id": context}, "members": page}
            return Response(json.dumps(body), headers=headers,
                            mimetype="application/vnd.ims.lti-nrps.v2.membershipcontainer+json")

        @app.get("/course/<hint>")
        def course(hint: str):
            # The LMS page a student sees, with the tool embedded in an iframe.
            storage = request.args.get("storage")
            query = {
                "iss": platform.issuer, "login_hint": "user-login-hint", "client_id": platform.client_id,
                "lti_message_hint": hint, "target_link_uri": platform.tool_url + "/lti/launch",
                "lti_deployment_id": platform.deployment_id,
            }
            if storage:
                query["lti_storage_target"] = "_parent"
            src = platform.tool_url + "/lti/login?" + urlencode(query)
            page = f"""<!doctype html><html lang="en"><head><title>Test LMS course</title></head><body>
<h1>Media Literacy 9B</h1>
<iframe id="tool" title="MIL CLICKS activity" src="{html.escape(src)}" style="width:100%;height:600px" allow="clipboard-write"></iframe>
<script>
const store = {{}};
window.addEventListener("message", (event) => {{
  const msg = event.data || {{}};
  if (msg.subject === "lti.put_data") {{
    store[event.origin + "|" + msg.key] = msg.value;
    event.source.postMessage({{subject: "lti.put_data.response", message_id: msg.message_id, key: msg.key, value: msg.value}}, event.origin);
  }} else if (msg.subject === "lti.get_data") {{
    event.source.postMessage({{subject: "lti.get_data.response", message_id: msg.message_id, key: msg.key, value: store[event.origin + "|" + msg.key]}}, event.origin);
  }}
}});
</script></body></html>"""
            return Response(page, mimetype="text/html")

        return app


def auto_post(action: str, fields: dict[str, str]) -> Response:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items())
    page = (
        f'<!doctype html><html><body><form id="f" method="post" action="{html.escape(action)}">{inputs}'
        '<noscript><button>Continue</button></noscript></form>'
        '<script>document.getElementById("f").submit()</script></body></html>'
    )
    return Response(page, mimetype="text/html")
