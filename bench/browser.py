"""A simulated student's browser, and the launch flows it follows.

Each student gets its own cookie jar and connection pool (a ``requests.Session``), sends
cookies back to the host that set them (also ``Secure`` and ``Partitioned`` ones on
loopback, as browsers do on localhost), follows redirects with GET, and submits the
platform's auto-posting form.
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import requests

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) MILCLICKS-bench"
TIMEOUT = 120
#: Keep connections open between requests, as browsers do. Off: one connection per request,
#: as when a reverse proxy spreads requests over the workers.
KEEPALIVE = True


class Failed(Exception):
    """A step of a flow did not get what a browser would have got."""

    def __init__(self, step: str, why: str):
        super().__init__(f"{step}: {why}")
        self.step = step
        self.why = why


class FormParser(HTMLParser):
    """The first form of a page: its action and fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_first = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action") or ""
            self._in_first = True
        elif tag == "input" and self._in_first and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_first = False


def closed_before_answer(err: requests.ConnectionError) -> bool:
    """The connection was open and dropped before any byte of an answer (not a failed connect)."""
    text = repr(err)
    return "Connection aborted" in text and any(
        name in text for name in ("RemoteDisconnected", "ConnectionResetError", "BrokenPipeError"))


class Browser:
    def __init__(self) -> None:
        self.http = requests.Session()
        self.http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # cookies are kept below
        self.http.headers["User-Agent"] = USER_AGENT
        if not KEEPALIVE:
            self.http.headers["Connection"] = "close"
        self.jar: dict[str, dict[str, str]] = {}
        #: Requests sent again because a kept-alive connection closed before any answer.
        self.retries = 0

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, url: str, data=None) -> requests.Response:
        netloc = urlsplit(url).netloc
        headers = {}
        cookies = self.jar.get(netloc)
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        try:
            resp = self.http.request(method, url, data=data, headers=headers, allow_redirects=False, timeout=TIMEOUT)
        except requests.ConnectionError as err:
            # A server may close an idle kept-alive connection just as the next request goes
            # out on it; browsers then send the request again on a new connection, once.
            if not closed_before_answer(err):
                raise
            self.retries += 1
            resp = self.http.request(method, url, data=data, headers=headers, allow_redirects=False, timeout=TIMEOUT)
        for raw in resp.raw.headers.getlist("Set-Cookie"):
            pair, _, attrs = raw.partition(";")
            name, _, value = pair.strip().partition("=")
            jar = self.jar.setdefault(netloc, {})
            if re.search(r"max-age=0\b", attrs, re.I) or re.search(r"expires=Thu, 01[- ]Jan[- ]1970", attrs, re.I):
                jar.pop(name, None)
            else:
                jar[name] = value
        return resp

    def follow(self, resp: requests.Response, step: str, limit: int = 5) -> requests.Response:
        """Follow redirects with GET, as a browser does after 302 and 303."""
        for _ in range(limit):
            if resp.status_code not in (301, 302, 303):
                return resp
            resp = self.request("GET", urljoin(resp.url, resp.headers["Location"]))
        raise Failed(step, "too many redirects")


def expect(resp: requests.Response, step: str, *statuses: int) -> requests.Response:
    if resp.status_code not in statuses:
        raise Failed(step, f"HTTP {resp.status_code}")
    return resp


@dataclass
class Outcome:
    ok: bool
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)
    error: str = ""
    page_url: str = ""
    page: str = ""
    retries: int = 0


class Timer:
    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._last = time.perf_counter()
        self.start = self._last

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = now - self._last
        self._last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.start


def login_params(platform: dict, hint: str, target: str) -> dict[str, str]:
    return {
        "iss": platform["issuer"], "login_hint": "user-login-hint", "target_link_uri": target,
        "lti_message_hint": hint, "client_id": platform["client_id"], "lti_deployment_id": platform["deployment_id"],
    }


def platform_auth(browser: Browser, auth_url: str) -> FormParser:
    """The platform's authorization endpoint answers with a form that posts itself."""
    resp = expect(browser.request("GET", auth_url), "auth", 200)
    form = FormParser()
    form.feed(resp.text)
    if not form.action or "id_token" not in form.fields:
        raise Failed("auth", "no auto-posting form with an id_token")
    return form


def request_error(step: str, err: requests.RequestException) -> str:
    """Name a failed request by its step and the cause a browser would have met."""
    cause = err
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__
    reason = str(err.args[0]) if err.args else ""
    for words in ("Connection refused", "Connection reset", "RemoteDisconnected", "Read timed out", "BrokenPipe"):
        if words in reason or words in repr(cause):
            return f"{step}: {type(err).__name__} ({words})"
    return f"{step}: {type(err).__name__} ({type(cause).__name__})"


def launch_tool(browser: Browser, tool_url: str, platform: dict, hint: str) -> Outcome:
    """The tool: POST /lti/login -> platform /auth -> POST /lti/launch -> 303 -> first page."""
    timer = Timer()
    step = "login"
    try:
        resp = browser.request("POST", tool_url + "/lti/login", login_params(platform, hint, tool_url + "/lti/launch"))
        if resp.status_code == 302:
            auth_url = resp.headers["Location"]
        else:
            expect(resp, "login", 200)
            match = re.search(r'data-next="([^"]+)"', resp.text)
            if not match:
                raise Failed("login", "neither a redirect nor a page that goes on")
            auth_url = html.unescape(match.group(1))
        timer.lap("login")
        step = "auth"
        form = platform_auth(browser, auth_url)
        timer.lap("auth")
        step = "launch"
        resp = expect(browser.request("POST", form.action, form.fields), "launch", 303)
        timer.lap("launch")
        step = "first_page"
        page = expect(browser.follow(resp, "first_page"), "first_page", 200)
        if 'name="csrf"' not in page.text:
            raise Failed("first_page", "the lesson page has no form")
        timer.lap("first_page")
        return Outcome(True, timer.total, timer.steps, page_url=page.url, page=page.text)
    except Failed as err:
        return Outcome(False, timer.total, timer.steps, error=f"{err.step}: {err.why}")
    except requests.RequestException as err:
        return Outcome(False, timer.total, timer.steps, error=request_error(step, err))


def launch_baseline(browser: Browser, tool_url: str, platform: dict, hint: str) -> Outcome:
    """pylti1p3's Flask example: POST /login/ -> cookie check page, whose script goes to
    GET /login/?lti1p3_new_window=1&... -> platform /auth -> POST /launch/ -> the page."""
    timer = Timer()
    step = "login"
    try:
        params = login_params(platform, hint, tool_url + "/launch/")
        resp = expect(browser.request("POST", tool_url + "/login/", params), "login", 200)
        match = re.search(r"var urlParams = (\{.*?\});", resp.text)
        if not match:
            raise Failed("login", "no cookie check page")
        query = {k: html.unescape(v) for k, v in json.loads(match.group(1)).items()}
        resp = expect(browser.request("GET", tool_url + "/login/?" + urlencode(query)), "login", 302)
        timer.lap("login")
        step = "auth"
        form = platform_auth(browser, resp.headers["Location"])
        timer.lap("auth")
        step = "launch"
        page = expect(browser.request("POST", form.action, form.fields), "launch", 200)
        if "launch-id" not in page.text:
            raise Failed("launch", "not the tool's page")
        timer.lap("launch")
        return Outcome(True, timer.total, timer.steps, page_url=page.url, page=page.text)
    except Failed as err:
        return Outcome(False, timer.total, timer.steps, error=f"{err.step}: {err.why}")
    except requests.RequestException as err:
        return Outcome(False, timer.total, timer.steps, error=request_error(step, err))
