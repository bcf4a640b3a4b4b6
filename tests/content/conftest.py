"""A bare Flask app that can render content templates, without a database or a launch."""

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from lti_app import content

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app():
    app = Flask(__name__, template_folder=str(ROOT / "lti_app" / "templates"))
    Babel(app)
    content.init_app(app)
    with app.test_request_context():
        yield app
