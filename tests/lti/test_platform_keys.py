"""Platform keys: cached with a lifetime, fetched again once when a kid is unknown."""

from __future__ import annotations

import time

from tests.conftest import LaunchDriver, create_platform, make_app
from tests.platform import PlatformKey, Scenario


def test_key_set_is_cached_between_launches(driver: LaunchDriver):
    before = driver.platform.jwks_fetches
    driver.launch_id()
    driver.launch_id()
    driver.launch_id()
    assert driver.platform.jwks_fetches - before == 1


def test_key_set_is_fetched_again_after_its_lifetime(database_url, tmp_path, platform):
    app = make_app(database_url, tmp_path, JWKS_CACHE_SECONDS=1)
    create_platform(app, platform)
    driver = LaunchDriver(app.test_client(), platform)
    before = platform.jwks_fetches
    driver.launch_id()
    driver.launch_id()
    time.sleep(1.1)
    driver.launch_id()
    assert platform.jwks_fetches - before == 2


def test_platform_key_rotation_is_picked_up_without_a_restart(driver: LaunchDriver):
    platform = driver.platform
    driver.launch_id()  # caches the old key set
    new_key = PlatformKey.generate("platform-key-2")
    old = platform.key
    platform.published = [old, new_key]
    platform.key = new_key
    try:
        before = platform.jwks_fetches
        driver.launch_id()
        assert platform.jwks_fetches - before == 1
    finally:
        platform.key, platform.published = old, [old]


def test_a_new_kid_is_looked_up_in_the_shared_store_before_fetching(database_url, tmp_path, platform):
    # Two workers: each keeps the key sets it read, and both share the store.
    first = make_app(database_url, tmp_path)
    create_platform(first, platform)
    second = make_app(database_url, tmp_path)
    one, two = LaunchDriver(first.test_client(), platform), LaunchDriver(second.test_client(), platform)
    one.launch_id()
    two.launch_id()
    new_key = PlatformKey.generate("platform-key-3")
    old = platform.key
    platform.published = [old, new_key]
    platform.key = new_key
    try:
        before = platform.jwks_fetches
        two.launch_id()  # meets the new kid: fetches the set once, for every worker
        one.launch_id()  # its own copy lacks the kid: finds the new set in the shared store
        assert platform.jwks_fetches - before == 1
    finally:
        platform.key, platform.published = old, [old]


def test_unknown_kid_refetch_is_rate_limited(driver: LaunchDriver):
    platform = driver.platform
    driver.launch_id()
    stranger = PlatformKey.generate("never-published")
    before = platform.jwks_fetches
    for _ in range(5):
        login = driver.login(platform.prepare())
        token = platform.sign(platform.claims_for(Scenario(), login.nonce), key=stranger)
        resp = driver.post_launch({"id_token": token, "state": login.state})
        assert resp.status_code == 401 and "kid_unknown" in resp.get_data(as_text=True)
    assert platform.jwks_fetches - before == 1


def test_unreachable_key_set_is_a_clear_error(app, client, platform):
    create_platform(app, platform, key_set_url="http://127.0.0.1:9/jwks")
    resp = LaunchDriver(client, platform).launch()
    assert resp.status_code == 400
    assert "jwks_unavailable" in resp.get_data(as_text=True)


def test_static_key_set_needs_no_fetch(app, client, platform):
    create_platform(app, platform, key_set_url="", key_set={"keys": [platform.key.jwk]})
    before = platform.jwks_fetches
    assert LaunchDriver(client, platform).launch().status_code == 303
    assert platform.jwks_fetches == before
