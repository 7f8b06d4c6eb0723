"""The demo app after SB's Failed: a Failed that made the entry is never sent again as a new
request; the same_id_after_failed style re-sends it with the same Tracking-Identifier (SB
answers from its cache); the resend_failed_new_id flaw sends it under a new one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from examples.demo_partner.errors import DemoPartnerError
from examples.demo_partner.styles import STYLE_ENV
from tests.test_demo_partner_unit import FakeSb, _store, _sync

HALF_MADE = {"result": "Failed", "traceId": "tf", "instances": [], "errors": [
    "Entity is made with one or more errors. Please correct this error in application or "
    "delete SalesJournalEntry with id: b32ee6e1-f807-4644-a6d5-d785d8bd7c61",
    "De factuurdatum ligt vóór de beginbalansdatum. Dit is niet toegestaan."]}
FIRST = "DP-2024-0001"


def _first_invoice_fails(fake: FakeSb) -> None:
    def rule(request: httpx.Request) -> httpx.Response | None:
        is_first = request.method == "POST" and FIRST.encode() in request.content
        return httpx.Response(200, json=HALF_MADE) if is_first else None

    fake.rules.append(rule)


def _identifiers_of_first(fake: FakeSb) -> list[str]:
    return [r.headers["tracking-identifier"] for r in fake.calls("POST", "salesjournalentry")
            if FIRST.encode() in r.content]


def _two_syncs(tmp_path: Path, flaws: tuple[str, ...] = ()) -> tuple[FakeSb, str]:
    fake = FakeSb()
    _first_invoice_fails(fake)
    store = _store(tmp_path)
    with pytest.raises(DemoPartnerError, match="Entity is made with one or more errors"):
        _sync(store, fake, flaws)
    with pytest.raises(DemoPartnerError) as second:
        _sync(store, fake, flaws)
    return fake, str(second.value)


def test_a_half_made_entry_is_not_sent_again(tmp_path: Path) -> None:
    fake, message = _two_syncs(tmp_path)
    assert len(_identifiers_of_first(fake)) == 1
    assert f"entry {FIRST} is not sent again: SB made it with errors before" in message


def test_the_same_id_style_resends_it_with_the_same_identifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STYLE_ENV, "same_id_after_failed")
    fake, message = _two_syncs(tmp_path)
    first, again = _identifiers_of_first(fake)
    assert first == again and "Entity is made with one or more errors" in message


def test_the_flaw_resends_it_under_a_new_identifier(tmp_path: Path) -> None:
    fake, _ = _two_syncs(tmp_path, ("resend_failed_new_id",))
    first, again = _identifiers_of_first(fake)
    assert first != again
