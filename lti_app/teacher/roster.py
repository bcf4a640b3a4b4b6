"""The class list, from the LMS's Names and Role Provisioning Service (NRPS).

Names are shown to the teacher when the LMS shares them, and never stored: the roster is
fetched for the page that shows it and then dropped.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import requests
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService

from .. import db
from ..grades.ags import StoreTokenConnector, TimeoutSession
from ..lti.launch import Launch
from ..lti.models import Platform
from ..lti.roles import map_roles
from ..lti.toolconf import DbToolConf
from ..store import store

log = logging.getLogger(__name__)

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
#: A class list longer than this many pages is cut short rather than fetched for ever.
MAX_PAGES = 50


@dataclass(frozen=True)
class Member:
    #: The learner's opaque LTI ``sub``.
    sub: str
    #: The name, if the LMS shares it; None otherwise.
    name: str | None
    #: Active or Inactive in the course.
    active: bool


@dataclass(frozen=True)
class Roster:
    #: Learners in the course; None when the LMS offers no class list.
    members: tuple[Member, ...] | None
    #: Why the class list could not be read, for the teacher.
    problem: str | None = None


def anonymous_label(sub: str) -> str:
    """A stable label for a learner whose name the LMS does not share."""
    return "#" + hashlib.sha256(sub.encode()).hexdigest()[:6].upper()


def fetch_roster(launch: Launch) -> Roster:
    """Fetch the learners of the launch's course; the LMS's staff are left out."""
    nrps = launch.nrps
    if not nrps or not nrps.get("context_memberships_url"):
        return Roster(None)
    sess = db.session()
    platform = sess.get(Platform, launch.platform_id)
    if platform is None:
        return Roster(None, "The platform is no longer registered.")
    connector = StoreTokenConnector(DbToolConf(sess).registration_for(platform), store(), TimeoutSession())
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": nrps["context_memberships_url"]})
    members: dict[str, Member] = {}
    url: str | None = nrps["context_memberships_url"]
    try:
        for _ in range(MAX_PAGES):
            page, url = service.get_members_page(url)
            for raw in page:
                sub = str(raw.get("user_id") or "")
                if not sub or raw.get("status") == "Deleted" or map_roles(raw.get("roles") or []).is_staff:
                    continue
                name = raw.get("name") or " ".join(filter(None, (raw.get("given_name"), raw.get("family_name"))))
                members[sub] = Member(sub, name or None, raw.get("status", "Active") != "Inactive")
            if not url:
                break
    except (LtiException, requests.RequestException) as exc:
        log.warning("class list for launch %s could not be read: %s", launch.id, exc)
        return Roster(None, "The LMS did not send the class list. Students who have opened the activity are shown.")
    return Roster(tuple(members.values()))
