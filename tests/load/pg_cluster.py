"""A throwaway PostgreSQL cluster of its own, on a free port in a temporary folder, that a
fault test may restart: never the shared server on 5432.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` user
(``runuser -u postgres``). The folder is removed when the cluster stops.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.conftest import free_port


def postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None when PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def missing_reason() -> str | None:
    """Why a throwaway cluster cannot be made here, or None when it can."""
    if postgres_bin() is None:
        return "initdb and pg_ctl are not installed (PostgreSQL's server binaries)"
    if os.geteuid() == 0 and (shutil.which("runuser") is None or _uid("postgres") is None):
        return "running as root, and there is no postgres user (or runuser) to own a cluster"
    return None


def _uid(user: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


@dataclass
class Cluster:
    """A running throwaway cluster; ``url`` is its ``postgres`` database."""

    bin: Path
    folder: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str, timeout_s: float = 60) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        command = [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data")]
        command += ["-l", str(self.folder / "log"), "-o", options, "-w", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout_s)

    def restart(self, while_down: Callable[[], None] | None = None) -> float:
        """What ``pg_ctl restart -m fast`` does, in its two steps: stop fast (sessions are
        ended, the server shuts down), then start; ``while_down`` runs between the two, so
        a test can see what a client gets while the store is away. Returns the seconds the
        server was away."""
        start = time.monotonic()
        self.pg_ctl("stop", "-m", "fast")
        try:
            if while_down is not None:
                while_down()
        finally:
            self.pg_ctl("start")
        return time.monotonic() - start

    def log(self) -> str:
        path = self.folder / "log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """initdb into a temporary folder, start on a free port; stop and remove afterwards."""
    folder_bin = postgres_bin()
    if folder_bin is None:
        raise RuntimeError(missing_reason())
    folder = Path(tempfile.mkdtemp(prefix="gw-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        uid = _uid("postgres")
        assert uid is not None, missing_reason()
        os.chown(folder, uid, -1)
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(folder_bin, folder, free_port(), as_user)
    try:
        initdb = [*as_user, str(folder_bin / "initdb"), "-D", str(folder / "data")]
        initdb += ["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]
        subprocess.run(initdb, check=True, capture_output=True, timeout=120)
        cluster.pg_ctl("start")
        yield cluster
    finally:
        # never started, or already stopped: nothing to stop
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)
