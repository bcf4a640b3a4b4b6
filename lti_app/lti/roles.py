"""Map the LTI role vocabulary to the tool's three roles: learner, instructor, admin.

Context (course) roles decide when present; institution and system roles are used only
when the launch carries no context role. Anything unknown, and no role at all, gives
the least privilege: learner.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


class Role(str, enum.Enum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"learner": 0, "instructor": 1, "admin": 2}[self.value]

    @property
    def is_staff(self) -> bool:
        return self.rank >= 1


# Principal role names (before any '#sub-role'), by where they are defined.
_CONTEXT = {
    "Administrator": Role.ADMIN,
    "ContentDeveloper": Role.INSTRUCTOR,
    "Instructor": Role.INSTRUCTOR,
    "TeachingAssistant": Role.INSTRUCTOR,
    "Learner": Role.LEARNER,
    "Mentor": Role.LEARNER,
    "Member": Role.LEARNER,
    "Manager": Role.INSTRUCTOR,
    "Officer": Role.LEARNER,
}
_INSTITUTION = {
    "Administrator": Role.ADMIN,
    "Faculty": Role.INSTRUCTOR,
    "Instructor": Role.INSTRUCTOR,
    "Staff": Role.LEARNER,
    "Student": Role.LEARNER,
    "Learner": Role.LEARNER,
}
_SYSTEM = {"Administrator": Role.ADMIN, "SysAdmin": Role.ADMIN, "SysSupport": Role.LEARNER}


def _parse(role: str) -> tuple[str, str] | None:
    """Return (scope, principal name) for a role URI or short name, or None if unknown."""
    if not isinstance(role, str) or not role:
        return None
    if role.startswith(LIS):
        rest = role[len(LIS):]
        base, _, fragment = rest.partition("#")
        if base in ("institution/person", "system/person"):
            return base.split("/")[0], fragment
        if base == "membership":
            return "context", fragment
        if base.startswith("membership/"):
            # A sub-role (membership/Instructor#TeachingAssistant) keeps its principal role.
            return "context", base[len("membership/"):]
        return None
    if "://" in role or ":" in role:
        return None
    # Short names are deprecated context roles (LTI 1.3 §A.2.3.1).
    return "context", role.partition("#")[0]


def map_roles(roles: Iterable[str] | None) -> Role:
    """Return the tool role for a launch's roles claim."""
    context: list[Role] = []
    wider: list[Role] = []
    for raw in roles or ():
        parsed = _parse(raw)
        if parsed is None:
            continue
        scope, name = parsed
        if scope == "context" and name in _CONTEXT:
            context.append(_CONTEXT[name])
        elif scope == "institution" and name in _INSTITUTION:
            wider.append(_INSTITUTION[name])
        elif scope == "system" and name in _SYSTEM:
            wider.append(_SYSTEM[name])
    # A system or institution administrator is an admin wherever they launch.
    if Role.ADMIN in wider:
        return Role.ADMIN
    chosen = context or wider
    return max(chosen, key=lambda r: r.rank) if chosen else Role.LEARNER
