"""Private servers for the fault tests, each on a free loopback port in a directory of its own: a
Redis without persistence, a PostgreSQL cluster, a small tmpfs. Tests start, stop and restart these
as they like; the machine's shared PostgreSQL and Redis are never touched.

A program or a permission that is missing skips the test with the reason; with CI set it fails
instead, so that a missing server never passes for a tested fault (as tests/conftest.py does).
"""

import contextlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import free_port

WAIT = 60  # seconds: a guard against a server that never comes up, never a measurement


def unavailable(message: str):
    """Skips the test, saying what is missing; in CI, fails it."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def wait_until(condition, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


def stop_process(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RedisServer:
    """redis-server on a free port with no persistence: after a restart it is empty."""

    def __init__(self, directory: Path):
        self.program = shutil.which("redis-server") or unavailable(
            "redis-server is not installed (Debian: apt-get install redis-server): the Redis restart "
            "test starts its own."
        )
        self.directory = directory
        self.port = free_port()
        self.log = directory / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def start(self) -> None:
        # `--save ""` and `--appendonly no`: nothing is written to disk, as on a cache-only Redis.
        argv = [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--dir", str(self.directory), "--logfile", str(self.log)]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        import redis

        if self.process.poll() is not None:
            pytest.fail(f"redis-server exited with {self.process.returncode}:\n{self.log.read_text()}")
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def shutdown_nosave(self) -> None:
        """SHUTDOWN NOSAVE: the server exits, and whatever it held in memory is gone."""
        import redis

        with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it goes
            self.client().shutdown(nosave=True)
        self.process.wait(WAIT)

    def stop(self) -> None:
        stop_process(self.process)


class PostgresCluster:
    """A PostgreSQL cluster of its own: initdb in a directory owned by the postgres user (initdb and the
    server refuse to run as root), a random password for its superuser, the server on a free port on
    127.0.0.1 with its socket in that directory."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.as_postgres = _as_postgres_user()
        # Under /tmp, not pytest's directories: those are root's alone, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="clipdesk-pg-"))
        self._give_to_postgres(self.root)
        self.data = self.root / "data"
        self.port = free_port()
        self.password = secrets.token_urlsafe(18)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._give_to_postgres(pwfile)
        try:
            auth = ["-U", "postgres", "--auth=scram-sha-256", f"--pwfile={pwfile}"]
            self._run("initdb", "-D", str(self.data), *auth, "-E", "UTF8", "--locale=C")
        finally:
            pwfile.unlink()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = self.root / "server.log"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(log), "-o", options, "-w", "-t", str(WAIT), "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(WAIT), "stop")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def remove(self) -> None:
        """Stops the server if it runs, and removes the cluster."""
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        argv = [*self.as_postgres, str(self.bin / program), *args]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=WAIT * 2, cwd=self.root)
        if check:
            said = f"{done.stdout}\n{done.stderr}\n{self.log()}"
            assert done.returncode == 0, f"{program} {' '.join(args)} failed:\n{said}"
        return done

    def _give_to_postgres(self, path: Path) -> None:
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    unavailable(
        "PostgreSQL's server programs (initdb, pg_ctl) are not installed (Debian: apt-get install "
        "postgresql): the PostgreSQL restart test starts a cluster of its own."
    )


def _as_postgres_user() -> list[str]:
    """How to run the server's programs: as the postgres user when we are root, else as ourselves."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root, but there is no postgres user to run PostgreSQL as")
    runuser = shutil.which("runuser") or unavailable("running as root, but runuser is not installed")
    return [runuser, "-u", "postgres", "--"]


@contextlib.contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "8m") mounted at `mountpoint`, unmounted afterwards whatever happened."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        unavailable(
            f"cannot mount a tmpfs at {mountpoint} ({mounted.stderr.strip() or mounted.returncode}): "
            "the disk-full test needs root (or CAP_SYS_ADMIN) to make a small disk"
        )
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(mountpoint)], check=True)  # still busy: detach it
