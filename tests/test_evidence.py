"""Typed evidence (sbready/evidence.py): facts per exchange kind, key validation, windows."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from sbready import evidence
from sbready.evidence import (
    ApiFacts,
    AppTokenFacts,
    Exchange,
    Facts,
    TokenFacts,
    api_facts,
    app_token_facts,
    consent_facts,
    facts_of,
    has_fact,
    token_facts,
    unknown_facts,
)
from sbready.sandbox.app import Sandbox
from sbready.sandbox.journal import STRICT_FACTS_ENV, Journal, UnknownFactError
from suites.support import window
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import SECRET, bearer, client_for, code_exchange_form, consent

APP_TOKEN = "planted-app-token-" + "e" * 40


def _exchange(seq: int, kind: str = "api", **facts: Any) -> Exchange:
    return Exchange(
        seq=seq, started=0.0, duration_ms=1.0, environment="demo", kind=kind, client_id="c",
        method="POST", url="http://x/demo/app/token", path="/demo/app/token", api_path=None,
        query={}, request_headers={}, request_content_type=None, request_body=None,
        status=200, response_headers={}, response_body=None, operation_id=None, facts=facts,
    )


def test_each_kind_reads_its_own_facts_and_absent_ones_as_none() -> None:
    token = _exchange(1, "token", grant_type="authorization_code", fields_present=["code"],
                      verifier_length=43, client_port=5501)
    typed = token_facts(token)
    assert isinstance(facts_of(token), TokenFacts)
    assert (typed.grant_type, typed.fields_present, typed.verifier_length) == \
        ("authorization_code", ["code"], 43)
    assert typed.client_port == 5501  # the capture layer's facts are on every kind
    assert typed.code_fp is None and typed.verifier_matches_challenge is None
    assert consent_facts(_exchange(2, "consent", code_fp="fp:abc")).code_fp == "fp:abc"
    app = _exchange(3, "getaccesstoken", issued_access_fp="fp:1", issued_for="acme")
    assert isinstance(facts_of(app), AppTokenFacts)
    assert app_token_facts(app).issued_for == "acme"
    assert type(facts_of(_exchange(4, "control"))) is Facts


def test_a_view_of_another_kind_reads_none_like_facts_get_did() -> None:
    # checks ask a mixed list "grant_type == refresh_token?": an api call answers None
    assert token_facts(_exchange(1, "api", returned=3)).grant_type is None
    assert api_facts(_exchange(2, "token", grant_type="refresh_token")).returned is None


def test_facts_classes_are_frozen_and_a_misspelt_field_is_an_error() -> None:
    typed = api_facts(_exchange(1, "api", result="Succeeded"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        typed.result = "Failed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        _ = typed.reslt  # type: ignore[attr-defined]  # mypy: "ApiFacts" has no attribute


def test_has_fact_tells_absent_from_none_and_refuses_undeclared_names() -> None:
    assert has_fact(_exchange(1, "api", result=None), "result")
    assert not has_fact(_exchange(2, "api"), "result")
    with pytest.raises(KeyError, match="matchd"):
        has_fact(_exchange(3, "api"), "matchd")


def test_journal_find_refuses_a_misspelt_fact_name() -> None:
    journal = Journal(strict_facts=True)
    journal.add(_exchange(1, "token", grant_type="refresh_token"))
    assert [e.seq for e in journal.find("token", grant_type="refresh_token")] == [1]
    with pytest.raises(KeyError, match="grant_typ"):
        journal.find("token", grant_typ="refresh_token")


def test_the_view_follows_a_changed_facts_dict() -> None:
    exchange = _exchange(1, "api", returned=1)
    assert api_facts(exchange).returned == 1
    exchange.facts["matched"] = 9  # a new key: the cached view is rebuilt
    assert api_facts(exchange).matched == 9
    exchange.facts = {"returned": 5}
    assert api_facts(exchange).returned == 5


def test_unknown_facts_names_misspelt_keys_per_kind() -> None:
    assert unknown_facts("token", {"grant_type": "x", "grnt_type": "y"}) == ["grnt_type"]
    # a token-only fact on an authorize exchange is not declared there
    assert unknown_facts("authorize", {"state_present": True, "verifier_length": 43}) == \
        ["verifier_length"]
    assert unknown_facts("api", {f.name: None for f in dataclasses.fields(ApiFacts)}) == []


def test_a_strict_journal_refuses_an_undeclared_fact() -> None:
    journal = Journal(strict_facts=True)
    journal.add(_exchange(1, "token", grant_type="authorization_code"))
    with pytest.raises(UnknownFactError, match=r"token exchange #2 .*\['grnt_type'\]"):
        journal.add(_exchange(2, "token", grnt_type="authorization_code"))
    assert [e.seq for e in journal.exchanges()] == [1]


def test_a_production_journal_keeps_the_exchange_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal = Journal(strict_facts=False)
    with caplog.at_level(logging.WARNING, logger="sbready.sandbox.journal"):
        journal.add(_exchange(1, "api", retruned=3))
        journal.add(_exchange(2, "api", retruned=4))
    assert [e.seq for e in journal.exchanges()] == [1, 2]
    warnings = [r.getMessage() for r in caplog.records if "undeclared facts" in r.getMessage()]
    assert len(warnings) == 1 and "['retruned']" in warnings[0]
    assert journal.fact_errors == ["api exchange #1 sets undeclared facts ['retruned']"]


def test_strictness_defaults_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STRICT_FACTS_ENV, "1")
    assert Journal().strict_facts
    monkeypatch.setenv(STRICT_FACTS_ENV, "0")
    assert not Journal().strict_facts
    assert Journal(strict_facts=True).strict_facts


def test_journal_json_keeps_facts_a_dict() -> None:
    journal = Journal(strict_facts=True)
    journal.add(_exchange(1, "token", grant_type="refresh_token"))
    exported = json.loads(journal.export_json())
    assert exported[0]["facts"] == {"grant_type": "refresh_token"}
    assert "_typed_facts" not in exported[0]
    token_facts(journal.exchanges()[0])  # a cached view is not exported either
    assert "_typed_facts" not in json.loads(journal.export_json())[0]


def test_every_kind_the_writers_use_has_a_facts_class() -> None:
    for kind in ("authorize", "consent", "token", "getaccesstoken", "getscopes", "api"):
        assert evidence.facts_for(kind) is not Facts, kind


@dataclass
class _FakeHarness:
    """mark/since as the harness answers them, over a journal the test fills."""

    journal: Journal = field(default_factory=lambda: Journal(strict_facts=True))

    def mark(self) -> int:
        return self.journal.last_seq()

    def since(self, mark: int) -> list[Exchange]:
        return self.journal.exchanges(since=mark)

    def request(self) -> int:
        seq = self.journal.next_seq()
        self.journal.add(_exchange(seq, "api"))
        return seq


def test_a_window_holds_what_arrived_inside_it_only() -> None:
    harness = _FakeHarness()
    harness.request()  # an earlier test's request: not this scenario's evidence
    with window(harness) as scenario:  # type: ignore[arg-type]
        inside = [harness.request(), harness.request()]
    harness.request()  # after the scenario ended
    assert [e.seq for e in scenario.exchanges] == inside
    assert (scenario.start, scenario.end) == (1, 3)


@pytest.mark.anyio
async def test_the_sandboxs_writers_set_declared_facts_only(sandbox: Sandbox) -> None:
    sandbox.activate("demo", token=APP_TOKEN)
    async with client_for(sandbox) as http:
        walk = await consent(http)
        form = code_exchange_form(walk)
        tokens = (await http.post("/demo/app/token", data=form)).json()
        await http.post("/demo/app/token", data=form)  # the code again: code_reused
        await http.post("/demo/app/token", data={
            "grant_type": "refresh_token", "client_id": "partner", "client_secret": SECRET,
            "refresh_token": tokens["refresh_token"]})
        app_access = (await http.post("/demo/authentication/getaccesstoken",
                                      json={"apptoken": APP_TOKEN})).json()["access_token"]
        await http.get("/demo/api/administrations", params={"take": "1", "skip": "0"},
                       headers=bearer(app_access))
        await http.post("/demo/api/phonenumber", headers=bearer(app_access),
                        json={"PhoneNumber": "0201234567"})
        await http.post("/demo/api/phonenumber", headers=bearer(app_access), json=[1])
        await http.get("/demo/api/no-such-thing", headers=bearer(app_access))
        await http.post("/authentication/getscopes",
                        headers={"IdentityToken": tokens["access_token"]})
        await http.post("/demo/app/token", json={"grant_type": "x"})
    journal = sandbox.journal
    assert journal.fact_errors == []
    kinds = {e.kind for e in journal.exchanges()}
    assert {"authorize", "consent", "token", "getaccesstoken", "getscopes", "api"} <= kinds
    reused = [token_facts(e).code_reused for e in journal.find("token")]
    assert reused[:2] == [False, True]
    read = journal.find("api", operation_id=journal.find("api")[0].operation_id)[0]
    assert api_facts(read).returned is not None and api_facts(read).matched is not None
