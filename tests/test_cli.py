"""The milclicks command: platforms, deployments, import and export."""

from __future__ import annotations

import json

import pytest


def add(runner, *extra: str, issuer="https://moodle.lakeside.example", client_id="abc123"):
    return runner.invoke(args=[
        "platform", "add", "--name", "Lakeside Moodle", "--issuer", issuer, "--client-id", client_id,
        "--auth-login-url", issuer + "/mod/lti/auth.php", "--auth-token-url", issuer + "/mod/lti/token.php",
        "--key-set-url", issuer + "/mod/lti/certs.php", *extra,
    ])


def test_add_list_show_remove(runner):
    result = add(runner, "--deployment", "1", "--deployment", "2")
    assert result.exit_code == 0, result.output
    assert "Added platform" in result.output
    listing = runner.invoke(args=["platform", "list"]).output
    assert "Lakeside Moodle" in listing and "2 deployment(s)" in listing
    platform_id = listing.split("\t")[0]
    shown = json.loads(runner.invoke(args=["platform", "show", platform_id]).output)
    assert [d["deployment_id"] for d in shown["deployments"]] == ["1", "2"]
    assert runner.invoke(args=["platform", "remove", platform_id, "--yes"]).exit_code == 0
    assert "No platforms yet" in runner.invoke(args=["platform", "list"]).output


def test_canvas_issuer_takes_many_client_ids(runner):
    canvas = "https://canvas.instructure.com"
    assert add(runner, issuer=canvas, client_id="10000000000001").exit_code == 0
    assert add(runner, issuer=canvas, client_id="10000000000002").exit_code == 0
    duplicate = add(runner, issuer=canvas, client_id="10000000000002")
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_deployments_add_and_remove(runner):
    add(runner)
    platform_id = runner.invoke(args=["platform", "list"]).output.split("\t")[0]
    assert runner.invoke(args=["deployment", "add", platform_id, "course-copy-9"]).exit_code == 0
    again = runner.invoke(args=["deployment", "add", platform_id, "course-copy-9"])
    assert again.exit_code != 0 and "already exists" in again.output
    assert runner.invoke(args=["deployment", "remove", platform_id, "course-copy-9"]).exit_code == 0
    missing = runner.invoke(args=["deployment", "remove", platform_id, "course-copy-9"])
    assert missing.exit_code != 0 and "has no deployment" in missing.output


def test_unknown_platform_id_is_a_clear_error(runner):
    result = runner.invoke(args=["platform", "show", "999"])
    assert result.exit_code != 0 and "No platform with id 999" in result.output


def test_bad_url_is_refused(runner):
    result = runner.invoke(args=[
        "platform", "add", "--issuer", "x", "--client-id", "y", "--auth-login-url", "ftp://nope", "--key-set-url", "https://k",
    ])
    assert result.exit_code != 0 and "--auth-login-url must be an http(s) URL" in result.output


def test_export_then_import_round_trips(runner, tmp_path, app):
    add(runner, "--deployment", "1")
    exported = tmp_path / "platforms.json"
    assert runner.invoke(args=["platform", "export", str(exported)]).exit_code == 0
    data = json.loads(exported.read_text())
    platform_id = runner.invoke(args=["platform", "list"]).output.split("\t")[0]
    runner.invoke(args=["platform", "remove", platform_id, "--yes"])
    result = runner.invoke(args=["platform", "import", str(exported)])
    assert result.exit_code == 0 and "1 added" in result.output
    again = runner.invoke(args=["platform", "import", str(exported)])
    assert "0 added, 1 updated" in again.output
    reexported = json.loads(runner.invoke(args=["platform", "export"]).output)
    assert reexported == data


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON (line 1"),
        ('{"platforms": {}}', "expected an object with a 'platforms' list"),
        ('{"platforms": [{"issuer": "https://a"}]}', "platforms[0]: 'client_id' is required"),
        ('{"platforms": [{"issuer": "https://a", "client_id": "c", "auth_login_url": "https://a/auth"}]}', "'key_set_url' or 'key_set' is required"),
        ('{"platforms": [{"issuer": "https://a", "client_id": "c", "auth_login_url": "https://a/auth", "key_set_url": "https://a/k", "deployments": [{"deployment_id": "1", "status": "maybe"}]}]}', "status must be active, pending or disabled"),
    ],
)
def test_broken_import_file_is_refused_and_nothing_is_lost(runner, tmp_path, content, message):
    add(runner)
    broken = tmp_path / "broken.json"
    broken.write_text(content)
    result = runner.invoke(args=["platform", "import", str(broken)])
    assert result.exit_code != 0 and message in result.output
    assert "Lakeside Moodle" in runner.invoke(args=["platform", "list"]).output


def test_modules_check_command(runner, tmp_path):
    good = runner.invoke(args=["modules", "check"])
    assert good.exit_code == 0 and "0 problem(s) found" in good.output
    broken = tmp_path / "broken-module"
    broken.mkdir()
    (broken / "module.yaml").write_text("schema_version: 1\nid: broken-module\ntitle: [unclosed\n")
    bad = runner.invoke(args=["modules", "check", str(tmp_path)])
    assert bad.exit_code == 1 and "module.yaml" in bad.output
