"""Start and stop the real servers the publish tests use, on 127.0.0.1.

Everything runs as a child process of the test session on a free port, with
its output in a log file, and is stopped by its process id (never by name):

    moto_server                      S3 (from .cache/servers/moto)
    postgres                         a throwaway cluster in a temporary folder
    redis-server                     no persistence
    solr_standin.py                  the few Solr endpoints CKAN calls
    ckan_serve.py                    CKAN (from .cache/servers/ckan)
    tcp_proxy.py                     lets a test cut the line to a server

tests/servers/install.sh installs them; if it has not been run, starting
raises ServersUnavailable with the reason.
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = Path(os.environ.get("OPENBOOK_SERVERS_CACHE") or ROOT / ".cache" / "servers")  # as install.sh
MOTO_BIN = CACHE / "moto" / "bin" / "moto_server"
CKAN_PY = CACHE / "ckan" / "bin" / "python"
INSTALL_HINT = "run `bash tests/servers/install.sh` (or `make servers-install`) first"


class ServersUnavailable(RuntimeError):
    """The servers are not installed on this machine."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Proc:
    """A child process with a log file, stopped by its pid."""

    def __init__(self, name: str, cmd: list[str], log: Path, env: Optional[dict] = None,
                 user: Optional[str] = None, cwd: Optional[Path] = None, stop_signal=signal.SIGTERM):
        self.name, self.cmd, self.log, self.stop_signal = name, cmd, log, stop_signal
        kwargs = {}
        if user:
            pw = pwd.getpwnam(user)
            kwargs.update(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
        self._log_fh = open(log, "ab")
        self.popen = subprocess.Popen(cmd, stdout=self._log_fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env=env, cwd=cwd, start_new_session=True, **kwargs)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_stop(self) -> None:
        """Ask it to stop (its stop signal) without waiting."""
        if self.alive():
            try:
                os.kill(self.pid, self.stop_signal)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = 10) -> None:
        self.signal_stop()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait(5)
        self._log_fh.close()

    def kill(self) -> None:
        """Stop it hard, as a crash or a pulled cable would (SIGKILL)."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait(5)
        self._log_fh.close()


def wait_for(check: Callable[[], bool], proc: Proc, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{what} exited while starting (code {proc.popen.returncode}):\n{_tail(proc.log)}")
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.1)
    proc.stop()
    raise RuntimeError(f"{what} was not ready after {timeout:.0f} s:\n{_tail(proc.log)}")


def _http_ok(url: str) -> Callable[[], bool]:
    return lambda: requests.get(url, timeout=2).status_code < 500


# --- S3 -------------------------------------------------------------------------------

class MotoServer:
    def __init__(self, workdir: Path):
        if not MOTO_BIN.exists():
            raise ServersUnavailable(f"moto is not installed ({MOTO_BIN} missing): {INSTALL_HINT}")
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: Optional[Proc] = None

    def start(self) -> "MotoServer":
        self.proc = Proc("moto", [str(MOTO_BIN), "-H", "127.0.0.1", "-p", str(self.port)],
                         self.workdir / "moto.log")
        wait_for(_http_ok(f"{self.url}/moto-api/"), self.proc, 30, "moto_server")
        return self

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


class TcpProxy:
    """127.0.0.1:<port> forwarded to target_port. stop() cuts the line; start() restores it."""

    def __init__(self, target_port: int, workdir: Path):
        self.target_port, self.workdir = target_port, workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: Optional[Proc] = None

    def start(self) -> "TcpProxy":
        self.proc = Proc("proxy", [sys.executable, str(HERE / "tcp_proxy.py"), str(self.port), str(self.target_port)],
                         self.workdir / f"proxy-{self.port}.log")

        def ready():
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        wait_for(ready, self.proc, 10, "tcp_proxy")
        return self

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()


# --- CKAN and what it needs -----------------------------------------------------------------

def _pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pg_config = shutil.which("pg_config")
        if pg_config:
            bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
            if (Path(bindir) / "initdb").exists():
                return Path(bindir)
        raise ServersUnavailable(f"PostgreSQL server binaries not found: {INSTALL_HINT}")
    return Path(found[-1]).parent


class Postgres:
    """A private cluster in a temporary folder. PostgreSQL refuses to run as
    root, so as root it runs as the 'postgres' user Debian's package creates."""

    def __init__(self, workdir: Path):
        self.bindir = _pg_bindir()
        self.workdir = workdir
        self.user = "postgres" if os.geteuid() == 0 else None
        self.data = workdir / "pgdata"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/ckan"
        self.proc: Optional[Proc] = None

    def _run(self, cmd: list[str]) -> None:
        kwargs = {}
        if self.user:
            pw = pwd.getpwnam(self.user)
            kwargs.update(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=self.workdir, **kwargs)
        if out.returncode:
            raise RuntimeError(f"{cmd[0]} failed: {out.stdout}{out.stderr}")

    def start(self) -> "Postgres":
        self.data.mkdir()
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.data, pw.pw_uid, pw.pw_gid)
            os.chmod(self.workdir, 0o755)
        self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                   "-E", "UTF8", "--locale=C", "--no-sync"])
        self.proc = Proc("postgres", [str(self.bindir / "postgres"), "-D", str(self.data), "-h", "127.0.0.1",
                                      "-p", str(self.port), "-k", str(self.data),
                                      "-c", "fsync=off", "-c", "synchronous_commit=off",
                                      "-c", "full_page_writes=off"],
                         self.workdir / "postgres.log", user=self.user, stop_signal=signal.SIGINT)
        ready = [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        wait_for(lambda: subprocess.run(ready).returncode == 0, self.proc, 30, "PostgreSQL")
        out = subprocess.run([str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                              "-q", "-c", "CREATE DATABASE ckan"], capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"could not create the ckan database: {out.stderr}")
        return self

    def stop(self) -> None:
        if self.proc:
            self.proc.stop(timeout=20)  # SIGINT: PostgreSQL's fast shutdown


class Redis:
    def __init__(self, workdir: Path):
        self.bin = shutil.which("redis-server")
        if not self.bin:
            raise ServersUnavailable(f"redis-server not found: {INSTALL_HINT}")
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: Optional[Proc] = None

    def start(self) -> "Redis":
        self.proc = Proc("redis", [self.bin, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                                   "--appendonly", "no", "--daemonize", "no", "--dir", str(self.workdir)],
                         self.workdir / "redis.log")

        def ready():
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        wait_for(ready, self.proc, 20, "Redis")
        return self

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


class SolrStandin:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/solr/ckan"
        self.proc: Optional[Proc] = None

    def start(self) -> "SolrStandin":
        self.proc = Proc("solr", [sys.executable, str(HERE / "solr_standin.py"), str(self.port)],
                         self.workdir / "solr.log")
        wait_for(_http_ok(f"{self.url}/admin/ping"), self.proc, 10, "the Solr stand-in")
        return self

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


class Ckan:
    """CKAN with its database, Redis and the Solr stand-in. ``stop_ckan`` and
    ``start_ckan`` stop and restart only the web server (the data stays)."""

    ORG = "anytown-borough-council"

    def __init__(self, workdir: Path, max_resource_size_mb: int = 1):
        if not CKAN_PY.exists():
            raise ServersUnavailable(f"CKAN is not installed ({CKAN_PY} missing): {INSTALL_HINT}")
        self.workdir = workdir
        self.max_resource_size_mb = max_resource_size_mb
        self.postgres = Postgres(workdir)
        self.redis = Redis(workdir)
        self.solr = SolrStandin(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ini = workdir / "ckan.ini"
        self.token = ""
        self.proc: Optional[Proc] = None

    def start(self) -> "Ckan":
        started = time.monotonic()
        self.solr.start()
        self.redis.start()
        self.postgres.start()
        storage = self.workdir / "filestore"
        storage.mkdir()
        template = (HERE / "ckan.ini.in").read_text()
        self.ini.write_text(template.format(
            secret=secrets.token_urlsafe(24), db_url=self.postgres.url, site_url=self.url,
            solr_url=self.solr.url, redis_url=self.redis.url, storage_path=storage,
            max_resource_size=self.max_resource_size_mb))
        token_file = self.workdir / "token"
        self.start_ckan(bootstrap=token_file)
        self.token = token_file.read_text().strip()
        resp = requests.post(f"{self.url}/api/3/action/organization_create", timeout=30,
                             headers={"Authorization": self.token},
                             json={"name": self.ORG, "title": "Anytown Borough Council"})
        if resp.status_code != 200:
            raise RuntimeError(f"organization_create failed: {resp.status_code} {resp.text[:300]}")
        self.startup_seconds = time.monotonic() - started
        return self

    def start_ckan(self, bootstrap: Optional[Path] = None) -> None:
        cmd = [str(CKAN_PY), str(HERE / "ckan_serve.py"), str(self.ini), str(self.port)]
        if bootstrap:
            cmd += ["--bootstrap", str(bootstrap)]
        self.proc = Proc("ckan", cmd, self.workdir / "ckan.log", cwd=self.workdir)
        wait_for(_http_ok(f"{self.url}/api/3/action/status_show"), self.proc, 90, "CKAN")

    def stop_ckan(self) -> None:
        if self.proc:
            self.proc.kill()

    def stop(self) -> None:
        procs = [p for p in (self.proc, self.solr.proc, self.redis.proc, self.postgres.proc) if p is not None]
        for p in procs:  # all at once, then wait for each
            p.signal_stop()
        for p in procs:
            try:
                p.stop(timeout=20)
            except Exception:  # keep stopping the others
                pass
