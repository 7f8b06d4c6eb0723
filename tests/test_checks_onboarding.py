"""The onboarding checks on synthetic evidence: branches the demo app's runs do not reach."""

from __future__ import annotations

from typing import Any

import httpx

from checks import onboarding
from sbready.driver.decoy import decoy_server
from sbready.driver.onboarding import Hop
from sbready.sandbox.journal import Exchange


def _hop(status: int, body: str = "", *, url: str = "https://app.example/x",
         duration_ms: float = 20.0, exposed: tuple[str, ...] = ()) -> Hop:
    return Hop(method="GET", url=url, status=status, location=None, content_type="text/html",
               title="", excerpt=body[:2048], form_fields=(), duration_ms=duration_ms,
               host="app.example:443", body=body, exposed=exposed)


def _exchange(seq: int, kind: str, *, environment: str | None = "demo", path: str = "",
              status: int = 200, **changes: Any) -> Exchange:
    values: dict[str, Any] = dict(
        seq=seq, started=0.0, duration_ms=1.0, environment=environment, kind=kind,
        client_id="demo-partner", method="POST", url=f"http://sb{path}", path=path,
        api_path=None, query={}, request_headers={}, request_content_type=None,
        request_body=None, status=status, response_headers={}, response_body=None,
        operation_id=None,
    )
    values.update(changes)
    return Exchange(**values)


PAGE = "<html><head><title>Oops</title></head><body><p>Something is wrong here.</p></body></html>"


# ---- ONB-01 ------------------------------------------------------------------------------------

def test_onb01_fails_for_a_slow_answer_and_for_a_5xx() -> None:
    slow = onboarding.onboarding_url_answers(
        "https://app.example/", mode="production", first=_hop(200, duration_ms=12_000),
        timeout_s=10, walk_error=None)
    assert not slow.passed and "took 12.0 s" in slow.message()
    crash = onboarding.onboarding_url_answers(
        "https://app.example/", mode="production", first=_hop(503), timeout_s=10,
        walk_error=None)
    assert not crash.passed and "-> 503" in crash.message()


def test_onb01_allows_http_in_development_mode_only() -> None:
    dev = onboarding.onboarding_url_answers("http://127.0.0.1:1/", mode="development",
                                            first=_hop(302), timeout_s=10, walk_error=None)
    assert dev.passed
    prod = onboarding.onboarding_url_answers("http://127.0.0.1:1/", mode="production",
                                             first=_hop(302), timeout_s=10, walk_error=None)
    assert not prod.passed and "not https" in prod.message()


# ---- ONB-03, ONB-04, ONB-09: pages ------------------------------------------------------------

def test_onb03_fails_for_an_empty_page_and_a_dangling_redirect() -> None:
    empty = onboarding.prospect_sees_landing("http://sb/acme", [_hop(200, "<p></p>")],
                                             walk_error=None)
    assert not empty.passed and "empty" in empty.message()
    redirect = onboarding.prospect_sees_landing("http://sb/acme", [_hop(302)], walk_error=None)
    assert not redirect.passed and "redirect" in redirect.message()


def test_traceback_markers_of_common_stacks() -> None:
    java = "java.lang.NullPointerException\n\tat com.acme.Onboarding.start(Onboarding.java:42)"
    dotnet = ("System.NullReferenceException: x\n   at Acme.Web.Landing.Get(String url) in "
              "C:\\src\\Landing.cs:line 17")
    node = "TypeError: x\n    at landing (/srv/app/routes.js:10:5)"
    python = 'Traceback (most recent call last):\n  File "/app/web.py", line 3, in landing'
    php = "PHP Fatal error:  Uncaught Exception: x in /var/www/index.php:3\nStack trace:\n#0 {main}"
    for body in (java, dotnet, node, python, php):
        assert onboarding.traceback_in(body), body
    assert onboarding.traceback_in("<p>afasBaseUrl is missing; start from AFAS.</p>") is None


def test_onb04_fails_for_a_stack_trace_an_empty_page_and_a_5xx() -> None:
    java = "<pre>\tat com.acme.Landing.get(Landing.java:12)</pre> bad request"
    judgement = onboarding.bad_base_url_rejected([
        ("missing", [_hop(400, java)], None),
        ("empty", [_hop(200, "<p></p>")], None),
        ("crash", [_hop(500, PAGE)], None),
    ])
    assert not judgement.passed
    text = judgement.message()
    assert "missing: " in text and "stack trace" in text
    assert "empty: " in text and "no message" in text
    assert "crash: " in text


def test_onb04_a_2xx_page_with_a_message_passes_with_a_warning() -> None:
    judgement = onboarding.bad_base_url_rejected([("malformed", [_hop(200, PAGE)], None)])
    assert judgement.passed, judgement.message()
    assert any("a 4xx status would also" in w for w in judgement.warnings)


def test_onb04_passes_clean_4xx_pages() -> None:
    assert onboarding.bad_base_url_rejected([("missing", [_hop(400, PAGE)], None)]).passed


def test_onb09_needs_a_consent_decision_and_a_message() -> None:
    never = onboarding.denied_consent_handled([_hop(200, PAGE)], consent_submitted=False,
                                              walk_error=None)
    assert not never.passed and "never reached the consent page" in never.message()
    blank = onboarding.denied_consent_handled([_hop(200, "<p> </p>")], consent_submitted=True,
                                              walk_error=None)
    assert not blank.passed and "no message" in blank.message()
    fine = onboarding.denied_consent_handled([_hop(403, PAGE)], consent_submitted=True,
                                             walk_error=None)
    assert fine.passed


def test_visible_text_drops_markup_head_and_scripts() -> None:
    html = "<html><head><title>T</title><style>p{}</style></head><body><script>x()</script>" \
           "<p>Hello &amp; welcome</p></body></html>"
    assert onboarding.visible_text(html) == "Hello & welcome"


# ---- ONB-05 --------------------------------------------------------------------------------------

def test_onb05_fails_when_the_decoy_was_contacted_even_if_the_page_refused() -> None:
    judgement = onboarding.foreign_host_refused(
        "http://127.0.0.2:9", [_hop(400, PAGE)], blocked_url=None,
        decoy_requests=["POST /demo/app/token (12-byte body)"], walk_error=None)
    assert not judgement.passed and "POST /demo/app/token" in judgement.message()


def test_onb05_fails_when_the_page_sends_the_customer_to_the_foreign_host() -> None:
    page = '<form method="post" action="http://127.0.0.2:9/demo/app/auth"><button>Ga</button>'
    judgement = onboarding.foreign_host_refused(
        "http://127.0.0.2:9", [_hop(200, page)], blocked_url=None, decoy_requests=[],
        walk_error=None)
    assert not judgement.passed
    assert "links or posts to the foreign host 127.0.0.2:9" in judgement.message()


def test_onb05_a_2xx_refusal_page_passes_with_a_warning() -> None:
    # judged by outcome: the decoy heard nothing and nothing sends the customer there
    judgement = onboarding.foreign_host_refused(
        "http://127.0.0.2:9", [_hop(200, PAGE)], blocked_url=None, decoy_requests=[],
        walk_error=None)
    assert judgement.passed, judgement.message()
    assert any("refused with a 200 page" in w for w in judgement.warnings)


def test_decoy_records_requests_without_values() -> None:
    with decoy_server() as decoy:
        assert decoy.host.startswith("127.0.0.")
        response = httpx.post(f"{decoy.base_url}/demo/app/token?client_secret=s3cr3t",
                              data={"code": "abc"}, timeout=5)
        assert response.status_code == 200 and "access_token" in response.json()
        seen = decoy.requests
    assert len(seen) == 1
    assert seen[0].path == "/demo/app/token" and seen[0].query_keys == ("client_secret",)
    assert "s3cr3t" not in seen[0].describe() and "abc" not in seen[0].describe()


# ---- ONB-10 --------------------------------------------------------------------------------------

def test_onb10_reports_secret_query_keys_on_sb_requests_and_suite_leaks() -> None:
    authorize = _exchange(1, "authorize", path="/demo/app/auth", method="GET",
                          query={"client_id": ["x"], "client_secret": ["[redacted]"]})
    judgement = onboarding.secrets_not_exposed(
        [_hop(200, exposed=("body: a harness secret",))], [authorize],
        leaks=["GET /done -> 200: an SB token in the page"])
    text = judgement.message()
    assert not judgement.passed
    assert "client_secret in the request URL" in text
    assert "body: a harness secret" in text and "SB token in the page" in text


# ---- ONB-11 --------------------------------------------------------------------------------------

def _app_token_exchange(seq: int, **changes: Any) -> Exchange:
    values: dict[str, Any] = dict(path="/demo/authentication/getaccesstoken",
                                  request_content_type="application/json",
                                  request_body={"apptoken": "[redacted]"})
    values.update(changes)
    return _exchange(seq, "getaccesstoken", **values)


def test_onb11_app_token_exchange_passes_and_fails() -> None:
    assert onboarding.app_token_exchanged([_app_token_exchange(1)], environment="demo").passed
    wrong_key = _app_token_exchange(1, request_body={"token": "[redacted]"}, status=400)
    judgement = onboarding.app_token_exchanged([wrong_key], environment="demo")
    assert not judgement.passed and "['token']" in judgement.message()
    stray = _exchange(1, "unknown", path="/demo/app/apptoken", status=404)
    judgement = onboarding.app_token_exchanged([stray], environment="demo")
    assert not judgement.passed and "never posted its app token" in judgement.message()


def _api(seq: int, environment: str, token_fp: str) -> Exchange:
    return _exchange(seq, "api", environment=environment, method="GET",
                     path=f"/{environment}/api/administrations",
                     request_headers={"authorization": f"Bearer {token_fp}"})


def test_onb11_admin_level_needs_scopes_and_a_token_per_environment() -> None:
    scopes = _exchange(1, "getscopes", environment=None, path="/authentication/getscopes")
    demo = _exchange(2, "token", path="/demo/app/token", facts={"issued_access_fp": "fp:d"})
    acme = _exchange(3, "token", environment="acme", path="/acme/app/token",
                     facts={"issued_access_fp": "fp:a"})
    good = [scopes, demo, acme, _api(4, "demo", "fp:d"), _api(5, "acme", "fp:a")]
    assert onboarding.admin_tokens_per_environment(good).passed
    reused = [scopes, demo, _api(4, "demo", "fp:d"), _api(5, "acme", "fp:d")]
    judgement = onboarding.admin_tokens_per_environment(reused)
    assert not judgement.passed and "token issued for demo" in judgement.message()
    no_scopes = onboarding.admin_tokens_per_environment([demo, _api(4, "demo", "fp:d")])
    assert not no_scopes.passed and "getscopes" in no_scopes.message()


def test_onb11_admin_token_used_in_an_environment_is_named_from_the_journal_fact() -> None:
    scopes = _exchange(1, "getscopes", environment=None, path="/authentication/getscopes")
    admin = _exchange(2, "token", environment=None, path="/app/token",
                      facts={"issued_access_fp": "fp:adm"})
    # the journal records the presented token as the access_fp fact
    call = _exchange(3, "api", environment="demo", method="GET", status=401,
                     path="/demo/api/administrations", facts={"access_fp": "fp:adm"})
    judgement = onboarding.admin_tokens_per_environment([scopes, admin, call])
    assert not judgement.passed
    assert "reuses the token issued for admin in demo" in judgement.message()
    assert "never got a token at /demo/app/token" in judgement.message()


def test_onb11_admin_calls_with_a_token_never_requested_for_the_environment_fail() -> None:
    scopes = _exchange(1, "getscopes", environment=None, path="/authentication/getscopes")
    demo = _exchange(2, "token", path="/demo/app/token", facts={"issued_access_fp": "fp:d"})
    judgement = onboarding.admin_tokens_per_environment(
        [scopes, demo, _api(3, "demo", "fp:d"), _api(4, "acme", "fp:unknown")])
    assert not judgement.passed
    assert "never got a token at /acme/app/token" in judgement.message()


# ---- ONB-12 --------------------------------------------------------------------------------------

def _recovery(**changes: Any) -> Any:
    code = _exchange(10, "token", path="/demo/app/token",
                     facts={"grant_type": "authorization_code"})
    values: dict[str, Any] = dict(
        blocked_outcome="failed", blocked_output="re-authorization needed",
        blocked_exchanges=[], walk_final_status=200, walk_error=None, walk_exchanges=[code],
        after_outcome="synced", after_output="ok",
        after_exchanges=[_exchange(20, "api", method="GET", path="/demo/api/administrations")],
    )
    values.update(changes)
    return onboarding.consent_withdrawal_recovered(**values)


def test_onb12_passes_a_clean_recovery() -> None:
    assert _recovery().passed


def test_onb12_fails_for_silent_success_and_for_a_refresh_loop() -> None:
    assert "reported success" in _recovery(blocked_outcome="synced").message()
    loop = [_exchange(i, "token", path="/demo/app/token", status=400,
                      facts={"grant_type": "refresh_token", "error": "invalid_grant"})
            for i in range(1, 7)]
    judgement = _recovery(blocked_exchanges=loop)
    assert not judgement.passed and "6 token refreshes" in judgement.message()


def test_onb12_warns_when_the_failure_does_not_mention_reauthorization() -> None:
    judgement = _recovery(blocked_output="HTTP 401")
    assert judgement.passed and judgement.warnings


def test_onb12_fails_without_a_new_code_exchange() -> None:
    judgement = _recovery(walk_exchanges=[])
    assert not judgement.passed and "no code was exchanged" in judgement.message()


# ---- ONB-13 --------------------------------------------------------------------------------------

def test_onb13_fails_for_a_wildcard_and_an_unregistered_uri() -> None:
    uri = "https://app.example/cb/*"
    attempt = _exchange(1, "authorize", method="GET", query={"redirect_uri": [uri]},
                        facts={"redirect_uri_registered": False})
    judgement = onboarding.redirect_uri_exact(uri, mode="production", attempts=[attempt])
    assert not judgement.passed
    assert "wildcard" in judgement.message() and "did not accept" in judgement.message()


# ---- ONB-02: the first API call during the onboarding or in the first sync ------------------

BASE = "http://sb/demo"


def _connected(exchanges: list[Exchange], first_sync: list[Exchange] | None) -> Any:
    return onboarding.known_customer_connected(
        BASE, authorize_url=f"{BASE}/app/auth?client_id=x", blocked_host=None, walk_error=None,
        final_status=200, final_url="https://app.example/cb", exchanges=exchanges,
        first_sync=first_sync)


def _api_call(seq: int, status: int = 200) -> Exchange:
    return _exchange(seq, "api", method="GET", path="/demo/api/administrations", status=status)


def test_onb02_says_the_first_call_came_during_the_onboarding() -> None:
    judgement = _connected([_exchange(1, "token"), _api_call(2)], None)
    assert judgement.passed and "during the onboarding" in judgement.sentence


def test_onb02_app_that_only_stores_tokens_passes_through_its_first_sync() -> None:
    judgement = _connected([_exchange(1, "token")], [_api_call(5)])
    assert judgement.passed, judgement.message()
    assert "in the first sync (the app made no API call while onboarding)" in judgement.sentence


def test_onb02_fails_when_neither_the_onboarding_nor_the_first_sync_calls_successfully() -> None:
    judgement = _connected([_exchange(1, "token")], [_api_call(5, status=400)])
    assert not judgement.passed
    assert "neither while onboarding nor in the first sync" in judgement.findings[0]
    assert "-> 400" in judgement.findings[0]


def test_onb02_app_token_stored_at_hand_off_is_exchanged_in_the_first_sync() -> None:
    exchanged = _exchange(4, "getaccesstoken", path="/demo/authentication/getaccesstoken")
    judgement = onboarding.app_token_customer_connected(
        BASE, handed_over=True, detail="exit 0", exchanges=[], first_sync=[exchanged, _api_call(5)])
    assert judgement.passed, judgement.message()
    assert "only stored the token at the hand-off" in judgement.sentence
    never = onboarding.app_token_customer_connected(
        BASE, handed_over=True, detail="exit 0", exchanges=[], first_sync=[])
    assert not never.passed and "neither at the hand-off nor in the first sync" in never.message()


def test_token_issued_tells_a_connection_from_none() -> None:
    assert onboarding.token_issued([_exchange(1, "token")])
    assert not onboarding.token_issued([_exchange(1, "token", status=400)])


def test_onb12_accepts_dutch_reauthorization_and_quotes_unclassified_wording() -> None:
    dutch = _recovery(blocked_output="De koppeling is ingetrokken; koppel opnieuw via AFAS.")
    assert dutch.passed and not dutch.warnings
    odd = _recovery(blocked_output="Fehler 17")
    assert odd.passed and "'Fehler 17'" in odd.warnings[0]
