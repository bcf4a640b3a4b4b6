"""The baseline: a minimal LTI 1.3 tool written the way pylti1p3 documents it for Flask.

It follows pylti1p3's README ("Usage with Flask", "Flask cache data storage", "Cache for
Public Key") and its Flask example app: the tool configuration read from a JSON file
(``ToolConfJsonFile``) on each request, OIDC login with the cookie check page, a message
launch validated by ``FlaskMessageLaunch``, and the launch data, state and nonces in a
``FlaskCacheDataStorage`` over a cache that lives in each worker process (Flask-Caching's
``SimpleCache`` when installed, otherwise the same thing: a dict with expiry times).

Serve it with gunicorn like the tool:
``BENCH_BASELINE_CONFIG=conf.json gunicorn -k gthread -w 2 --threads 4 bench.baseline_tool:app``.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask, jsonify, render_template_string
from pylti1p3.contrib.flask import FlaskCacheDataStorage, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.tool_config import ToolConfJsonFile

try:
    from flask_caching import Cache
except ImportError:  # Flask-Caching is not one of the tool's dependencies
    Cache = None


class SimpleCache:
    """What Flask-Caching's ``SimpleCache`` is: a dictionary in this process, with timeouts."""

    def __init__(self, default_timeout: int = 600):
        self.default_timeout = default_timeout
        self._items: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            expires, value = self._items.get(key, (0.0, None))
            if expires and expires < time.time():
                del self._items[key]
                return None
            return value

    def set(self, key: str, value, timeout: int | None = None) -> bool:
        timeout = self.default_timeout if timeout is None else timeout
        with self._lock:
            self._items[key] = (time.time() + timeout if timeout else 0.0, value)
        return True

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._items.pop(key, None) is not None


app = Flask("pylti1p3-baseline")
app.config.from_mapping({
    "CACHE_TYPE": "SimpleCache",
    "CACHE_DEFAULT_TIMEOUT": 600,
    "SECRET_KEY": os.environ.get("BENCH_BASELINE_SECRET", "baseline-secret"),
})
cache = Cache(app) if Cache is not None else SimpleCache(app.config["CACHE_DEFAULT_TIMEOUT"])


def get_lti_config_path() -> str:
    return os.environ["BENCH_BASELINE_CONFIG"]


def get_launch_data_storage() -> FlaskCacheDataStorage:
    return FlaskCacheDataStorage(cache)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
<p id="launch-id" data-launch-id="{{ launch_id }}">Launched from {{ context.get('title', '') }}.</p>
<p>{% if is_deep_link_launch %}Choose content.{% else %}Welcome, {{ user }}.{% endif %}</p>
</body></html>"""


@app.route("/login/", methods=["GET", "POST"])
def login():
    tool_conf = ToolConfJsonFile(get_lti_config_path())
    launch_data_storage = get_launch_data_storage()

    flask_request = FlaskRequest()
    target_link_uri = flask_request.get_param("target_link_uri")
    if not target_link_uri:
        raise Exception('Missing "target_link_uri" param')

    oidc_login = FlaskOIDCLogin(flask_request, tool_conf, launch_data_storage=launch_data_storage)
    return oidc_login.enable_check_cookies().redirect(target_link_uri)


@app.route("/launch/", methods=["POST"])
def launch():
    tool_conf = ToolConfJsonFile(get_lti_config_path())
    flask_request = FlaskRequest()
    launch_data_storage = get_launch_data_storage()
    message_launch = FlaskMessageLaunch(flask_request, tool_conf, launch_data_storage=launch_data_storage)
    message_launch.set_public_key_caching(launch_data_storage, cache_lifetime=7200)
    message_launch_data = message_launch.get_launch_data()
    resource_link = message_launch_data.get("https://purl.imsglobal.org/spec/lti/claim/resource_link", {})
    return render_template_string(
        PAGE,
        title=resource_link.get("title", "Activity"),
        context=message_launch_data.get("https://purl.imsglobal.org/spec/lti/claim/context", {}),
        is_deep_link_launch=message_launch.is_deep_link_launch(),
        launch_id=message_launch.get_launch_id(),
        user=message_launch_data.get("sub", ""),
    )


@app.route("/jwks/", methods=["GET"])
def get_jwks():
    tool_conf = ToolConfJsonFile(get_lti_config_path())
    return jsonify(tool_conf.get_jwks())


@app.get("/healthz")
def healthz():
    return {"ok": True}
