"""Benchmark: the SB sandbox against Prism, both serving SB 6.0.0 on loopback.

Not a test; never run by the test suite. Prism is installed with npm into a cache folder
(never into this repository) and serves the normalised 6.0.0 document, written to a temporary
file. The sandbox runs as a separate process (`sb-readiness sandbox`), so the load generator
does not share its interpreter. Both get the same keep-alive load from N concurrent httpx
clients, alternating servers round by round so machine noise hits both:

- GET  /api/ledgeraccounts?skip=100&take=100&sortField=Id ascending   (a paged read)
- POST /api/salesjournalentry with a valid body, a fresh Tracking-Identifier and a unique
  invoice number per request                                          (a write)

Run:  .venv/bin/python benchmarks/sandbox_vs_prism.py [--requests 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sbready.spec.resolve import load_index, load_spec  # noqa: E402

SB_VERSION = "6.0.0"
PRISM_PACKAGE = "@stoplight/prism-cli"
PRISM_VERSION = "5.16.0"
READY_TIMEOUT_S = 60.0
INSTALL_TIMEOUT_S = 600.0
REQUEST_TIMEOUT_S = 10.0
PAGED_PATH = "/api/ledgeraccounts"
PAGED_QUERY = {"skip": "100", "take": "100", "sortField": "Id ascending"}
WRITE_PATH = "/api/salesjournalentry"
RELATIONS_PATH = "/api/organisations"  # where the write body's RelationId comes from


@dataclass
class Server:
    """One server under load: where its SB environment is and what to send it."""

    name: str
    base_url: str  # the environment root; /api/... is appended
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    """Latencies (seconds), errors and wall time of one server on one endpoint."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)

    def add_error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 3:
            self.error_samples.append(what)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def install_prism(cache: Path, version: str) -> Path:
    """The prism executable, installed with npm into `cache` on first use."""
    prefix = cache / f"prism-cli-{version}"
    executable = prefix / "node_modules" / ".bin" / "prism"
    if executable.exists():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed; install Node.js (with npm) to run Prism.")
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"installing {PRISM_PACKAGE}@{version} into {prefix} ...", flush=True)
    command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
               "--no-save", f"{PRISM_PACKAGE}@{version}"]
    try:
        subprocess.run(command, check=True, timeout=INSTALL_TIMEOUT_S,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"npm could not install Prism:\n{error.stderr}") from None
    except subprocess.TimeoutExpired:
        raise SystemExit(f"npm did not install Prism within {INSTALL_TIMEOUT_S:.0f} s") from None
    if not executable.exists():
        raise SystemExit(f"npm finished but {executable} does not exist")
    return executable


@contextmanager
def running(command: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[None]:
    """Run `command` in its own process group; stop that group (and only it) on exit."""
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True)
    try:
        yield
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def wait_until_ready(url: str, log: Path) -> None:
    """Poll `url` until the server answers anything; exit with its log if it never does."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {READY_TIMEOUT_S:.0f} s; log:\n"
                     + log.read_text(errors="replace")[-3000:])


def sandbox_base_url(log: Path) -> str:
    """The base URL the sandbox prints in its banner."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        found = re.search(r"^base URL: (\S+)$", log.read_text(errors="replace"), re.MULTILINE)
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise SystemExit("the sandbox printed no base URL; log:\n" + log.read_text()[-3000:])


# --- requests ---------------------------------------------------------------------------------


def access_token(environment_url: str, app_token: str) -> str:
    """The app-token flow: POST getaccesstoken with the activated app token."""
    answer = httpx.post(f"{environment_url}/authentication/getaccesstoken",
                        json={"apptoken": app_token}, timeout=REQUEST_TIMEOUT_S)
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def write_template(sandbox: Server, versions: dict[str, str]) -> dict[str, Any]:
    """A valid sales journal entry built from the sandbox's own seeded data."""
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers,
                      timeout=REQUEST_TIMEOUT_S) as http:
        accounts = http.get(PAGED_PATH, params={"take": "1"},
                            headers={"Accept-Version": versions[PAGED_PATH]}).json()
        organisations = http.get(RELATIONS_PATH, params={"take": "1"},
                                 headers={"Accept-Version": versions[RELATIONS_PATH]}).json()
    account = _records(accounts)[0]
    organisation = _records(organisations)[0]
    body = {
        "AdministrationId": account["AdministrationId"],
        "InvoiceDate": "2025-01-31",
        "InvoiceNumber": "BENCH-0",
        "RelationType": "organisation",
        "RelationId": organisation["Id"],
        "Description": "benchmark",
        "PaymentMethod": "banktransfer",
        "InvoiceLine": [{"LedgerAccountId": account["Id"], "AmountExcludingVat": 100.0,
                         "AmountVat": 21.0, "VatType": "high", "Description": "line"}],
    }
    check = httpx.post(f"{sandbox.base_url}{WRITE_PATH}", json=body, timeout=REQUEST_TIMEOUT_S,
                       headers={**sandbox.headers, "Accept-Version": versions[WRITE_PATH]})
    result = check.json().get("result") if check.status_code == 200 else None
    if result not in ("Succeeded", "PartiallySucceeded"):
        raise SystemExit(f"the benchmark's write body is not accepted: {check.status_code} "
                         f"{check.text[:500]}")
    return body


def _records(answer: Any) -> list[dict[str, Any]]:
    return answer["Result"] if isinstance(answer, dict) else answer


Request = Callable[[int], tuple[str, str, dict[str, str], dict[str, Any] | None]]


def paged_read(version: str) -> Request:
    def build(_: int) -> tuple[str, str, dict[str, str], dict[str, Any] | None]:
        return "GET", PAGED_PATH, {"Accept-Version": version}, None

    return build


def sales_write(template: dict[str, Any], version: str, run_id: str) -> Request:
    def build(number: int) -> tuple[str, str, dict[str, str], dict[str, Any] | None]:
        body = {**template, "InvoiceNumber": f"B{run_id}-{number}"}
        headers = {"Accept-Version": version, "Tracking-Identifier": str(uuid.uuid4())}
        return "POST", WRITE_PATH, headers, body

    return build


async def load(server: Server, request: Request, count: int, concurrency: int,
               time_limit: float, first_number: int, tally: Tally) -> None:
    """`count` requests from `concurrency` keep-alive clients, stopping at `time_limit` s."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    issued = 0
    started = time.perf_counter()
    deadline = started + time_limit
    async with httpx.AsyncClient(base_url=server.base_url, headers=server.headers,
                                 limits=limits, timeout=REQUEST_TIMEOUT_S) as http:

        async def worker() -> None:
            nonlocal issued
            while issued < count and time.perf_counter() < deadline:
                number = first_number + issued
                issued += 1
                method, path, headers, body = request(number)
                params = PAGED_QUERY if method == "GET" else None
                sent = time.perf_counter()
                try:
                    answer = await http.request(method, path, params=params, headers=headers,
                                                json=body)
                except httpx.HTTPError as error:
                    tally.add_error(f"{type(error).__name__}: {error}")
                    continue
                if answer.status_code != 200:
                    tally.add_error(f"{answer.status_code} {answer.text[:200]}")
                    continue
                tally.latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    tally.seconds += time.perf_counter() - started


# --- the run ----------------------------------------------------------------------------------


def accept_versions(spec_file: str) -> dict[str, str]:
    """The Accept-Version of each path the benchmark calls, from the spec's operationIds."""
    index = load_index(spec_file)
    wanted = (("GET", PAGED_PATH), ("GET", RELATIONS_PATH), ("POST", WRITE_PATH))
    versions = {}
    for method, path in wanted:
        operation = index.match(method, path)
        if operation is None:
            raise SystemExit(f"SB {SB_VERSION} has no {method} {path}")
        versions[path] = operation.accept_version or "1"
    return versions


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec-dir", default=os.environ.get("SB_SPEC_DIR"),
                        help="folder with AFAS's 6.0.0.json (default: $SB_SPEC_DIR)")
    parser.add_argument("--requests", type=int, default=2000,
                        help="requests per server and endpoint, over all rounds (default 2000)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="concurrent keep-alive clients (default 16)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds alternating the servers (default 4)")
    parser.add_argument("--time-limit", type=float, default=30.0,
                        help="seconds at most per server, endpoint and round (default 30)")
    parser.add_argument("--prism-version", default=PRISM_VERSION)
    parser.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "sb-readiness"),
                        help="where npm installs Prism (default ~/.cache/sb-readiness)")
    arguments = parser.parse_args(argv)
    if not arguments.spec_dir or not (Path(arguments.spec_dir) / f"{SB_VERSION}.json").is_file():
        parser.error(f"--spec-dir (or SB_SPEC_DIR) must name a folder with {SB_VERSION}.json")
    if arguments.requests < arguments.rounds or arguments.concurrency < 1:
        parser.error("--requests must be at least --rounds and --concurrency at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Serve both, load both, print the table."""
    arguments = parse_arguments(argv)
    spec_file = Path(arguments.spec_dir) / f"{SB_VERSION}.json"
    versions = accept_versions(str(spec_file))
    prism = install_prism(Path(arguments.cache_dir).expanduser(), arguments.prism_version)
    app_token = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory(prefix="sb-bench-") as scratch:
        folder = Path(scratch)
        spec_copy = folder / f"sb-{SB_VERSION}-normalised.json"
        spec_copy.write_text(json.dumps(load_spec(str(spec_file)).document))
        prism_port = free_port()
        prism_log, sandbox_log = folder / "prism.log", folder / "sandbox.log"
        sandbox_command = [sys.executable, "-m", "sbready.cli", "sandbox", "--port", "0",
                           "--spec", str(spec_file), "--dialect", "schema",
                           f"--app-token={app_token}"]  # a token may start with -
        prism_command = [str(prism), "mock", "-h", "127.0.0.1", "-p", str(prism_port),
                         str(spec_copy)]
        with running(sandbox_command, sandbox_log), running(prism_command, prism_log):
            environment_url = sandbox_base_url(sandbox_log) + "/demo"
            wait_until_ready(environment_url + "/api/administrations", sandbox_log)
            prism_url = f"http://127.0.0.1:{prism_port}"
            wait_until_ready(prism_url + PAGED_PATH, prism_log)
            tallies = run_rounds(arguments, environment_url, prism_url, app_token, versions)
    print_table(tallies, arguments)
    return 0


def run_rounds(
    arguments: argparse.Namespace,
    environment_url: str,
    prism_url: str,
    app_token: str,
    versions: dict[str, str],
) -> dict[tuple[str, str], Tally]:
    """Alternate the servers round by round on both endpoints; tallies per (server, endpoint)."""
    sandbox = Server("sandbox", environment_url)
    # Prism does not check tokens; it only wants a credential of a documented scheme.
    prism = Server("prism", prism_url, {"Authorization": "Bearer prism-ignores-this"})
    sandbox.headers = {"Authorization": f"Bearer {access_token(environment_url, app_token)}"}
    template = write_template(sandbox, versions)
    run_id = secrets.token_hex(3)
    endpoints = {
        "GET ledgeraccounts (paged)": paged_read(versions[PAGED_PATH]),
        "POST salesjournalentry": sales_write(template, versions[WRITE_PATH], run_id),
    }
    tallies = {(s.name, e): Tally() for s in (sandbox, prism) for e in endpoints}
    per_round = arguments.requests // arguments.rounds
    numbers = 1
    for round_number in range(arguments.rounds):
        # a fresh token each round: app-token access tokens live 600 s
        sandbox.headers = {"Authorization": f"Bearer {access_token(environment_url, app_token)}"}
        order = (sandbox, prism) if round_number % 2 == 0 else (prism, sandbox)
        for endpoint, request in endpoints.items():
            for server in order:
                tally = tallies[server.name, endpoint]
                asyncio.run(load(server, request, per_round, arguments.concurrency,
                                 arguments.time_limit, numbers, tally))
                numbers += per_round
        print(f"round {round_number + 1}/{arguments.rounds} done", flush=True)
    return tallies


def print_table(tallies: dict[tuple[str, str], Tally], arguments: argparse.Namespace) -> None:
    """server, endpoint, requests, req/s, p50 ms, p99 ms, errors; then sandbox/prism ratios."""
    print(f"\nSB {SB_VERSION}, {arguments.concurrency} concurrent keep-alive clients, "
          f"{arguments.rounds} alternating rounds, loopback")
    header = f"{'server':8} {'endpoint':28} {'requests':>8} {'req/s':>8} {'p50 ms':>8} " \
             f"{'p99 ms':>8} {'errors':>6}"
    print(header)
    print("-" * len(header))
    for (server, endpoint), tally in tallies.items():
        print(f"{server:8} {endpoint:28} {tally.requests:8d} {tally.per_second:8.1f} "
              f"{tally.percentile_ms(0.5):8.2f} {tally.percentile_ms(0.99):8.2f} "
              f"{tally.errors:6d}")
    print()
    for endpoint in sorted({endpoint for _, endpoint in tallies}):
        ours, theirs = tallies["sandbox", endpoint], tallies["prism", endpoint]
        ratio = ours.per_second / theirs.per_second if theirs.per_second else float("nan")
        median = statistics.median(ours.latencies) / statistics.median(theirs.latencies) \
            if ours.latencies and theirs.latencies else float("nan")
        print(f"sandbox/prism {endpoint}: throughput x{ratio:.2f}, p50 latency x{median:.2f}")
    for (server, endpoint), tally in tallies.items():
        for sample in tally.error_samples:
            print(f"error sample {server} {endpoint}: {sample}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
