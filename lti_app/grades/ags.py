"""Send one score to the LMS with pylti1p3's AGS client, hardened for unattended use.

pylti1p3's connector has no HTTP timeout and caches access tokens per object only; here
tokens are shared by every worker through the store until shortly before they expire,
and every call is bounded in time.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from ..lti.platform_keys import USER_AGENT
from ..lti.toolconf import ToolRegistration
from ..store import SharedStore
from .models import ScoreDelivery

HTTP_TIMEOUT = 10
#: Platforms issue AGS tokens for an hour; reuse one for half that. A token revoked
#: earlier is answered with 401, and the next try fetches a new one.
TOKEN_CACHE_SECONDS = 1800


class DeliveryError(Exception):
    """A try that did not deliver; ``reason`` is kept on the outbox row."""

    def __init__(self, reason: str, status: int | None = None, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        #: The LMS is down, busy or out of reach (5xx, 408, 429, no connection): worth retrying.
        self.transient = transient or (status is not None and (status >= 500 or status in (408, 429)))


class TimeoutSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)


class StoreTokenConnector(ServiceConnector):
    """pylti1p3's service connector with access tokens cached in the shared store."""

    def __init__(self, registration: ToolRegistration, store: SharedStore, session: requests.Session):
        super().__init__(registration, session)
        self._store = store
        self._platform_id = registration.platform.id

    def _token_key(self, scopes) -> str:
        digest = hashlib.sha256("|".join(sorted(scopes)).encode()).hexdigest()[:24]
        return f"ags-token:{self._platform_id}:{digest}"

    def get_access_token(self, scopes) -> str:
        key = self._token_key(scopes)
        cached = self._store.get(key)
        if cached:
            return cached
        token = super().get_access_token(scopes)  # pylti1p3 signs the client assertion
        self._store.set(key, token, TOKEN_CACHE_SECONDS)
        return token

    def forget_token(self, scopes) -> None:
        self._store.delete(self._token_key(scopes))


def _created_lineitem(service: AssignmentsGradesService, store: SharedStore, registration: ToolRegistration,
                     new: dict) -> LineItem:
    """Find the tool's own line item for an LMS link by its tag, creating it the first time."""
    key = f"lineitem:{registration.platform.id}:" + hashlib.sha256(f"{new['lineitems']}|{new['tag']}".encode()).hexdigest()[:32]
    url = store.get(key)
    if not url:
        wanted = (
            LineItem()
            .set_label(new["label"])
            .set_score_maximum(new["scoreMaximum"])
            .set_resource_id(new["resourceId"])
            .set_resource_link_id(new["resourceLinkId"])
            .set_tag(new["tag"])
        )
        url = service.find_or_create_lineitem(wanted, find_by="tag").get_id()
        store.set(key, url, 7 * 24 * 3600)
    return LineItem().set_id(url)


def iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def send_score(registration: ToolRegistration, store: SharedStore, delivery: ScoreDelivery,
               session: requests.Session | None = None) -> None:
    """POST the score to the line item's /scores; raise DeliveryError if it did not land."""
    if not registration.get_auth_token_url():
        raise DeliveryError("the platform's registration has no access token URL")
    connector = StoreTokenConnector(registration, store, session or TimeoutSession())
    new = delivery.new_lineitem
    if new:
        service = AssignmentsGradesService(connector, {"scope": delivery.scopes, "lineitems": new["lineitems"]})
    else:
        service = AssignmentsGradesService(connector, {"scope": delivery.scopes, "lineitem": delivery.lineitem_url})
    grade = (
        Grade()
        .set_user_id(delivery.user_sub)
        .set_score_maximum(delivery.score_maximum)
        .set_activity_progress(delivery.activity_progress)
        .set_grading_progress(delivery.grading_progress)
        .set_timestamp(iso_now())  # a fresh time on every try: later than any earlier send
    )
    if delivery.score_given is not None:
        grade.set_score_given(delivery.score_given)
    if delivery.comment:
        grade.set_comment(delivery.comment)
    for attempt in range(2):
        try:
            target = _created_lineitem(service, store, registration, new) if new else None
            service.put_grade(grade, target)
            return
        except LtiServiceException as exc:
            status = exc.response.status_code if getattr(exc, "response", None) is not None else None
            if status == 401 and attempt == 0:
                connector.forget_token(delivery.scopes)  # expired early: get a fresh one once
                continue
            raise DeliveryError(f"the LMS answered HTTP {status}: {str(exc)[:300]}", status) from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"the LMS could not be reached: {type(exc).__name__}", transient=True) from exc
        except Exception as exc:  # pylti1p3 raises plain LtiException on missing scopes
            raise DeliveryError(str(exc)[:300]) from exc
