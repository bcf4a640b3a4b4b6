"""The container's pieces, checked without a container engine: lint, entrypoint, compose file."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from lti_app.config import OPTIONS

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "bin" / "entrypoint"


def test_the_dockerfile_passes_the_linter():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint is installed with the test extras (pip install .[test])"
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILCLICKS_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update({"MILCLICKS_DATA_DIR": str(tmp_path), "MILCLICKS_GRADE_BACKGROUND": "0", **extra})
    return env


def test_the_entrypoint_refuses_to_start_without_the_settings_production_needs(tmp_path):
    no_secret = subprocess.run([str(ENTRYPOINT), "serve"], env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert no_secret.returncode == 64 and "MILCLICKS_SECRET_KEY" in no_secret.stderr
    no_url = subprocess.run([str(ENTRYPOINT), "serve"], env=_env(tmp_path, MILCLICKS_SECRET_KEY="s" * 40),
                            capture_output=True, text=True, timeout=60)
    assert no_url.returncode == 64 and "MILCLICKS_BASE_URL" in no_url.stderr


def test_the_entrypoint_migrates_sets_the_admin_password_and_serves(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = _env(tmp_path, MILCLICKS_SECRET_KEY="s" * 40, MILCLICKS_BASE_URL=url, MILCLICKS_BIND=f"127.0.0.1:{port}",
               MILCLICKS_WORKERS="1", MILCLICKS_THREADS="2", MILCLICKS_ADMIN_PASSWORD="a long admin password",
               MILCLICKS_DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    server = subprocess.Popen([str(ENTRYPOINT), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(url + "/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read() if server.poll() else "timeout"
                time.sleep(0.3)
        assert health.status_code == 200
        session = requests.Session()
        signed_in = session.post(url + "/admin/login", data={"password": "a long admin password"}, allow_redirects=False)
        assert signed_in.status_code == 303
        assert "Signs now" in session.get(url + "/admin/keys").text
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_compose_file_runs_the_tool_with_postgresql_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert set(compose["services"]) == {"tool", "db", "cache"}
    env = compose["services"]["tool"]["environment"]
    assert env["MILCLICKS_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["MILCLICKS_STORE_URL"].startswith("redis://")
    known = {o.env for o in OPTIONS} | {"MILCLICKS_WORKERS", "MILCLICKS_THREADS", "MILCLICKS_BIND"}
    assert set(env) <= known, set(env) - known
