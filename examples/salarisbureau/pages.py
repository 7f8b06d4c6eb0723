"""The HTML pages the office's administrator sees (no JavaScript, no third-party loads)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

PRODUCT = "Salarisbureau"
CONNECT_PATH = "/afas-sb/connect"


def page(title: str, body: str) -> str:
    """A complete page: `body` is trusted HTML built by the functions below."""
    return (
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)} - {PRODUCT}</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;line-height:1.5}"
        "label{display:block;margin-top:1em}input{width:100%}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def problem(title: str, message: str) -> str:
    """An error page: the message says what went wrong and what to do."""
    return page(title, f"<p>{escape(message)}</p>"
                f"<p>Need help? See <a href=\"/support\">{PRODUCT} support</a>.</p>")


def welcome(base_url: str) -> str:
    """The landing page for an office that has not connected yet (a prospect)."""
    link = f"{CONNECT_PATH}?base_url={quote(base_url, safe='')}"
    return page("Welcome to Salarisbureau", (
        "<p>Salarisbureau runs the payroll of your clients and books every payroll run as a "
        "payroll journal entry (loonjournaalpost) in the client's own AFAS SB environment.</p>"
        "<p>New here? We set up your bureau account within one working day: write to "
        "<a href=\"mailto:sales@salarisbureau.example\">sales@salarisbureau.example</a>.</p>"
        "<p>Already a customer? Activate the app in your AFAS SB Admin Center, copy the app "
        f"token it shows and <a href=\"{escape(link)}\">connect your office</a>.</p>"))


def connected_status(base_url: str) -> str:
    """The landing page for an office that is connected (its client list stays private)."""
    link = f"{CONNECT_PATH}?base_url={quote(base_url, safe='')}"
    return page("Salarisbureau is connected", (
        "<p>This AFAS SB Admin Center is connected to Salarisbureau: payroll runs are booked "
        "in the client environments automatically.</p>"
        f"<p>Activated the app again? <a href=\"{escape(link)}\">Paste the new app "
        "token</a>. Not your office yet? Write to "
        "<a href=\"mailto:sales@salarisbureau.example\">sales@salarisbureau.example</a>.</p>"))


def customer_environment(base_url: str) -> str:
    """For a customer environment: this app connects from the accountant's Admin Center."""
    return page("Connect from your Admin Center", (
        f"<p>You opened Salarisbureau from {escape(base_url)}. Salarisbureau is an Admin Center "
        "app: your accounting office activates it once in its AFAS SB Admin Center, and it "
        "then books payroll in every client environment. Ask your accountant to activate it, "
        "or contact <a href=\"/support\">support</a>.</p>"))


def connect_form(base_url: str, message: str = "") -> str:
    """The connect page: paste the app token the Admin Center showed."""
    note = f"<p><strong>{escape(message)}</strong></p>" if message else ""
    return page("Connect your office", (
        f"{note}<p>Activate Salarisbureau in your AFAS SB Admin Center and paste the app token "
        "it shows. The token is kept on our server only, readable by the app alone, and never "
        "shown again.</p>"
        f"<form method=\"post\" action=\"{CONNECT_PATH}\">"
        "<label>AFAS SB address (from the App Center)<input name=\"base_url\" "
        f"value=\"{escape(base_url)}\" required></label>"
        "<label>App token<input name=\"token\" type=\"password\" autocomplete=\"off\" required>"
        "</label><p><button type=\"submit\">Connect</button></p></form>"))


def connect_done(environments: Sequence[tuple[str, str]]) -> str:
    """Confirmation after a successful connect."""
    rows = "".join(f"<li>{escape(name)}: {escape(admin)}</li>" for name, admin in environments)
    return page("Office connected", (
        "<p>The app token works. Salarisbureau will book payroll journal entries in these "
        f"client environments:</p><ul>{rows or '<li>none (the office has no clients yet)</li>'}"
        "</ul><p>You can close this page.</p>"))


def support() -> str:
    """The support page the App Center listing links to."""
    return page("Support", (
        "<p>Questions about the AFAS SB connection? Mail "
        "<a href=\"mailto:support@salarisbureau.example\">support@salarisbureau.example</a> or "
        "call 030 000 0000 on working days 8:30-17:00.</p>"
        "<p>A sync reports \"activate the app again\": the app token was deactivated. Activate "
        "Salarisbureau again in the AFAS SB Admin Center and paste the new token on the "
        "connect page.</p>"))
