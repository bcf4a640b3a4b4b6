"""Every way a login or launch can be refused, with what it means and how an admin fixes it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Problem:
    status: int
    #: What went wrong, in a sentence a school admin can act on.
    what: object
    #: What to check or change.
    fix: object


_REGISTRATION = _l(
    "Check the tool's registration in the LMS against the values on the tool's install page."
)
_REOPEN = _l("Open the activity again from the course page.")
_PLATFORM_BUG = _l(
    "The LMS sent a launch that does not follow LTI 1.3. Check the LMS version and its LTI "
    "settings, or report it to the LMS vendor with the error code."
)

PROBLEMS: dict[str, Problem] = {
    # Login initiation
    "login_missing_iss": Problem(400, _l("The login request did not say which platform it came from (no iss)."), _PLATFORM_BUG),
    "login_missing_login_hint": Problem(400, _l("The login request had no login_hint."), _PLATFORM_BUG),
    "login_unknown_platform": Problem(
        400,
        _l("No platform is registered with issuer %(iss)s and client id %(client_id)s."),
        _l("Register the platform on the tool with the command 'milclicks platform add', or correct the issuer and client id."),
    ),
    "login_ambiguous_platform": Problem(
        400,
        _l("Several registrations share issuer %(iss)s and the login request did not name a client id."),
        _l("Ask the LMS to send client_id with the login request (Canvas and Moodle do), or remove the unused registrations."),
    ),
    "platform_disabled": Problem(403, _l("This platform's registration (%(iss)s, %(client_id)s) is disabled on the tool."), _l("A tool admin can enable it again.")),
    # Token shape
    "token_missing": Problem(400, _l("The launch carried no id_token."), _PLATFORM_BUG),
    "token_too_large": Problem(413, _l("The id_token is larger than the tool accepts (%(size)s bytes, limit %(limit)s)."), _PLATFORM_BUG),
    "token_malformed": Problem(400, _l("The id_token is not a well-formed JWT: %(reason)s."), _PLATFORM_BUG),
    "token_not_json": Problem(400, _l("The id_token's %(part)s is not a JSON object."), _PLATFORM_BUG),
    "token_no_kid": Problem(400, _l("The id_token's header names no key id (kid), so its signature cannot be checked."), _PLATFORM_BUG),
    "alg_not_allowed": Problem(400, _l("The id_token is signed with %(alg)s; only RS256 is accepted."), _PLATFORM_BUG),
    # Registration and audience
    "issuer_unknown": Problem(400, _l("No platform is registered with issuer %(iss)s."), _REGISTRATION),
    "client_unknown": Problem(400, _l("Platform %(iss)s has no registration with client id %(client_id)s."), _REGISTRATION),
    "aud_mismatch": Problem(401, _l("The id_token is addressed to %(aud)s, not to this tool's client id."), _REGISTRATION),
    "azp_mismatch": Problem(401, _l("The id_token has several audiences and its authorised party (azp) is %(azp)s, not this tool's client id."), _REGISTRATION),
    # Keys and signature
    "kid_unknown": Problem(401, _l("The platform's key set has no key with id %(kid)s, even after fetching it again."), _l("Check the platform's public keyset URL in the registration; if the platform just rotated its keys, try again in a minute.")),
    "jwks_unavailable": Problem(400, _l("The platform's public keys could not be read from %(url)s: %(reason)s."), _l("Check the public keyset URL in the registration and that the tool's server can reach it.")),
    "signature_invalid": Problem(401, _l("The id_token's signature does not match the platform's key."), _REGISTRATION),
    "token_expired": Problem(401, _l("The launch has expired (the id_token's exp has passed)."), _l("Open the activity again. If this keeps happening, check that the clocks of the LMS server and the tool's server are right.")),
    "token_not_yet_valid": Problem(401, _l("The id_token was issued in the future (iat), beyond the allowed clock difference."), _l("Check that the clocks of the LMS server and the tool's server are right.")),
    "token_missing_times": Problem(400, _l("The id_token lacks the required claim %(claim)s."), _PLATFORM_BUG),
    # Browser binding
    "state_missing": Problem(400, _l("The launch carried no state parameter."), _PLATFORM_BUG),
    "state_unknown": Problem(400, _l("This launch does not belong to a login the tool started, or the login took too long."), _REOPEN),
    "state_mismatch": Problem(400, _l("This launch's state does not match the one the browser was given at login."), _REOPEN),
    "storage_check_failed": Problem(400, _l("The launch could not be confirmed through the LMS's platform storage."), _REOPEN),
    "cookies_blocked": Problem(401, _l("Your browser did not keep the tool's sign-in cookie inside the course page."), _l("Open the activity in a new window with the button below.")),
    # Nonce
    "nonce_missing": Problem(400, _l("The id_token has no nonce."), _PLATFORM_BUG),
    "nonce_mismatch": Problem(400, _l("The id_token's nonce is not the one the tool asked for."), _REOPEN),
    "nonce_replayed": Problem(401, _l("This launch was already used. An id_token can be used only once."), _REOPEN),
    # Deployment
    "deployment_missing": Problem(400, _l("The id_token has no deployment_id."), _PLATFORM_BUG),
    "deployment_unknown": Problem(403, _l("Deployment %(deployment_id)s of platform %(iss)s is not registered on the tool."), _l("Add the deployment id on the tool with 'milclicks deployment add'. Each new install of the tool in the LMS gets a new deployment id.")),
    "deployment_pending": Problem(403, _l("Deployment %(deployment_id)s of platform %(iss)s is waiting for a tool admin's approval."), _l("A tool admin can approve it.")),
    "deployment_disabled": Problem(403, _l("Deployment %(deployment_id)s of platform %(iss)s is disabled on the tool."), _l("A tool admin can enable it again.")),
    # Message claims
    "version_invalid": Problem(400, _l("The launch's LTI version is %(version)s; this tool speaks LTI 1.3.0."), _PLATFORM_BUG),
    "message_type_missing": Problem(400, _l("The launch does not say what kind of message it is (no message_type)."), _PLATFORM_BUG),
    "message_type_unsupported": Problem(400, _l("The tool does not handle messages of type %(message_type)s."), _l("Use the tool for activities (resource links) and content selection (deep linking) only.")),
    "roles_missing": Problem(400, _l("The launch has no roles claim. An empty list is allowed; a missing claim is not."), _PLATFORM_BUG),
    "roles_invalid": Problem(400, _l("The launch's roles claim is not a list of strings."), _PLATFORM_BUG),
    "sub_missing": Problem(400, _l("The launch does not identify the user (no sub)."), _PLATFORM_BUG),
    "resource_link_missing": Problem(400, _l("The activity launch has no resource link id."), _PLATFORM_BUG),
    "deep_linking_invalid": Problem(400, _l("The content selection request is incomplete: %(reason)s."), _PLATFORM_BUG),
    "target_link_invalid": Problem(400, _l("The launch's target link %(target)s does not point at this tool."), _REGISTRATION),
    # After the launch
    "launch_expired": Problem(410, _l("This page's launch has expired or does not exist."), _REOPEN),
}


class LaunchError(Exception):
    """A refused login or launch; ``code`` is a key of ``PROBLEMS``."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = {k: ("" if v is None else v) for k, v in params.items()}
        self.problem = PROBLEMS[code]

    @property
    def status(self) -> int:
        return self.problem.status

    def what(self) -> str:
        return str(self.problem.what) % self.params if self.params else str(self.problem.what)

    def fix(self) -> str:
        return str(self.problem.fix)

    def log_line(self) -> str:
        detail = " ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"launch refused code={self.code} {detail}".strip()
