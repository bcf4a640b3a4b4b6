"""/healthz says whether the database and the shared store answer."""

from lti_app.store import RedisStore
from tests.conftest import make_app


def test_healthy(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"database": "ok", "store": "ok", "status": "ok"}


def test_unreachable_store_is_reported(database_url, tmp_path):
    app = make_app(database_url, tmp_path, STORE_URL="redis://127.0.0.1:9/0")
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["store"] == "unavailable"
    assert resp.get_json()["database"] == "ok"
    assert isinstance(app.extensions["store"], RedisStore)


def test_unreachable_database_is_reported(tmp_path):
    app = make_app("postgresql+psycopg://nobody:x@127.0.0.1:9/none", tmp_path)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["database"] == "unavailable"


def test_front_page_lists_the_urls_to_register(client):
    text = client.get("/", base_url="https://milclicks.school.example").get_data(as_text=True)
    for url in ("https://milclicks.school.example/lti/login", "https://milclicks.school.example/lti/launch",
                "https://milclicks.school.example/lti/jwks"):
        assert url in text
