"""The browser walker against small loopback sites: script-built login forms, the host guard
(redirects, images, fetch), bounded waits, TLS trust, and what it says when Chromium is missing.
"""

from __future__ import annotations

import json
import os
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sbready.config import LoginStep
from sbready.driver import browser as browser_module
from sbready.driver.browser import BrowserWalker, find_chromium, verify_tls
from sbready.driver.onboarding import OnboardingWalker
from sbready.errors import UsageError
from sbready.secrets import Redactor

SPA = """<!doctype html><title>Sign in</title><div id="app"></div><script>
const app = document.getElementById('app');
setTimeout(() => {  // rendered a moment after load, as single-page apps do
  app.innerHTML = '<label for="u">E-mail</label><input id="u" name="username">'
    + '<label for="p">Password</label><input id="p" type="password">'
    + '<input id="otp"><button>Sign in</button>';
  app.querySelector('button').onclick = async () => {
    const answer = await fetch('/api/login', {method: 'POST', headers: {'Content-Type':
      'application/json'}, body: JSON.stringify({username: document.getElementById('u').value,
      password: document.getElementById('p').value, otp: document.getElementById('otp').value})});
    const result = await answer.json();
    window.location = result.next;
  };
}, 150);
</script>"""


class Site(BaseHTTPRequestHandler):
    """A tiny app: an SPA login, redirects and pages that reach for another host."""

    pages: dict[str, Any] = {}
    seen: list[tuple[str, str, str]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen.append((self.command, self.path, body))
        make = self.pages.get(self.path.split("?")[0])
        if make is None:
            self.send_response(404)
            self.end_headers()
            return
        status, headers, text = make(self, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        data = text.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


def _server(pages: dict[str, Any]) -> tuple[ThreadingHTTPServer, list[tuple[str, str, str]]]:
    handler = type("Handler", (Site,), {"pages": pages, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler.seen  # type: ignore[attr-defined]


def _html(text: str, **headers: str) -> Any:
    return lambda _h, _b: (200, {"Content-Type": "text/html", **headers}, text)


@pytest.fixture(scope="module")
def chromium() -> None:
    try:
        find_chromium()
    except UsageError as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))


@pytest.fixture
def decoy() -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    server, seen = _server({"/": _html("decoy"), "/x.png": _html("x")})
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


@pytest.fixture
def make_walker() -> Iterator[Any]:
    walkers: list[BrowserWalker] = []

    def make(app: ThreadingHTTPServer, steps: tuple[LoginStep, ...] = (), timeout: float = 5.0,
             shots: list[tuple[str, bytes]] | None = None,
             redactor: Redactor | None = None) -> BrowserWalker:
        walker = BrowserWalker(
            allowed_hosts={f"127.0.0.1:{app.server_port}"}, login_steps=steps, ca_file=None,
            timeout=timeout, redactor=redactor or Redactor(),
            screenshot=(lambda name, png: shots.append((name, png))) if shots is not None
            else None)
        walkers.append(walker)
        return walker

    yield make
    for walker in walkers:
        walker.close()


def test_spa_login_is_filled_by_name_label_and_css(chromium: None, make_walker: Any) -> None:
    pages = {
        "/start": _html(SPA),
        "/api/login": lambda _h, body: (200, {"Content-Type": "application/json",
                                              "Set-Cookie": "sid=s3cr3t; HttpOnly"},
                                        json.dumps({"next": "/done"})),
        "/done": _html("<title>Connected</title><p>done</p>", **{"Referrer-Policy": "no-referrer"}),
    }
    app, seen = _server(pages)
    shots: list[tuple[str, bytes]] = []
    step = LoginStep("/start", {"username": "ann", "Password": "pw-42", "#otp": "123456"})
    result = make_walker(app, (step,), shots=shots).walk(
        f"http://127.0.0.1:{app.server_port}/start", None)
    assert result.error is None, result.error
    assert result.walker == "chromium"
    assert result.login_submitted == ["/start"]
    posted = [json.loads(body) for method, path, body in seen if path == "/api/login"]
    assert posted == [{"username": "ann", "password": "pw-42", "otp": "123456"}]
    login = [hop for hop in result.hops if hop.kind == "fetch"]
    assert [(h.method, h.url.rsplit(":", 1)[-1], h.status) for h in login] == [
        ("POST", f"{app.server_port}/api/login", 200)]
    assert ("set-cookie", "sid=<value hidden>; HttpOnly") in login[0].headers
    assert result.final is not None and result.final.url.endswith("/done")
    assert ("referrer-policy", "no-referrer") in result.final.headers
    assert [name for name, _ in shots] == ["page 1: Sign in", "page 2: Connected"]
    assert all(png.startswith(b"\x89PNG") for _, png in shots)
    app.shutdown()


def test_redirect_to_another_host_is_never_requested(chromium: None, make_walker: Any,
                                                      decoy: Any) -> None:
    decoy_url, decoy_seen = decoy
    app, _ = _server({"/start": lambda _h, _b: (302, {"Location": f"{decoy_url}/"}, "")})
    result = make_walker(app).walk(f"http://127.0.0.1:{app.server_port}/start", None)
    assert result.blocked_url == f"{decoy_url}/"
    assert result.blocked_host == decoy_url.split("//")[1]
    assert [hop.status for hop in result.hops] == [302]
    time.sleep(0.2)
    assert decoy_seen == []
    app.shutdown()


def test_images_and_fetches_to_other_hosts_are_blocked_and_recorded(
        chromium: None, make_walker: Any, decoy: Any) -> None:
    decoy_url, decoy_seen = decoy
    page = (f'<title>Landing</title><img src="{decoy_url}/x.png">'
            f"<script>fetch('{decoy_url}/').catch(() => null)</script>")
    app, _ = _server({"/start": _html(page)})
    result = make_walker(app).walk(f"http://127.0.0.1:{app.server_port}/start", None)
    assert result.blocked_host is None  # a resource is not a navigation: the walk goes on
    blocked = " | ".join(result.blocked_requests)
    assert f"GET {decoy_url}/x.png (image, from http://127.0.0.1:{app.server_port}/start)" in (
        blocked)
    assert f"GET {decoy_url}/ (fetch" in blocked
    assert decoy_seen == []
    app.shutdown()


def test_a_page_that_never_answers_ends_the_walk_within_the_bound(chromium: None,
                                                                  make_walker: Any) -> None:
    def slow(_h: Any, _b: str) -> tuple[int, dict[str, str], str]:
        time.sleep(4)
        return 200, {"Content-Type": "text/html"}, "late"

    app, _ = _server({"/start": slow})
    walker = make_walker(app, timeout=1.0)
    walker._ensure_browser()  # the bound is the walk's; starting Chromium has its own
    started = time.monotonic()
    result = walker.walk(f"http://127.0.0.1:{app.server_port}/start", None)
    assert time.monotonic() - started < 3
    assert result.error is not None and "failed" in result.error
    assert result.hops and result.hops[0].status == 0
    app.shutdown()


def test_pages_showing_a_secret_are_not_photographed(chromium: None, make_walker: Any) -> None:
    app, _ = _server({"/start": _html("<title>Token</title><p>your token: tok-9f8e7d6c</p>")})
    shots: list[tuple[str, bytes]] = []
    result = make_walker(app, shots=shots, redactor=Redactor(["tok-9f8e7d6c"])).walk(
        f"http://127.0.0.1:{app.server_port}/start", None)
    assert shots == []
    assert result.screenshots == ["page 1: Token (not taken: the page shows a secret)"]
    app.shutdown()


def test_script_free_walker_names_the_browser_setting() -> None:
    app, _ = _server({"/start": _html(SPA)})
    result = OnboardingWalker(
        allowed_hosts={f"127.0.0.1:{app.server_port}"},
        login_steps=(LoginStep("/login", {"username": "ann"}),), ca_file=None,
        redactor=Redactor()).walk(f"http://127.0.0.1:{app.server_port}/start", None)
    assert result.error is not None
    assert "has no HTML form but 1 script(s)" in result.error
    assert 'set browser = "chromium" in [onboarding]' in result.error
    app.shutdown()


def test_missing_chromium_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setattr(browser_module.shutil, "which", lambda _name: None)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    with pytest.raises(UsageError) as raised:
        find_chromium()
    assert "apt-get install chromium" in str(raised.value)
    assert "playwright install chromium" in str(raised.value)


def test_chromium_source_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser_module.shutil, "which",
                        lambda name: "/usr/bin/chromium" if name == "chromium" else None)
    assert find_chromium() == ("/usr/bin/chromium", "the machine's Chromium (/usr/bin/chromium)")
    monkeypatch.setattr(browser_module.shutil, "which", lambda _name: None)
    (tmp_path / "chromium-1234").mkdir()
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    assert find_chromium() == (None, f"Playwright's own Chromium ({tmp_path})")


def test_tls_is_trusted_only_with_the_right_ca(tmp_path: Path) -> None:
    import trustme

    ca, other = trustme.CA(), trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    app, _ = _server({"/": _html("ok")})
    app.socket = context.wrap_socket(app.socket, server_side=True)
    url = f"https://127.0.0.1:{app.server_port}/"
    right, wrong = tmp_path / "ca.pem", tmp_path / "other.pem"
    ca.cert_pem.write_to_path(str(right))
    other.cert_pem.write_to_path(str(wrong))
    assert verify_tls(url, right, 5) is None
    problem = verify_tls(url, wrong, 5)
    assert problem is not None and problem.startswith(
        f"the TLS certificate of 127.0.0.1:{app.server_port} is not valid")
    assert verify_tls("http://127.0.0.1:1/", None, 1) is None  # http is not checked
    app.shutdown()


def test_config_browser_key_is_checked(tmp_path: Path) -> None:
    from sbready.config import load_config

    base = ('[app]\nname = "A"\nonboarding_url = "https://a.example.nl/"\nauth = "apptoken"\n'
            'bundles = ["Verkoopjournaalpost"]\nsb_version = "6.0.0"\n'
            '[apptoken]\ncommand = "true"\n')
    path = tmp_path / "readiness.toml"
    path.write_text(base + '[onboarding]\nbrowser = "chromium"\n', "utf-8")
    assert load_config(path).browser == "chromium"
    path.write_text(base, "utf-8")
    assert load_config(path).browser is None
    path.write_text(base + '[onboarding]\nbrowser = "firefox"\n', "utf-8")
    with pytest.raises(UsageError) as raised:
        load_config(path)
    assert 'browser in [onboarding] must be "chromium"' in str(raised.value)
    assert "'firefox'" in str(raised.value)


def test_browser_option_on_run_and_demo() -> None:
    from sbready.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["run", "--config", "x.toml", "--browser", "chromium"]).browser == (
        "chromium")
    demo = parser.parse_args(["demo", "--onboarding", "js", "--browser", "none"])
    assert (demo.onboarding, demo.browser) == ("js", "none")
    assert parser.parse_args(["demo"]).browser is None


def test_a_run_without_chromium_stops_before_anything_starts(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    from sbready.runner import _walker_line

    assert _walker_line(None) == "without JavaScript"
    monkeypatch.setattr(browser_module.shutil, "which", lambda _name: None)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    with pytest.raises(UsageError, match="apt-get install chromium"):
        _walker_line("chromium")


def test_the_final_page_stays_the_last_hop(chromium: None, make_walker: Any) -> None:
    # a page that calls its API after loading: checks read hops[-1] as the final page
    page = "<title>Landing</title><script>fetch('/api/config')</script>"
    app, _ = _server({"/start": _html(page),
                      "/api/config": lambda _h, _b: (500, {"Content-Type": "text/plain"}, "x")})
    result = make_walker(app).walk(f"http://127.0.0.1:{app.server_port}/start", None)
    assert [(hop.kind, hop.status) for hop in result.hops] == [("fetch", 500), ("document", 200)]
    assert result.final is result.hops[-1]
    app.shutdown()
