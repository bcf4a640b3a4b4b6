"""Every setting the tool reads, with its type, default and meaning, in one place.

Settings come from environment variables named ``MILCLICKS_<NAME>``. Secrets are only
ever read from the environment (or generated into the data directory on first run);
nothing secret has a default in code.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Locales the interface can be shown in, in the order the language switcher lists them.
SUPPORTED_LOCALES = ("en", "sr", "sr_Latn", "pt", "fr", "es", "ar")
#: Locales written right to left.
RTL_LOCALES = frozenset({"ar"})


@dataclasses.dataclass(frozen=True)
class Option:
    """A documented setting: its environment name, type, default and meaning."""

    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"MILCLICKS_{self.name}"


OPTIONS: tuple[Option, ...] = (
    Option("DATA_DIR", str, "instance",
           "Folder for the embedded SQLite database and the generated secret key."),
    Option("DATABASE_URL", str, "",
           "SQLAlchemy URL of the database; empty means SQLite in DATA_DIR. "
           "Example: postgresql+psycopg://milclicks:secret@db/milclicks"),
    Option("STORE_URL", str, "",
           "Shared store for launch data, OIDC state and used nonces; empty means a table in "
           "the database (works with several workers), redis://host:6379/0 for Redis."),
    Option("SECRET_KEY", str, "",
           "Signs the admin session cookie; empty means a random key kept in DATA_DIR."),
    Option("BASE_URL", str, "",
           "Public https URL of the tool, e.g. https://milclicks.example.org; empty means "
           "the URL each request arrived on."),
    Option("PROXY_HOPS", int, 0,
           "How many reverse proxies in front of the tool set X-Forwarded-* headers "
           "(1 behind one TLS-terminating proxy)."),
    Option("NEW_DEPLOYMENTS", str, "hold",
           "What happens when a registered platform launches from a deployment the tool has not seen: "
           "hold (wait for a tool admin's approval) or accept."),
    Option("REGISTRATION_LINK_HOURS", int, 24, "How long a dynamic-registration link made by a tool admin works."),
    Option("ADMIN_SESSION_HOURS", int, 8, "How long a tool admin stays signed in without activity."),
    Option("LOG_LEVEL", str, "INFO", "DEBUG, INFO, WARNING or ERROR."),
    Option("LOG_FORMAT", str, "json", "json for one JSON object per line, text for plain lines."),
    Option("JWT_LEEWAY", int, 30,
           "Seconds of clock difference allowed between the platform and the tool when "
           "checking exp and iat."),
    Option("JWKS_CACHE_SECONDS", int, 3600, "How long a platform's public key set is cached."),
    Option("JWKS_REFETCH_SECONDS", int, 60,
           "At most one refetch of a platform's key set per this many seconds when a token "
           "names an unknown key id."),
    Option("LAUNCH_TTL_SECONDS", int, 8 * 3600,
           "How long a launch stays usable after it arrives (a lesson and its quiz)."),
    Option("STATE_TTL_SECONDS", int, 600,
           "How long the OIDC login may take between the login request and the launch."),
    Option("MAX_TOKEN_BYTES", int, 64 * 1024, "Largest id_token accepted."),
    Option("DEFAULT_LOCALE", str, "en", "Interface language when neither the LMS nor the browser names one."),
    Option("KEY_OVERLAP_HOURS", int, 72,
           "After a key rotation, how long the previous key stays published."),
    Option("GRADE_MAX_TRIES", int, 10,
           "Tries for one score the LMS refuses (HTTP 4xx) before it is marked failed (an admin can resend it)."),
    Option("GRADE_RETRY_HOURS", int, 72,
           "How long a score keeps being retried while the LMS is down or unreachable (HTTP 5xx, 408, 429, no connection)."),
    Option("GRADE_RETRY_BASE_SECONDS", int, 30,
           "Wait before the second try of a score; it doubles with each try, up to an hour."),
    Option("GRADE_WORKER_INTERVAL_SECONDS", int, 2, "How often the background delivery looks for due scores."),
    Option("GRADE_BACKGROUND", int, 1,
           "1: 'milclicks serve' also delivers scores in the background; 0: run 'milclicks grades deliver --loop' instead."),
    Option("MODULES_DIR", str, str(PROJECT_ROOT / "modules"), "Folder of MIL CLICKS modules."),
    Option("GUIDES_DIR", str, str(PROJECT_ROOT / "teacher_guides"), "Folder of teacher guides."),
    Option("TRANSLATIONS_DIR", str, str(PROJECT_ROOT / "translations"), "Folder of gettext catalogs."),
)


def _coerce(option: Option, raw: str) -> Any:
    if option.type is int:
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"{option.env} must be a whole number, not {raw!r}") from exc
    return raw


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read every option from the environment, then apply ``overrides`` (used by tests)."""
    overrides = overrides or {}
    settings: dict[str, Any] = {}
    for option in OPTIONS:
        if option.name in overrides:
            settings[option.name] = overrides[option.name]
            continue
        raw = os.environ.get(option.env)
        settings[option.name] = option.default if raw in (None, "") else _coerce(option, raw)
    for key, value in overrides.items():
        settings.setdefault(key, value)

    data_dir = Path(settings["DATA_DIR"]).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings["DATA_DIR"] = str(data_dir)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{data_dir / 'milclicks.db'}"
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _local_secret(data_dir)
    if settings["LOG_LEVEL"].upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("MILCLICKS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
    if settings["NEW_DEPLOYMENTS"] not in ("hold", "accept"):
        raise ValueError("MILCLICKS_NEW_DEPLOYMENTS must be hold or accept")
    if settings["DEFAULT_LOCALE"] not in SUPPORTED_LOCALES:
        raise ValueError(
            f"MILCLICKS_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}"
        )
    return settings


def _local_secret(data_dir: Path) -> str:
    """Return the secret kept in the data directory, creating it on first run."""
    path = data_dir / "secret_key"
    if not path.exists():
        tmp = data_dir / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            # A hard link fails if another worker created the key first: theirs wins.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
