"""Benchmark: the SB sandbox against Prism, both serving SB 6.0.0 on loopback, measured by wrk.

Not a test; never run by the test suite. The load generator is wrk (C, keep-alive, one thread,
16 connections by default), not Python, so it is not the bottleneck: every round first measures
wrk against a trivial endpoint (a canned 2-byte answer) and prints that ceiling beside the
servers' figures. Prism is installed with npm into a cache folder (never into this repository)
and serves the normalised 6.0.0 document, written to a temporary file; wrk comes from Debian
(`apt-get install -y wrk`, done here when apt-get is there and we may). The sandbox runs as its
users run it: `sb-readiness sandbox` in its own process, observed dialect, journal on.

Endpoints, alternating the servers round by round so machine noise hits both:

- GET  /api/ledgeraccounts?skip=100&take=100&sortField=Id ascending   (a paged read)
- GET  the same with take=2                       (about the payload of Prism's canned answer)
- POST /api/salesjournalentry, a valid body with a unique invoice number and a unique
  Tracking-Identifier per request                                     (a write)

Then a sustained load (`--sustain` s of the paged GET) with the sandbox's memory before and
after, and the scale table: the sandbox started with `--records N` for each `--scales` N,
a page of 100 organisations from the middle, sorted and unsorted, with its memory.

Run:  .venv/bin/python benchmarks/sandbox_vs_prism.py [--duration 8] [--rounds 3]
      [--connections 16] [--sustain 30] [--scales 1000,10000,100000] [--sandbox-tree DIR]
(`--sandbox-tree DIR` serves the sandbox from another checkout, e.g. `git archive` of an
older commit, to measure before and after in one run.)
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
from collections.abc import Iterator
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
SCALE_READY_TIMEOUT_S = 600.0  # seeding and projecting 100,000 records takes a while
INSTALL_TIMEOUT_S = 600.0
REQUEST_TIMEOUT_S = 10.0
PAGED_PATH = "/api/ledgeraccounts"
PAGED_QUERY = "skip=100&take=100&sortField=Id%20ascending"
SMALL_QUERY = "skip=100&take=2&sortField=Id%20ascending"
WRITE_PATH = "/api/salesjournalentry"
RELATIONS_PATH = "/api/organisations"  # where the write body's RelationId comes from
INVOICE_MARK = "@INVOICE@"


@dataclass
class Server:
    """One server under load: where its SB environment is and what to send it."""

    name: str
    base_url: str  # the environment root; /api/... is appended
    pid: int = 0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """What one wrk run reported."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and non-2xx answers
    unexpected: int = 0  # 200 answers to a write that do not say Succeeded

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Tally:
    """The runs of one server on one endpoint, round by round."""

    runs: list[Run] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def per_second(self) -> float:
        seconds = sum(run.seconds for run in self.runs)
        return self.requests / seconds if seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(run.p50_ms for run in self.runs) if self.runs else float("nan")

    @property
    def p99_ms(self) -> float:
        return statistics.median(run.p99_ms for run in self.runs) if self.runs else float("nan")

    @property
    def errors(self) -> int:
        return sum(run.errors + run.unexpected for run in self.runs)


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
def running(command: list[str], log: Path, env: dict[str, str] | None = None,
            cwd: str | None = None) -> Iterator[int]:
    """Run `command` in its own process group (yields its pid); stop that group on exit."""
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   env=env, cwd=cwd, start_new_session=True)
    try:
        yield process.pid
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


def install_wrk() -> str:
    """The wrk executable; installed with apt-get when it is missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise SystemExit("wrk is not installed; install it with: sudo apt-get install -y wrk")
    print("installing wrk with apt-get ...", flush=True)
    try:
        subprocess.run([apt, "install", "-y", "wrk"], check=True, timeout=INSTALL_TIMEOUT_S,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        raise SystemExit(f"apt-get could not install wrk ({error}); "
                         "install it with: sudo apt-get install -y wrk") from None
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get finished but wrk is not on PATH")
    return found


def memory_mb(pid: int) -> float:
    """Resident memory (MB) of the process group led by `pid` (Prism may fork workers)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pid:  # field 5 of stat: the process group
                continue
            status = (entry / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total_kb += int(found.group(1)) if found else 0
    return total_kb / 1024


# --- the trivial endpoint (the generator's ceiling) -------------------------------------------


class _Canned(asyncio.Protocol):
    """Answers every request head with the same 2-byte JSON body, on a kept-alive connection."""

    ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
              b"\r\n{}")

    def connection_made(self, transport: Any) -> None:  # uvloop's is no asyncio.Transport
        self.transport = transport
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        self.pending += data
        heads = self.pending.count(b"\r\n\r\n")  # GETs only: no request bodies
        if heads:
            self.pending = self.pending.rsplit(b"\r\n\r\n", 1)[1]
            self.transport.write(self.ANSWER * heads)


def serve_trivial(port: int) -> None:
    """Serve the canned answer on 127.0.0.1:port until killed (uvloop when installed)."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(_Canned, "127.0.0.1", port))
    try:
        loop.run_forever()
    finally:
        server.close()


# --- wrk ----------------------------------------------------------------------------------------

_REPORTER = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do unexpected = unexpected + (thread:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,' ..
    '"unexpected":%d}\n', summary.requests, summary.duration,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
    e.connect + e.read + e.write + e.status + e.timeout, unexpected))
end
"""

_WRITER = r"""
local counter, bad, prefix = 0, 0, ""
function init(args)
  prefix = args[1]
  bad = 0
end
function request()
  counter = counter + 1
  local number = string.format("B%s-%d-%d", prefix, tid, counter)
  local body = string.gsub(TEMPLATE, "@INVOICE@", number)
  -- a unique, well-formed uuid per request: run, thread and counter in its digits
  wrk.headers["Tracking-Identifier"] = string.format("%s-%04x-4000-8000-%012x", prefix, tid,
                                                     counter)
  return wrk.format("POST", PATH, nil, body)
end
"""

_CHECKER = r"""
function response(status, headers, body)
  if status == 200 and not string.find(body, "Succeeded", 1, true) then bad = bad + 1 end
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 4
    return f"[{level}[{text}]{level}]"


def wrk_script(folder: Path, headers: dict[str, str], *, write: tuple[str, str] | None = None,
               check_result: bool = False) -> Path:
    """A wrk Lua script: the headers, the reporter, and for a write its body template."""
    lines = [f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()]
    if write is not None:
        path, template = write
        lines += ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"',
                  f"PATH = {_lua_string(path)}", f"TEMPLATE = {_lua_string(template)}", _WRITER]
        if check_result:
            lines.append(_CHECKER)
    lines.append(_REPORTER)
    script = folder / f"wrk-{secrets.token_hex(4)}.lua"
    script.write_text("\n".join(lines))
    return script


def run_wrk(wrk: str, url: str, script: Path, duration: float, connections: int,
            run_id: str = "0") -> Run:
    """One wrk run of `duration` seconds; what its reporter printed."""
    command = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s",
               f"--timeout={REQUEST_TIMEOUT_S:.0f}s", "-s", str(script), url, "--", run_id]
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=duration + 3 * REQUEST_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"wrk did not finish within {duration + 30:.0f} s on {url}") from None
    found = re.search(r"^BENCH (\{.*\})$", done.stdout, re.MULTILINE)
    if found is None:
        raise SystemExit(f"wrk printed no figures for {url}:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(found.group(1))
    return Run(figures["requests"], figures["duration_us"] / 1e6, figures["p50_us"] / 1000,
               figures["p99_us"] / 1000, figures["errors"], figures["unexpected"])


# --- SB requests --------------------------------------------------------------------------------


def access_token(environment_url: str, app_token: str) -> str:
    """The app-token flow: POST getaccesstoken with the activated app token."""
    answer = httpx.post(f"{environment_url}/authentication/getaccesstoken",
                        json={"apptoken": app_token}, timeout=REQUEST_TIMEOUT_S)
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _records(answer: Any) -> list[dict[str, Any]]:
    return answer["Result"] if isinstance(answer, dict) else answer


def write_template(environment_url: str, token: str, versions: dict[str, str]) -> str:
    """A valid sales journal entry (JSON text, INVOICE_MARK for its number) from seeded data."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=environment_url, headers=headers,
                      timeout=REQUEST_TIMEOUT_S) as http:
        accounts = http.get(PAGED_PATH, params={"take": "1"},
                            headers={"Accept-Version": versions[PAGED_PATH]}).json()
        organisations = http.get(RELATIONS_PATH, params={"take": "1"},
                                 headers={"Accept-Version": versions[RELATIONS_PATH]}).json()
        account, organisation = _records(accounts)[0], _records(organisations)[0]
        body = {
            "AdministrationId": account["AdministrationId"],
            "InvoiceDate": "2025-01-31",
            "InvoiceNumber": INVOICE_MARK,
            "RelationType": "organisation",
            "RelationId": organisation["Id"],
            "Description": "benchmark",
            "PaymentMethod": "banktransfer",
            "InvoiceLine": [{"LedgerAccountId": account["Id"], "AmountExcludingVat": 100.0,
                             "AmountVat": 21.0, "VatType": "high", "Description": "line"}],
        }
        check = http.post(WRITE_PATH, json={**body, "InvoiceNumber": "BENCH-0"},
                          headers={"Accept-Version": versions[WRITE_PATH]})
    result = check.json().get("result") if check.status_code == 200 else None
    if result not in ("Succeeded", "PartiallySucceeded"):
        raise SystemExit(f"the benchmark's write body is not accepted: {check.status_code} "
                         f"{check.text[:500]}")
    return json.dumps(body)


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


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Bench:
    """Everything a run needs: tools, folders, versions."""

    arguments: argparse.Namespace
    wrk: str
    folder: Path
    spec_file: Path
    versions: dict[str, str]
    app_token: str


def sandbox_command(bench: Bench, records: int | None = None) -> tuple[list[str], dict[str, str]]:
    """`sb-readiness sandbox` as users start it (observed dialect), and its environment.

    Run in `sandbox_folder(bench)`: `python -m` puts the working folder first on sys.path,
    so that checkout's sbready is the one served."""
    command = [sys.executable, "-m", "sbready.cli", "sandbox", "--port", "0",
               "--spec", str(bench.spec_file), f"--app-token={bench.app_token}"]
    if records is not None:
        command.append(f"--records={records}")
    env = dict(os.environ)
    env["PYTHONPATH"] = sandbox_folder(bench)
    return command, env


def sandbox_folder(bench: Bench) -> str:
    """The checkout the sandbox is served from (--sandbox-tree, else this one)."""
    tree = bench.arguments.sandbox_tree
    return str(Path(tree).resolve()) if tree else str(REPO)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--spec-dir", default=os.environ.get("SB_SPEC_DIR"),
                        help="folder with AFAS's 6.0.0.json (default: $SB_SPEC_DIR)")
    parser.add_argument("--duration", type=float, default=8.0,
                        help="seconds of load per server, endpoint and round (default 8)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds alternating the servers (default 3)")
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk's keep-alive connections (default 16)")
    parser.add_argument("--sustain", type=float, default=30.0,
                        help="seconds of sustained paged GETs before the memory figure "
                             "(default 30; 0 skips it)")
    parser.add_argument("--scales", default="1000,10000,100000",
                        help="--records values of the scale table (default 1000,10000,100000; "
                             "'' skips it)")
    parser.add_argument("--skip-prism", action="store_true",
                        help="only the sandbox (and the ceiling): for the scale table alone")
    parser.add_argument("--sandbox-tree", metavar="DIR",
                        help="serve the sandbox from this checkout instead of this one")
    parser.add_argument("--prism-version", default=PRISM_VERSION)
    parser.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "sb-readiness"),
                        help="where npm installs Prism (default ~/.cache/sb-readiness)")
    parser.add_argument("--trivial-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.trivial_server is not None:
        return arguments
    if not arguments.spec_dir or not (Path(arguments.spec_dir) / f"{SB_VERSION}.json").is_file():
        parser.error(f"--spec-dir (or SB_SPEC_DIR) must name a folder with {SB_VERSION}.json")
    if arguments.rounds < 1 or arguments.connections < 1 or arguments.duration < 1:
        parser.error("--rounds and --connections must be at least 1, --duration at least 1 s")
    try:
        arguments.scale_list = [int(n) for n in arguments.scales.split(",") if n.strip()]
    except ValueError:
        parser.error("--scales must be whole numbers separated by commas, e.g. 1000,10000")
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Serve the servers, load them with wrk, print the tables."""
    arguments = parse_arguments(argv)
    if arguments.trivial_server is not None:
        serve_trivial(arguments.trivial_server)
        return 0
    spec_file = Path(arguments.spec_dir) / f"{SB_VERSION}.json"
    versions = accept_versions(str(spec_file))
    wrk = install_wrk()
    prism = None if arguments.skip_prism else install_prism(
        Path(arguments.cache_dir).expanduser(), arguments.prism_version)
    print("note: other processes share this machine's cores; figures are noisy, compare the "
          "ratios of one run (servers alternate round by round)", flush=True)
    with tempfile.TemporaryDirectory(prefix="sb-bench-") as scratch:
        bench = Bench(arguments, wrk, Path(scratch), spec_file, versions,
                      secrets.token_urlsafe(32))
        if prism is not None:
            compare(bench, prism)
        if arguments.scale_list:
            scale_table(bench)
    return 0


def compare(bench: Bench, prism_executable: Path) -> None:
    """The side-by-side table, the ratios, and the memory after a sustained load."""
    folder, arguments = bench.folder, bench.arguments
    spec_copy = folder / f"sb-{SB_VERSION}-normalised.json"
    spec_copy.write_text(json.dumps(load_spec(str(bench.spec_file)).document))
    prism_port, trivial_port = free_port(), free_port()
    logs = {name: folder / f"{name}.log" for name in ("sandbox", "prism", "trivial")}
    command, env = sandbox_command(bench)
    prism_command = [str(prism_executable), "mock", "-h", "127.0.0.1", "-p", str(prism_port),
                     str(spec_copy)]
    trivial_command = [sys.executable, __file__, "--trivial-server", str(trivial_port)]
    with running(command, logs["sandbox"], env, sandbox_folder(bench)) as sandbox_pid, \
            running(prism_command, logs["prism"]) as prism_pid, \
            running(trivial_command, logs["trivial"]):
        environment_url = sandbox_base_url(logs["sandbox"]) + "/demo"
        wait_until_ready(environment_url + "/api/administrations", logs["sandbox"])
        prism_url = f"http://127.0.0.1:{prism_port}"
        wait_until_ready(prism_url + PAGED_PATH, logs["prism"])
        trivial_url = f"http://127.0.0.1:{trivial_port}/"
        wait_until_ready(trivial_url, logs["trivial"])
        sandbox = Server("sandbox", environment_url, sandbox_pid)
        # Prism does not check tokens; it only wants a credential of a documented scheme.
        prism = Server("prism", prism_url, prism_pid,
                       {"Authorization": "Bearer prism-ignores-this"})
        started_mb = {s.name: memory_mb(s.pid) for s in (sandbox, prism)}
        tallies = run_rounds(bench, sandbox, prism, trivial_url)
        after_rounds_mb = {s.name: memory_mb(s.pid) for s in (sandbox, prism)}
        print_table(tallies, arguments)
        print(f"\nmemory (RSS): sandbox {started_mb['sandbox']:.0f} MB at start, "
              f"{after_rounds_mb['sandbox']:.0f} MB after the rounds; Prism "
              f"{started_mb['prism']:.0f} MB, {after_rounds_mb['prism']:.0f} MB")
        if arguments.sustain > 0:
            sustained(bench, sandbox)


def run_rounds(bench: Bench, sandbox: Server, prism: Server,
               trivial_url: str) -> dict[tuple[str, str], Tally]:
    """Alternate the servers round by round on every endpoint; tallies per (server, endpoint)."""
    arguments, versions = bench.arguments, bench.versions
    token = access_token(sandbox.base_url, bench.app_token)
    template = write_template(sandbox.base_url, token, versions)
    endpoints = ("GET take=100", "GET take=2", "POST write")
    tallies: dict[tuple[str, str], Tally] = {("wrk", "ceiling"): Tally()}
    tallies.update({(s.name, e): Tally() for e in endpoints for s in (sandbox, prism)})
    ceiling_script = wrk_script(bench.folder, {})
    for round_number in range(arguments.rounds):
        # a fresh token each round: app-token access tokens live 600 s
        token = access_token(sandbox.base_url, bench.app_token)
        sandbox.headers = {"Authorization": f"Bearer {token}"}
        tallies["wrk", "ceiling"].runs.append(run_wrk(
            bench.wrk, trivial_url, ceiling_script, arguments.duration, arguments.connections))
        order = (sandbox, prism) if round_number % 2 == 0 else (prism, sandbox)
        for endpoint in endpoints:
            for server in order:
                headers = {**server.headers}
                if endpoint == "POST write":
                    headers["Accept-Version"] = versions[WRITE_PATH]
                    script = wrk_script(bench.folder, headers,
                                        write=(_path_of(server, WRITE_PATH), template),
                                        check_result=server is sandbox)
                    url = server.base_url + WRITE_PATH
                else:
                    headers["Accept-Version"] = versions[PAGED_PATH]
                    script = wrk_script(bench.folder, headers)
                    query = PAGED_QUERY if endpoint == "GET take=100" else SMALL_QUERY
                    url = f"{server.base_url}{PAGED_PATH}?{query}"
                run_id = secrets.token_hex(4)  # 8 hex digits: the uuid's first group
                tallies[server.name, endpoint].runs.append(run_wrk(
                    bench.wrk, url, script, arguments.duration, arguments.connections, run_id))
        print(f"round {round_number + 1}/{arguments.rounds} done", flush=True)
    return tallies


def _path_of(server: Server, api_path: str) -> str:
    """The request path wrk sends: the environment's path prefix plus the API path."""
    prefix = httpx.URL(server.base_url).path.rstrip("/")
    return prefix + api_path


def print_table(tallies: dict[tuple[str, str], Tally], arguments: argparse.Namespace) -> None:
    """server, endpoint, requests, req/s, p50, p99, errors; the ratios per round and overall."""
    print(f"\nSB {SB_VERSION}, wrk -t1 -c{arguments.connections}, keep-alive, "
          f"{arguments.rounds} alternating rounds of {arguments.duration:g} s, loopback; "
          "p50/p99: median over the rounds")
    header = f"{'server':8} {'endpoint':14} {'requests':>9} {'req/s':>8} {'p50 ms':>8} " \
             f"{'p99 ms':>8} {'errors':>6}"
    print(header)
    print("-" * len(header))
    for (server, endpoint), tally in tallies.items():
        print(f"{server:8} {endpoint:14} {tally.requests:9d} {tally.per_second:8.0f} "
              f"{tally.p50_ms:8.2f} {tally.p99_ms:8.2f} {tally.errors:6d}")
    print()
    ceiling = tallies["wrk", "ceiling"].per_second
    for endpoint in ("GET take=100", "GET take=2", "POST write"):
        ours, theirs = tallies["sandbox", endpoint], tallies["prism", endpoint]
        per_round = [a.per_second / b.per_second for a, b in zip(ours.runs, theirs.runs,
                                                                  strict=True) if b.per_second]
        ratio = ours.per_second / theirs.per_second if theirs.per_second else float("nan")
        rounds = ", ".join(f"x{value:.2f}" for value in per_round)
        print(f"sandbox/prism {endpoint:13}: throughput x{ratio:.2f} (rounds: {rounds}); "
              f"p99 {ours.p99_ms:.1f} ms vs {theirs.p99_ms:.1f} ms; sandbox at "
              f"{100 * ours.per_second / ceiling:.1f}% of wrk's ceiling")


def sustained(bench: Bench, sandbox: Server) -> None:
    """`--sustain` seconds of paged GETs; the sandbox's memory before and after."""
    duration = bench.arguments.sustain
    headers = {"Authorization": f"Bearer {access_token(sandbox.base_url, bench.app_token)}",
               "Accept-Version": bench.versions[PAGED_PATH]}
    before = memory_mb(sandbox.pid)
    run = run_wrk(bench.wrk, f"{sandbox.base_url}{PAGED_PATH}?{PAGED_QUERY}",
                  wrk_script(bench.folder, headers), duration, bench.arguments.connections)
    after = memory_mb(sandbox.pid)
    print(f"sustained load: {run.requests} paged GETs (take=100) in {run.seconds:.0f} s "
          f"({run.per_second:.0f} req/s, {run.errors} errors); sandbox memory {before:.0f} MB "
          f"before, {after:.0f} MB after ({(after - before) * 1024 / max(run.requests, 1):.1f} "
          "kB per request)")


def scale_table(bench: Bench) -> None:
    """For each --records N: the first answer's wait, a middle page sorted and unsorted, memory."""
    arguments = bench.arguments
    duration = max(3.0, arguments.duration / 2)
    print(f"\nscale: GET /api/organisations take=100 from the middle (skip=N/2), wrk -t1 "
          f"-c{arguments.connections}, {duration:g} s each")
    header = f"{'records':>8} {'first s':>8} {'sorted r/s':>10} {'p99 ms':>7} " \
             f"{'unsorted r/s':>12} {'p99 ms':>7} {'RSS MB':>7}"
    print(header)
    print("-" * len(header))
    for records in arguments.scale_list:
        log = bench.folder / f"sandbox-{records}.log"
        command, env = sandbox_command(bench, records)
        with running(command, log, env, sandbox_folder(bench)) as pid:
            environment_url = sandbox_base_url(log) + "/demo"
            wait_until_ready(environment_url + "/api/administrations", log)
            token = access_token(environment_url, bench.app_token)
            headers = {"Authorization": f"Bearer {token}",
                       "Accept-Version": bench.versions[RELATIONS_PATH]}
            base = f"{environment_url}{RELATIONS_PATH}?skip={records // 2}&take=100"
            sorted_url = base + "&sortField=Name%20ascending"
            clock = time.perf_counter()
            first = httpx.get(sorted_url, headers=headers, timeout=SCALE_READY_TIMEOUT_S)
            first_s = time.perf_counter() - clock
            if first.status_code != 200 or len(_records(first.json())) != min(
                    100, max(0, records - records // 2)):
                raise SystemExit(f"--records {records}: the middle page is wrong: "
                                 f"{first.status_code} {first.text[:300]}")
            script = wrk_script(bench.folder, headers)
            ordered = run_wrk(bench.wrk, sorted_url, script, duration, arguments.connections)
            unordered = run_wrk(bench.wrk, base, script, duration, arguments.connections)
            print(f"{records:8d} {first_s:8.2f} {ordered.per_second:10.0f} {ordered.p99_ms:7.1f} "
                  f"{unordered.per_second:12.0f} {unordered.p99_ms:7.1f} {memory_mb(pid):7.0f}",
                  flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
