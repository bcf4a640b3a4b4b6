"""Fixtures: app -> client -> runner, the test platform, and a browser-like launch driver.

The database and shared store are the embedded defaults unless
``MILCLICKS_TEST_DATABASE_URL`` (PostgreSQL) and ``MILCLICKS_TEST_STORE_URL`` (Redis) are set,
which is how ``.ci/run`` runs the suite a second time against real servers.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import requests
from sqlalchemy import delete

from lti_app import create_app, db
from lti_app.db import Base
from lti_app.lti.models import Deployment, Platform
from lti_app.migrate import upgrade

from .platform import TestPlatform

DATABASE_URL = os.environ.get("MILCLICKS_TEST_DATABASE_URL", "")
STORE_URL = os.environ.get("MILCLICKS_TEST_STORE_URL", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def platform():
    platform = TestPlatform()
    yield platform
    platform.close()


def make_app(database_url: str, data_dir, **overrides: Any):
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "STORE_URL": STORE_URL,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "test-secret",
        "LOG_FORMAT": "text",
        **overrides,
    }
    return create_app(config)


#: Tables kept between tests: the tool's keys are slow to make and no test depends on
#: their absence (key tests start from their own rotation).
KEPT_TABLES = {"tool_keys"}


def _clean(app) -> None:
    with app.app_context():
        with db.engine().begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in KEPT_TABLES:
                    conn.execute(delete(table))
    if STORE_URL:
        client = redis.Redis.from_url(STORE_URL)
        keys = client.keys("milclicks:*")
        if keys:
            client.delete(*keys)


@pytest.fixture
def app(database_url, tmp_path, platform):
    app = make_app(database_url, tmp_path)
    platform.tool_url = "http://localhost"
    _clean(app)
    yield app
    _clean(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def create_platform(app, platform: TestPlatform, deployments=("deployment-1",), **overrides: Any) -> Platform:
    with app.app_context():
        values = {**platform.registration, "name": "Test LMS", **overrides}
        row = Platform(**values, deployments=[Deployment(deployment_id=d) for d in deployments])
        db.session().add(row)
        db.session().commit()
        return row


@pytest.fixture
def registered(app, platform) -> Platform:
    """The test platform, registered on the tool with one deployment."""
    return create_platform(app, platform)


class FormParser(HTMLParser):
    """Collect the first form's action and fields, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def parse_form(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


@dataclass
class Login:
    auth_url: str
    state: str
    nonce: str
    response: Any

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.auth_url).query).items()}


class LaunchDriver:
    """Drive login -> platform auth -> launch the way a browser does (cookies, redirects, posts)."""

    def __init__(self, client, platform: TestPlatform):
        self.client = client
        self.platform = platform

    def login(self, hint: str = "", method: str = "POST", **extra: str) -> Login:
        params = {
            "iss": self.platform.issuer,
            "login_hint": "user-login-hint",
            "target_link_uri": "http://localhost/lti/launch",
            "lti_message_hint": hint,
            "client_id": self.platform.client_id,
            "lti_deployment_id": self.platform.deployment_id,
            **extra,
        }
        params = {k: v for k, v in params.items() if v is not None}
        if method == "POST":
            resp = self.client.post("/lti/login", data=params)
        else:
            resp = self.client.get("/lti/login", query_string=params)
        if resp.status_code == 302:
            auth_url = resp.headers["Location"]
        else:
            match = re.search(r'data-next="([^"]+)"', resp.get_data(as_text=True))
            auth_url = match.group(1).replace("&amp;", "&") if match else ""
        query = {k: v[0] for k, v in parse_qs(urlsplit(auth_url).query).items()}
        return Login(auth_url, query.get("state", ""), query.get("nonce", ""), resp)

    def authorize(self, login: Login) -> dict[str, str]:
        """Follow the redirect to the platform, which answers with an auto-posting form."""
        resp = requests.get(login.auth_url, timeout=10)
        assert resp.status_code == 200, resp.text
        form = parse_form(resp.text)
        return form.fields

    def post_launch(self, fields: dict[str, str], **kwargs):
        return self.client.post("/lti/launch", data=fields, **kwargs)

    def launch(self, hint: str | None = None, **scenario: Any):
        """Full flow; return the launch response (a 303 to the launch's page when accepted)."""
        hint = hint or self.platform.prepare(**scenario)
        login = self.login(hint)
        fields = self.authorize(login)
        return self.post_launch(fields)

    def launch_id(self, hint: str | None = None, **scenario: Any) -> str:
        resp = self.launch(hint, **scenario)
        assert resp.status_code == 303, resp.get_data(as_text=True)
        # The launch answers with its first page, /l/<launch id>/...
        return resp.headers["Location"].split("/l/", 1)[1].split("/", 1)[0]


@pytest.fixture
def driver(client, platform, registered) -> LaunchDriver:
    return LaunchDriver(client, platform)


@pytest.fixture(scope="session")
def live_tool(tmp_path_factory, platform):
    """``milclicks serve`` with two workers, the test platform registered on it."""
    from .live import LiveTool

    tool = LiveTool(tmp_path_factory.mktemp("live"))
    reg = platform.registration
    tool.cli(
        "platform", "add", "--name", "Test LMS", "--issuer", reg["issuer"], "--client-id", reg["client_id"],
        "--auth-login-url", reg["auth_login_url"], "--auth-token-url", reg["auth_token_url"],
        "--key-set-url", reg["key_set_url"], "--deployment", platform.deployment_id,
    )
    yield tool
    tool.stop()


@pytest.fixture
def live(live_tool, platform):
    platform.tool_url = live_tool.url
    return live_tool
