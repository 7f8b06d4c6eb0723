"""The app's HTML pages: plain server-rendered forms that work without JavaScript.

The `js` onboarding (DEMO_PARTNER_ONBOARDING=js) swaps the login form for one a script
builds and posts with fetch(), as single-page apps do (`script_login`).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

APP_NAME = "Demo Partner"
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d2733}h1{color:#0b5cad}form{margin:1rem 0}label{display:block;margin:.5rem 0}"
    "input[type=text],input[type=password],input[type=email],input[type=url]{width:100%;"
    "padding:.4rem}button{padding:.5rem 1rem}.error{color:#a40000}.muted{color:#5b6670}"
)


def page(title: str, body: str) -> str:
    """A complete HTML document with the app's header."""
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)} - {APP_NAME}</title><style>{_STYLE}</style></head><body>"
        f"<p class=\"muted\"><a href=\"/\">{APP_NAME}</a> &middot; "
        "<a href=\"/support\">Support</a></p>"
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )


def login_form(next_url: str, *, message: str = "") -> str:
    """The sign-in form (fields username and password; POST /login)."""
    error = f"<p class=\"error\">{escape(message)}</p>" if message else ""
    return (
        f"{error}<form method=\"post\" action=\"/login\">"
        f"<input type=\"hidden\" name=\"next\" value=\"{escape(next_url)}\">"
        "<label>E-mail <input type=\"email\" name=\"username\" autocomplete=\"username\" "
        "required></label>"
        "<label>Password <input type=\"password\" name=\"password\" "
        "autocomplete=\"current-password\" required></label>"
        "<button type=\"submit\">Log in</button></form>"
    )


TRACKER_URL = "https://stats.tracker.example/pixel.gif"  # only the callback_tracker flaw

# Builds the sign-in form, posts it with fetch() and follows the answer's `next`.
_LOGIN_SCRIPT = """
const box = document.getElementById('login');
const form = document.createElement('form');
form.innerHTML = '<p class="error" id="login-error"></p>'
  + '<label>E-mail <input type="email" name="username" autocomplete="username" required></label>'
  + '<label>Password <input type="password" name="password" autocomplete="current-password" '
  + 'required></label><button type="submit">Log in</button>';
box.appendChild(form);
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = new URLSearchParams(new FormData(form));
  body.set('next', box.dataset.next);
  const answer = await fetch('/login', {method: 'POST', body: body,
    headers: {'Accept': 'application/json'}, credentials: 'same-origin'});
  const result = await answer.json();
  if (answer.ok) { window.location.assign(result.next); return; }
  document.getElementById('login-error').textContent = result.error;
});
"""


def script_login(next_url: str) -> str:
    """The sign-in form as a script builds it: no <form> in the HTML, posted with fetch()."""
    return (f"<div id=\"login\" data-next=\"{escape(next_url)}\"></div>"
            "<noscript><p class=\"error\">Turn on JavaScript to log in.</p></noscript>"
            f"<script>{_LOGIN_SCRIPT}</script>")


def login_page(next_url: str, *, message: str = "", script: bool = False) -> str:
    """GET /login."""
    form = script_login(next_url) if script else login_form(next_url, message=message)
    return page("Log in", form + "<p>New here? <a href=\"/signup\">Sign up</a></p>")


def landing_page(base_url: str, environment: str, *, script: bool = False) -> str:
    """The AFAS SB landing page for a visitor who is not logged in (`script`: the login
    form is built by JavaScript)."""
    here = "/Appcenter/AFASSB/?" + urlencode({"afasBaseUrl": base_url})
    login_link = "/login?" + urlencode({"next": here})
    signup_link = "/signup?" + urlencode({"afasBaseUrl": base_url})
    return page(
        "Connect AFAS SB to Demo Partner",
        f"<p>You came from the AFAS App Center for environment "
        f"<strong>{escape(environment)}</strong>.</p>"
        f"<h2>Existing customer</h2><p><a href=\"{escape(login_link)}\">Log in (existing "
        f"customer)</a> to connect this environment, or log in right here:</p>"
        f"{script_login(here) if script else login_form(here)}"
        f"<h2>New here?</h2><p><a href=\"{escape(signup_link)}\">New here? Sign up</a> for a "
        "Demo Partner account; we connect your AFAS SB administration during onboarding.</p>",
    )


def signup_page(environment: str | None, *, thanks: bool = False) -> str:
    """GET/POST /signup: where prospects land."""
    if thanks:
        return page("Thank you", "<p>We received your sign-up and will e-mail you within one "
                    "working day to set up your account.</p>")
    context = (
        f"<p>Your AFAS SB environment <strong>{escape(environment)}</strong> will be "
        "connected once your account exists.</p>" if environment else ""
    )
    return page(
        "Sign up for Demo Partner",
        f"{context}<form method=\"post\" action=\"/signup\">"
        "<label>Company <input type=\"text\" name=\"company\" required></label>"
        "<label>E-mail <input type=\"email\" name=\"email\" required></label>"
        "<button type=\"submit\">Sign up</button></form>",
    )


def message_page(title: str, message: str, *, link: tuple[str, str] | None = None) -> str:
    """A page with one message (errors, declined consent)."""
    more = f"<p><a href=\"{escape(link[0])}\">{escape(link[1])}</a></p>" if link else ""
    return page(title, f"<p>{escape(message)}</p>{more}")


def connected_page(
    environment: str, administrations: Sequence[str], *, tracker: bool = False
) -> str:
    """The confirmation after a successful connection and first API call (`tracker`: with a
    third-party pixel, which would receive the callback URL as its Referer)."""
    items = "".join(f"<li>{escape(name)}</li>" for name in administrations)
    pixel = f"<img src=\"{TRACKER_URL}\" alt=\"\" width=\"1\" height=\"1\">" if tracker else ""
    return page(
        f"Connected to AFAS SB environment {environment}",
        f"<p>Demo Partner is connected to AFAS SB environment <strong>{escape(environment)}"
        f"</strong>. It can see these administrations:</p><ul>{items}</ul>"
        "<form method=\"post\" action=\"/sync\"><button type=\"submit\">Sync now</button></form>"
        "<p>How the connection works: <a href=\"https://docs.afas.help/sb/en/start\">AFAS SB "
        "documentation</a>.</p>"
        f"{pixel}",
    )


def apptoken_page(base_url: str = "", *, message: str = "") -> str:
    """GET /Appcenter/AFASSB/apptoken: hand over an app token from the App Center."""
    error = f"<p class=\"error\">{escape(message)}</p>" if message else ""
    return page(
        "Connect with an app token",
        f"{error}<p>Paste the app token the AFAS App Center showed when you activated "
        "Demo Partner, and your environment's address.</p>"
        "<form method=\"post\" action=\"/Appcenter/AFASSB/apptoken\">"
        "<label>App token <input type=\"password\" name=\"token\" required></label>"
        f"<label>AFAS SB address <input type=\"url\" name=\"base_url\" "
        f"value=\"{escape(base_url)}\" placeholder=\"https://xxx.afasfocus.nl/env\" required>"
        "</label><button type=\"submit\">Connect</button></form>",
    )


def home_page(user: str | None, environments: Sequence[str]) -> str:
    """GET /: the signed-in user's connections."""
    if user is None:
        return page("Demo Partner", "<p>Invoicing that books itself in AFAS SB.</p>"
                    "<p><a href=\"/login\">Log in</a> or <a href=\"/signup\">sign up</a>.</p>")
    items = "".join(f"<li>{escape(env)}</li>" for env in environments) or "<li>none yet</li>"
    return page(
        "Your AFAS SB connections",
        f"<p>Logged in as {escape(user)}.</p><ul>{items}</ul>"
        "<form method=\"post\" action=\"/sync\"><button type=\"submit\">Sync now</button></form>"
        "<form method=\"post\" action=\"/logout\"><button type=\"submit\">Log out</button></form>",
    )


def support_page() -> str:
    """GET /support."""
    return page(
        "Support",
        "<p>Questions about the AFAS SB connection? Mail support@partner.example or call "
        "+31 20 000 0000 on working days 9:00-17:00 CET.</p>"
        "<p>Common fixes: if a sync reports <em>re-authorization needed</em>, open Demo Partner "
        "from the AFAS App Center again and approve the connection.</p>",
    )
