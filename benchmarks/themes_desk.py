"""Benchmark: how fast the desk's Where customers fail page answers, now and at a baseline.

    .venv/bin/python benchmarks/themes_desk.py --customers 20000 --baseline aec3a41

The sample operator (the demo's size by default) is written and ingested once. Then, for
the baseline commit (its ``src`` exported with ``git archive``) and for this checkout, each
in processes of its own, on the same ledger:

- **cold**: the app starts as ``goodwill serve`` starts it (with ``keep_warm`` where the
  code has it) on a snapshot with no kept report; a member of staff signs in and opens
  ``/desk/themes``: the first answer's time and whether it said "being worked out", the
  seconds from start until the themes are shown, and the median of five later visits;
- **visit**: the same with no report kept and nothing built ahead (a new day, or a new
  snapshot, before ``keep_warm`` has looked): a visit starts the fit itself;
- **restart**: a new process on the same snapshot (a restarted server, or a second
  worker): the first visit's time.

Times are wall-clock seconds of one ``httpx`` GET against uvicorn on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
PASSWORD = "benchmark-password-1"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(folder: Path, customers: int) -> None:
    from goodwill.ledger.ingest import ingest
    from goodwill.sample import write_sample
    from goodwill.settings import Settings

    write_sample(folder / "source", customers=customers, months=12, seed=7)
    ingest(folder / "source", Settings(data_dir=folder / "data"))


def _store(url: str) -> None:
    from datetime import UTC, datetime

    from goodwill.store import make_engine, session_factory, upgrade
    from goodwill.store.staff import add_staff_user
    from goodwill.web.security import hash_password

    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        add_staff_user(session, email="bench@care.example", name="Bench", role="agent",
                       password_hash=hash_password(PASSWORD), now=datetime.now(UTC))  # fmt: skip
    engine.dispose()


def _measure(data: Path, store_url: str, phase: str) -> dict[str, Any]:
    """One phase in this process (the code on sys.path is the code measured)."""
    import httpx
    import uvicorn

    from goodwill.settings import Settings
    from goodwill.web.app import create_app

    settings = Settings(data_dir=data, store_url=store_url, web_delivery_interval_seconds=0)
    started = time.perf_counter()
    try:
        from goodwill.web.views.themes_build import keep_warm
    except ImportError:  # a baseline from before the report was built ahead
        keep_warm = None
    if phase == "cold" and keep_warm is not None:
        keep_warm(settings)  # as goodwill serve does
    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=port, log_level="warning"))
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
        login = client.get("/desk/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token, "no CSRF token on the login page"
        client.post("/desk/login", data={"email": "bench@care.example", "password": PASSWORD,
                                         "csrf_token": token.group(1)})  # fmt: skip

        def visit() -> tuple[float, bool]:
            t = time.perf_counter()
            page = client.get("/desk/themes")
            assert page.status_code == 200, page.status_code
            return time.perf_counter() - t, 'id="themes-building"' in page.text

        first, building = visit()
        result: dict[str, Any] = {"phase": phase, "first_s": first, "first_said_building": building}
        while building:
            time.sleep(0.5)
            _, building = visit()
        result["ready_after_start_s"] = time.perf_counter() - started
        if phase != "restart":
            result["later_median_s"] = statistics.median(visit()[0] for _ in range(5))
    server.should_exit = True
    serving.join()  # requests close their ledgers before the process ends
    return result


def _run(src: Path, data: Path, store_url: str, phase: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--data", str(data), "--store", store_url],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _export(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"],
                             capture_output=True, check=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--baseline", default=None, help="a commit to measure side by side")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_measure(args.data, args.store, args.phase)))
        return
    with tempfile.TemporaryDirectory(prefix="themes-desk-") as tmp:
        root = Path(tmp)
        _prepare(root, args.customers)
        data = root / "data"
        snapshot = (data / "ledger").resolve()
        versions = {"this checkout": ROOT / "src"}
        if args.baseline:
            (root / "baseline").mkdir()
            versions = {f"baseline {args.baseline}": _export(args.baseline, root / "baseline"),
                        **versions}  # fmt: skip
        with open("/proc/loadavg") as f:
            load = f.read().split()[:3]
        print(f"customers {args.customers:,}; load average {' '.join(load)}")
        for name, src in versions.items():
            store = f"sqlite:///{root / (name.replace(' ', '-') + '.sqlite')}"
            _store(store)
            for phase in ("cold", "visit", "restart"):
                if phase != "restart":
                    shutil.rmtree(snapshot / "_themes", ignore_errors=True)
                print(name, json.dumps(_run(src, data, store, phase)), flush=True)


if __name__ == "__main__":
    main()
