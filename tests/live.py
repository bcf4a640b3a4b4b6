"""The tool served for real, by ``milclicks serve`` (gunicorn, several workers), on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveTool:
    """A running tool with its own data directory; ``cli`` runs milclicks against it."""

    def __init__(self, data_dir: Path, workers: int = 2, host: str = "localhost"):
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        self.env = {
            **os.environ,
            "MILCLICKS_DATA_DIR": str(data_dir),
            "MILCLICKS_DATABASE_URL": os.environ.get("MILCLICKS_TEST_LIVE_DATABASE_URL", ""),
            "MILCLICKS_STORE_URL": os.environ.get("MILCLICKS_TEST_LIVE_STORE_URL", ""),
            "MILCLICKS_LOG_FORMAT": "json",
        }
        self.log = open(data_dir / "server.log", "w")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "milclicks"), "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"milclicks serve exited: {self.read_log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"milclicks serve did not answer in time: {self.read_log()}")

    def cli(self, *args: str) -> str:
        result = subprocess.run([str(VENV_BIN / "milclicks"), *args], env=self.env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(result.stdout + result.stderr)
        return result.stdout

    def read_log(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
