"""Processes a test starts, on free loopback ports: gunicorn serving the app (DEBUG off),
private PostgreSQL and Redis servers a fault test can stop and restart without touching
the machine's shared services, a Celery worker on the rollups queue, and manage.py."""

import contextlib
import glob
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int = 4, extra_env: dict | None = None):
    """A production-like server (DEBUG off) on a free loopback port; yields its port."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": "",
        "CONN_MAX_AGE": "60",
        **(extra_env or {}),
    }
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        # DEBUG off serves hashed, compressed assets: collect them once, as a deploy does.
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    log = open(artifacts / f"gunicorn-{port}.log", "w")  # noqa: SIM115 — closed in finally
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rural_taobao.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = request(port, "GET", "/healthz", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def request(port: int, method: str, path: str, body=None, token: str | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, (
            json.loads(data) if data and response.getheader("Content-Type", "").startswith("application/json") else data
        )
    finally:
        conn.close()


def _as_postgres(*args, **kwargs):
    if os.geteuid() == 0:
        args = ("runuser", "-u", "postgres", "--", *args)
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # noqa: S603


class PrivatePostgres:
    def __init__(self):
        bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bindirs:
            raise RuntimeError("PostgreSQL server binaries not found")
        self.bin = Path(bindirs[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="rt-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        _as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        return _as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", opts, "-w", *args
        )

    def start(self):
        self._ctl("start")

    def stop(self):
        self._ctl("stop", "-m", "fast")

    def destroy(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def manage(database_url: str, *args: str, extra_env: dict | None = None) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": "", **(extra_env or {})}
    result = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else "python", "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def start_rollups_worker(database_url: str, broker_url: str, log_path: Path, **extra_env: str) -> subprocess.Popen:
    """A Celery worker process on the rollups queue against the given database and broker."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "rural_taobao.settings",
        **extra_env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rural_taobao",
            "worker",
            "--queues",
            "rollups",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log_path, "w"),
        stderr=subprocess.STDOUT,  # noqa: SIM115 — outlives this call
    )
