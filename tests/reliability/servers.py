"""Real processes for the reliability proofs: a throwaway PostgreSQL cluster (initdb + pg_ctl in
a temporary directory, on a free port; never the shared service) and ``openxm serve``.

As root, the cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

OPENXM = str(Path(sys.executable).with_name("openxm"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    return None


def pg_bin(name: str) -> str | None:
    """A PostgreSQL server program: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return candidates[-1] if candidates else None


def cluster_unavailable_reason() -> str | None:
    if not (pg_bin("initdb") and pg_bin("pg_ctl")):
        return "PostgreSQL server programs (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser to start PostgreSQL as the postgres user"
    return None


class Cluster:
    """A PostgreSQL cluster of its own: ``start()``, ``stop()`` (immediate: like a crash), ``url``."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="openxm-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self._as = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/openxm"

    def _run(self, *argv: str) -> None:
        subprocess.run([*self._as, *argv], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )

    def stop(self) -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def create_database(self, name: str = "openxm") -> str:
        """Create database ``name``; returns its URL."""
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def query(self, sql: str, database: str = "openxm") -> list:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{database}") as conn:
            return conn.execute(sql).fetchall()

    def destroy(self) -> None:
        subprocess.run(
            [*self._as, pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


_ENCRYPTION_KEY = Fernet.generate_key().decode()


def openxm_env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "DATABASE_URL", "CELERY_"))}
    env.update(
        OPENXM_HOME=str(home),
        OPENXM_SECRET_KEY="reliability-test-key-0123456789-0123456789-abcdef",
        OPENXM_EMBEDDED_SCHEDULER="false",
        OPENXM_INSECURE_COOKIES="true",
        OPENXM_COLLECT_STATIC="false",  # seconds of compression per fresh home; tested in e2e
        # With DATABASE_URL (a deployment) the keys must come from the environment (openxm.E002).
        OPENXM_ENCRYPTION_KEYS=_ENCRYPTION_KEY,
        DJANGO_SETTINGS_MODULE="openxm.settings",
    )
    env.update(extra)
    return env


def openxm(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [OPENXM, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    """``openxm serve`` on a free port, with a tiny HTTP client that never raises for a status."""

    env: dict
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return Path(self.env["OPENXM_HOME"]) / f"serve-{self.port}.log"

    def start(self) -> "Server":
        # The log goes to a file: a pipe nobody reads would block the server once full.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    OPENXM,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        assert wait_for(lambda: self._up(), 60), "openxm serve did not answer /health"
        return self

    def _up(self) -> bool:
        try:
            return self.request("GET", "/health").status == 200
        except OSError:
            return False

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> Reply:
        data = None
        headers = dict(headers or {})
        if isinstance(body, dict | list):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, bytes | str):
            data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        for name, value in headers.items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 (a local test server)
                return Reply(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, dict(e.headers), e.read())

    def stop(self) -> str:
        """Stop the server and return what it printed."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def provision(env: dict) -> dict:
    """A migrated openxm with an owner and an admin API key; returns the Authorization header."""
    openxm(env, "migrate")
    openxm(
        env,
        "createadmin",
        "--email",
        "owner@example.com",
        "--org",
        "acme",
        "--password-stdin",
        stdin="correct-horse-battery-staple\n",
    )
    key = openxm(env, "apikey", "create", "--org", "acme", "--role", "admin").strip()
    return {"Authorization": f"Bearer {key}"}


def publish_csat(server: Server, auth: dict, channels=("app", "link")) -> dict:
    """Publish the transactional CSAT template; returns each channel's public link."""
    assert server.request("POST", "/api/v1/surveys", {"template": "transactional-csat"}, auth).status == 201
    assert server.request("POST", "/api/v1/surveys/transactional-csat/publish", {}, auth).status == 200
    links = {}
    for channel in channels:
        body = {"survey": "transactional-csat", "channel": channel}
        reply = server.request("POST", "/api/v1/distributions", body, auth)
        assert reply.status == 201, reply.body
        links[channel] = reply.json()["link"]
    return links
