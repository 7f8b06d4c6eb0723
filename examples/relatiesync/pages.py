"""The admin UI's HTML pages (English), plain and JavaScript-free."""

from __future__ import annotations

import time
from html import escape

from examples.relatiesync.store import Connection, OutboxItem

STYLE = ("body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
         "color:#1c2733}label{display:block;margin-top:1rem}input{width:100%;padding:.4rem}"
         "button{margin-top:1rem;padding:.5rem 1rem}.error{color:#a4161a}table{width:100%;"
         "border-collapse:collapse}td,th{text-align:left;padding:.2rem;border-bottom:1px solid "
         "#ddd}")


def page(title: str, body: str) -> str:
    """A whole HTML document."""
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
            f"{escape(title)} - RelatieSync</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1>{body}</body></html>")


def message_page(title: str, text: str) -> str:
    """A page with one message (errors, refusals)."""
    return page(title, f"<p>{escape(text)}</p><p><a href=\"/support\">RelatieSync support</a>"
                "</p>")


def login_page(next_path: str, csrf: str, error: str | None = None) -> str:
    """Sign-in for CRM administrators; prospects learn how to start a trial."""
    problem = f"<p class=\"error\">{escape(error)}</p>" if error else ""
    return page("Connect AFAS SB to RelatieSync", (
        "<p>Already use RelatieSync? Sign in with your RelatieSync administrator account to "
        "connect your AFAS SB environment.</p>" + problem
        + "<form method=\"post\" action=\"/login\">"
        f"<input type=\"hidden\" name=\"next\" value=\"{escape(next_path)}\">"
        f"<input type=\"hidden\" name=\"csrf\" value=\"{escape(csrf)}\">"
        "<label>E-mail address<input name=\"username\" type=\"email\" autocomplete=\"username\">"
        "</label><label>Password<input name=\"password\" type=\"password\" "
        "autocomplete=\"current-password\"></label><button type=\"submit\">Sign in</button>"
        "</form><h2>New to RelatieSync?</h2><p>RelatieSync keeps the organisations and persons "
        "of your CRM and AFAS SB in step. Start a 30-day trial at relatiesync.example/trial; "
        "afterwards you come back here from the AFAS App Center to connect.</p>"))


def connect_page(base_url: str, csrf: str, error: str | None = None) -> str:
    """The form where the administrator pastes the App Center token (and the SB address)."""
    problem = f"<p class=\"error\">{escape(error)}</p>" if error else ""
    return page("Connect AFAS SB", (
        "<p>In AFAS SB, open the App Center, activate RelatieSync in your environment and copy "
        "the token it shows. Paste it below. RelatieSync exchanges it for short-lived access "
        "and keeps it on the RelatieSync server only; it is never shown again.</p>" + problem
        + "<form method=\"post\" action=\"/afas-sb/connect\">"
        f"<input type=\"hidden\" name=\"csrf\" value=\"{escape(csrf)}\">"
        "<label>AFAS SB address<input name=\"afas_base_url\" "
        f"value=\"{escape(base_url)}\" placeholder=\"https://subdomain.afasfocus.nl/environment\">"
        "</label><label>App token<input name=\"app_token\" type=\"password\" "
        "autocomplete=\"off\"></label><button type=\"submit\">Connect</button></form>"))


def _when(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(moment))


def _note(item: OutboxItem, mirrored: dict[str, str]) -> str:
    """SB's reason, plus whether SB holds the relation anyway (a Failed write can make it)."""
    note = item.message or ""
    external = item.payload.get("ExternalId")
    if item.state in ("failed", "partial", "rejected") and external in mirrored:
        note += f" AFAS SB holds this relation (Id {mirrored[str(external)]}): check it there."
    return note


def status_page(connection: Connection | None, last_run: tuple[float, bool, str] | None,
                counts: dict[str, int], items: list[OutboxItem],
                mirrored: dict[str, str] | None = None) -> str:
    """The connection, the last sync and the outbox; no secrets shown."""
    if connection is None:
        return page("RelatieSync", "<p>Not connected to AFAS SB yet. Open RelatieSync from the "
                    "AFAS App Center, or <a href=\"/afas-sb/connect\">connect by hand</a>.</p>")
    state = ("connected" if connection.state == "connected" else
             "AFAS SB no longer accepts the token: activate RelatieSync again in the App Center "
             "and <a href=\"/afas-sb/connect\">paste the new token</a>")
    parts = [f"<p>Connected to AFAS SB environment <b>{escape(connection.environment)}</b> at "
             f"{escape(connection.base_url)}: {state}.</p>"]
    if last_run:
        moment, ok, summary = last_run
        parts.append(f"<p>Last sync {_when(moment)}: {'succeeded' if ok else 'failed'}. "
                     f"{escape(summary)}</p>")
    else:
        parts.append("<p>No sync has run yet; the first one reads all relations.</p>")
    parts.append(f"<p>Mirrored from AFAS SB: {counts.get('organisation', 0)} organisations, "
                 f"{counts.get('person', 0)} persons.</p>")
    rows = "".join(
        f"<tr><td>{escape(str(item.payload.get('Name', '')))}</td><td>{escape(item.state)}</td>"
        f"<td>{escape(_note(item, mirrored or {}))}</td></tr>" for item in items[:50])
    parts.append("<h2>New relations for AFAS SB</h2><table><tr><th>Name</th><th>State</th>"
                 f"<th>Note</th></tr>{rows}</table>")
    return page("RelatieSync", "".join(parts))


def support_page() -> str:
    """The support page the App Center listing links to."""
    return page("RelatieSync support", (
        "<p>Questions about connecting AFAS SB, a sync that failed, or a relation that waits "
        "in the list? Mail support@relatiesync.example or call +31 20 123 4567 on working days "
        "from 8:30 to 17:30 (CET).</p><p>Most answers start on the status page: it shows the "
        "last sync and why a relation was not created. A relation that AFAS SB refused is "
        "never sent again by itself; correct it in the CRM and queue it again.</p>"))
