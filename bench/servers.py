"""Start and stop what the benchmark measures: the tool, the baseline and the test LMS."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import procs

VENV_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A process on loopback with a log file, waited for on a health URL."""

    name = "server"
    health_path = "/healthz"

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path, port: int, workers: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        self._wait()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _wait(self) -> None:
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.read_log()}")
            try:
                if requests.get(self.url + self.health_path, timeout=2).status_code == 200 \
                        and len(procs.children(self.pid)) >= self.workers:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer in time:\n{self.read_log()}")

    def cpu_seconds(self) -> float:
        return procs.tree_cpu_seconds(self.pid)

    def memory(self) -> dict[str, object]:
        return procs.server_memory(self.pid)

    def read_log(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


class ToolServer(Server):
    """``milclicks serve`` with its own data folder; ``cli`` runs milclicks against it."""

    name = "milclicks serve"

    def __init__(self, data_dir: Path, workers: int, threads: int, database_url: str = "", store_url: str = ""):
        port = free_port()
        env = {
            **os.environ,
            "MILCLICKS_DATA_DIR": str(data_dir),
            "MILCLICKS_DATABASE_URL": database_url,
            "MILCLICKS_STORE_URL": store_url,
            "MILCLICKS_LOG_FORMAT": "json",
            # Scores are delivered by the benchmark's own delivery loop, timed on its own.
            "MILCLICKS_GRADE_BACKGROUND": "0",
        }
        for name in ("MILCLICKS_BASE_URL", "MILCLICKS_PROXY_HOPS", "MILCLICKS_SECRET_KEY"):
            env.pop(name, None)
        command = [str(VENV_BIN / "milclicks"), "serve", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), "--threads", str(threads)]
        super().__init__(command, env, data_dir / "server.log", port, workers)

    def cli(self, *args: str) -> str:
        result = subprocess.run([str(VENV_BIN / "milclicks"), *args], env=self.env, capture_output=True,
                                text=True, timeout=120, cwd=ROOT)
        if result.returncode != 0:
            raise RuntimeError(result.stdout + result.stderr)
        return result.stdout

    def register(self, platform: dict) -> None:
        self.cli(
            "platform", "add", "--name", "Bench LMS", "--issuer", platform["issuer"],
            "--client-id", platform["client_id"], "--auth-login-url", platform["auth_login_url"],
            "--auth-token-url", platform["auth_token_url"], "--key-set-url", platform["key_set_url"],
            "--deployment", platform["deployment_id"],
        )


class BaselineServer(Server):
    """``bench.baseline_tool`` under gunicorn with the tool's worker settings."""

    name = "baseline (pylti1p3)"

    def __init__(self, data_dir: Path, workers: int, threads: int, platform: dict):
        data_dir.mkdir(parents=True, exist_ok=True)
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (data_dir / "private.key").write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (data_dir / "public.key").write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        conf = {platform["issuer"]: [{
            "default": True,
            "client_id": platform["client_id"],
            "auth_login_url": platform["auth_login_url"],
            "auth_token_url": platform["auth_token_url"],
            "auth_audience": None,
            "key_set_url": platform["key_set_url"],
            "key_set": None,
            "private_key_file": "private.key",
            "public_key_file": "public.key",
            "deployment_ids": [platform["deployment_id"]],
        }]}
        (data_dir / "tool.json").write_text(json.dumps(conf, indent=2))
        port = free_port()
        env = {**os.environ, "BENCH_BASELINE_CONFIG": str(data_dir / "tool.json")}
        # The same gunicorn settings as 'milclicks serve' (lti_app/cli.py).
        command = [
            str(VENV_BIN / "gunicorn"), "--worker-class", "gthread", "--workers", str(workers),
            "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
            "--graceful-timeout", "20", "--forwarded-allow-ips", "127.0.0.1", "bench.baseline_tool:app",
        ]
        super().__init__(command, env, data_dir / "server.log", port, workers)


class PlatformProcess:
    """``python -m bench.platform_server``: the test LMS in its own process."""

    def __init__(self, log_path: Path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.platform_server"], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            self.log.flush()
            raise RuntimeError("the test LMS did not start:\n" + Path(log_path).read_text())
        self.info: dict = json.loads(line)
        self.url: str = self.info["url"]
        self.http = requests.Session()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_seconds(self) -> float:
        return procs.cpu_seconds(self.pid)

    def setup(self, **values) -> None:
        self.http.post(self.url + "/_bench/setup", json=values, timeout=30).raise_for_status()

    def reset(self) -> None:
        self.http.post(self.url + "/_bench/reset", timeout=30).raise_for_status()

    def scores(self, prefix: str) -> dict:
        resp = self.http.get(self.url + "/_bench/scores", params={"prefix": prefix}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def stats(self) -> dict:
        return self.http.get(self.url + "/_bench/stats", timeout=30).json()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.http.close()
        self.log.close()
