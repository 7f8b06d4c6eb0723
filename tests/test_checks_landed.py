"""ERR-05, ERR-08 and INT-08 judge what landed in SB; the request pattern is only evidence.

SB answers a retry with the same Tracking-Identifier from its cache (replayed), so such a
re-send is safe; a re-send under a new identifier of an entry SB had made (also by a Failed
that made it anyway) is a new request: it fails the checks, naming the entry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checks import error_handling, integration, landed
from checks.error_handling import JudgedWrite, WriteResultRun
from sbready.sandbox.journal import Exchange

ENTRY = "/api/salesjournalentry"
BODY = {"AdministrationId": "A1", "InvoiceNumber": "DP-S-1", "InvoiceLine": []}
HALF_MADE = "Entity is made with one or more errors. ... delete SalesJournalEntry with id: e-1"
ALREADY = "SalesJournalEntry with invoicenumber DP-S-1 already exists"
TARGET = JudgedWrite("post_salesjournalentry_2.0_create", "the app's first write whose "
                     "documented answer carries result/instances/errors")


def post(seq: int, *, tid: str | None = "t-1", status: int = 200, fault: str | None = None,
         body: Any = None, **facts: Any) -> Exchange:
    """One journaled POST of the entry."""
    return Exchange(
        seq=seq, started=float(seq), duration_ms=5.0, environment="demo", kind="api",
        client_id="demo-partner", method="POST", url=f"http://sb/demo{ENTRY}",
        path=f"/demo{ENTRY}", api_path=ENTRY, query={}, request_headers={},
        request_content_type="application/json", request_body=BODY if body is None else body,
        status=status, response_headers={}, response_body=None,
        operation_id="post_salesjournalentry_2.0_create", fault=fault,
        facts={"tracking_identifier": tid, "replayed": False, **facts},
    )


def injected_failed(seq: int = 1) -> Exchange:
    """SB answered Failed but made the entry (AFAS's half-made Failed)."""
    return post(seq, fault="write_result Failed (entry made) (fault-1)", result="Failed",
                errors=[HALF_MADE], created_id="e-1", half_made=True)


def replay_of(first: Exchange, seq: int) -> Exchange:
    return post(seq, tid=first.facts["tracking_identifier"], replayed=True,
                **{k: v for k, v in first.facts.items() if k not in ("tracking_identifier",
                                                                      "replayed")})


HELD_ONCE = [{**BODY, "Id": "e-1"}]
REPORTED = "SB rejected entry DP-S-1: result Failed: ... (traceId x)"


def partial_run(seq: int = 10) -> WriteResultRun:
    partial = post(seq, tid="t-9", fault="write_result PartiallySucceeded (fault-2)",
                   body={**BODY, "InvoiceNumber": "DP-S-2"}, result="PartiallySucceeded",
                   created_id="e-2")
    return WriteResultRun("PartiallySucceeded", [partial], "failed", "SB only partly accepted "
                          "entry DP-S-2", [], [{**BODY, "InvoiceNumber": "DP-S-2", "Id": "e-2"}])


# --- ERR-05 ---------------------------------------------------------------------------------

def test_same_identifier_resend_after_a_half_made_failed_passes_err05() -> None:
    first = injected_failed()
    run = WriteResultRun("Failed", [first], "failed", REPORTED, [replay_of(first, 2)],
                         HELD_ONCE)
    judgement = error_handling.write_result_honoured([run, partial_run()], target=TARGET)
    assert judgement.passed, judgement.message()
    assert "same Tracking-Identifier (#2 POST" in judgement.sentence
    assert "post_salesjournalentry_2.0_create" in judgement.sentence


def test_resend_of_a_half_made_entry_under_a_new_identifier_fails_err05_naming_it() -> None:
    first = injected_failed()
    resent = post(2, tid="t-2", result="Failed", errors=[ALREADY])
    run = WriteResultRun("Failed", [first], "failed", REPORTED, [resent], HELD_ONCE)
    judgement = error_handling.write_result_honoured([run, partial_run()], target=TARGET)
    assert not judgement.passed
    [finding] = judgement.findings
    assert "invoice DP-S-1, which SB had made at #1 POST" in finding
    assert "(Failed; id e-1)" in finding
    assert "another Tracking-Identifier (t-2 instead of t-1) at #2" in finding
    assert f"SB refused it: {ALREADY}" in finding


def test_a_resend_that_duplicates_an_entry_fails_err05_with_both_ids() -> None:
    first = injected_failed()
    duplicate = post(2, tid=None, result="Succeeded", created_id="e-9")
    run = WriteResultRun("Failed", [first], "failed", REPORTED, [duplicate],
                         [*HELD_ONCE, {**BODY, "Id": "e-9"}])
    judgement = error_handling.write_result_honoured([run], target=TARGET)
    assert not judgement.passed
    assert any("with no Tracking-Identifier" in f and "SB made it a second time (e-9)" in f
               for f in judgement.findings)
    assert any("SB now holds invoice DP-S-1 2 times (e-1, e-9)" in f for f in judgement.findings)


def test_same_identifier_resend_after_partially_succeeded_passes_new_identifier_fails() -> None:
    run = partial_run()
    first = run.exchanges[0]
    replayed = WriteResultRun(run.result, run.exchanges, run.outcome, run.output,
                              [replay_of(first, 11)], run.held)
    assert error_handling.write_result_honoured([replayed]).passed
    duplicate = post(11, tid="t-11", body=first.request_body, result="Succeeded",
                     created_id="e-3")
    doubled = WriteResultRun(run.result, run.exchanges, run.outcome, run.output, [duplicate],
                             [*run.held, {**first.request_body, "Id": "e-3"}])
    judgement = error_handling.write_result_honoured([doubled])
    assert not judgement.passed
    assert any("after PartiallySucceeded: invoice DP-S-2, which SB had made" in f
               and "SB made it a second time (e-3)" in f for f in judgement.findings)
    assert any("SB now holds invoice DP-S-2 2 times (e-2, e-3)" in f for f in judgement.findings)


def test_posting_anew_after_deleting_the_half_made_entry_is_no_resend() -> None:
    first = injected_failed()
    deleted = replace(post(2, tid="t-d", body={"Id": "e-1"}, result="Succeeded"),
                      method="DELETE")
    anew = post(3, tid="t-3", result="Succeeded", created_id="e-5")
    run = WriteResultRun("Failed", [first], "failed", REPORTED, [deleted, anew],
                         [{**BODY, "Id": "e-5"}])
    judgement = error_handling.write_result_honoured([run])
    assert judgement.passed, judgement.message()


def test_failed_reported_only_in_dutch_words_passes_and_silent_success_fails() -> None:
    first = injected_failed()
    dutch = WriteResultRun("Failed", [first], "synced", "Boeking DP-S-1 is mislukt in AFAS SB.",
                           [], HELD_ONCE)
    assert error_handling.write_result_honoured([dutch]).passed
    silent = WriteResultRun("Failed", [first], "synced", "posted 1 entries", [], HELD_ONCE)
    judgement = error_handling.write_result_honoured([silent])
    assert not judgement.passed and "but the sync reported success" in judgement.findings[0]


def test_resending_after_a_failed_that_made_nothing_is_no_finding() -> None:
    nothing = post(1, fault="write_result Failed (nothing made) (fault-1)", result="Failed",
                   errors=["FeatureToggle not enabled"])
    again = post(2, tid="t-2", result="Succeeded", created_id="e-1")
    run = WriteResultRun("Failed", [nothing], "failed", REPORTED, [again], HELD_ONCE)
    assert error_handling.write_result_honoured([run]).passed


def test_no_injected_answer_is_a_finding_naming_the_judged_operation() -> None:
    run = WriteResultRun("Failed", [], "synced", "nothing to do")
    judgement = error_handling.write_result_honoured([run], target=TARGET)
    assert not judgement.passed
    assert "no write that SB could answer Failed (judged: post_salesjournalentry" in \
        judgement.findings[0]


# --- ERR-08 ---------------------------------------------------------------------------------

def lost(seq: int = 1, tid: str | None = "t-1") -> Exchange:
    """The answer was lost after SB made the entry."""
    return post(seq, tid=tid, status=0, fault="response_lost (fault-1)", result="Succeeded",
                created_id="e-1")


def test_same_identifier_retry_after_a_lost_answer_passes_err08() -> None:
    first = lost()
    judgement = error_handling.retried_with_same_identifier(
        [first, replay_of(first, 2)], HELD_ONCE, sync_outcome="synced", sync_output="posted 1",
        target=TARGET)
    assert judgement.passed, judgement.message()
    assert "answered it from its cache (#2 POST" in judgement.sentence


def test_retry_under_a_new_identifier_fails_err08_even_when_sb_refused_it() -> None:
    resent = post(2, tid="t-2", result="Failed", errors=[ALREADY])
    judgement = error_handling.retried_with_same_identifier(
        [lost(), resent], HELD_ONCE, sync_outcome="failed", sync_output=ALREADY)
    assert not judgement.passed
    assert any("#2 POST /demo/api/salesjournalentry -> 200 retried #1" in f
               and "another Tracking-Identifier (t-2 instead of t-1)" in f
               and "SB refused it" in f for f in judgement.findings)


def test_completing_the_entry_on_the_next_sync_passes_err08_with_a_warning() -> None:
    first = lost()
    next_sync = error_handling.FollowUp([replay_of(first, 5)], "synced", "posted 1")
    judgement = error_handling.retried_with_same_identifier(
        [first], HELD_ONCE, sync_outcome="failed", sync_output="no answer from SB",
        follow_up=next_sync)
    assert judgement.passed, judgement.message()
    assert "the next sync completed the entry" in judgement.warnings[0]
    resent = post(5, tid="t-5", result="Failed", errors=[ALREADY])
    blind = error_handling.retried_with_same_identifier(
        [first], HELD_ONCE, sync_outcome="failed", sync_output="no answer from SB",
        follow_up=error_handling.FollowUp([resent], "failed", ALREADY))
    assert not blind.passed
    assert any("another Tracking-Identifier (t-5 instead of t-1)" in f for f in blind.findings)
    assert any(f"the sync did not succeed: {ALREADY}" in f for f in blind.findings)


def test_lost_write_without_identifier_and_duplicated_in_sb() -> None:
    first = lost(tid=None)
    retry = post(2, tid=None, result="Succeeded", created_id="e-2")
    judgement = error_handling.retried_with_same_identifier(
        [first, retry], [*HELD_ONCE, {**BODY, "Id": "e-2"}], sync_outcome="synced",
        sync_output="")
    assert not judgement.passed
    assert any("carried no Tracking-Identifier" in f for f in judgement.findings)
    assert any("(invoice DP-S-1) 2 times (e-1, e-2)" in f for f in judgement.findings)


def test_without_a_declared_identifier_only_what_sb_holds_is_judged() -> None:
    undeclared = JudgedWrite("post_x_1.0_create", "declares none",
                             declares_tracking_identifier=False)
    checked = post(2, tid=None, result="Failed", errors=[ALREADY])
    judgement = error_handling.retried_with_same_identifier(
        [lost(tid=None), checked], HELD_ONCE, sync_outcome="synced", sync_output="posted 1",
        target=undeclared)
    assert judgement.passed, judgement.message()


def test_an_entry_that_never_landed_although_the_sync_says_synced_fails_err08() -> None:
    held_back = post(1, status=0, fault="timeout: held 1 s (fault-1)")
    judgement = error_handling.retried_with_same_identifier(
        [held_back], [], sync_outcome="synced", sync_output="posted 1")
    assert not judgement.passed and "0 times" in judgement.findings[0]


# --- INT-08 and the shared helpers ------------------------------------------------------------

def test_int08_counts_across_environments_and_names_new_request_resends() -> None:
    made_demo = post(1, result="Succeeded", created_id="e-1")
    other = {**BODY, "AdministrationId": "B7"}
    made_acme = post(2, tid="t-7", body=other, result="Succeeded", created_id="e-7")
    resent = post(3, tid="t-3", result="Failed", errors=[ALREADY])
    held = {ENTRY: [*HELD_ONCE, {**other, "Id": "e-7"}]}
    judgement = integration.expected_writes_landed(
        [made_demo, made_acme], [resent], held, {ENTRY: 2}, sync_outcome="synced",
        sync_output="")
    assert not judgement.passed
    [finding] = judgement.findings
    assert "invoice DP-S-1 was sent 2 times as a new request (#1 POST" in finding
    assert f"SB refused it: {ALREADY}" in finding
    fine = integration.expected_writes_landed(
        [made_demo, made_acme], [replay_of(made_demo, 3)], held, {ENTRY: 2},
        sync_outcome="synced", sync_output="")
    assert fine.passed, fine.message()


def test_entry_keys_follow_administration_and_invoice_number() -> None:
    assert landed.entry_key(BODY) == landed.entry_key({**BODY, "Description": "changed"})
    assert landed.entry_key(BODY) != landed.entry_key({**BODY, "AdministrationId": "B7"})
    assert landed.entry_key({"Name": "X", "Id": "1"}) == landed.entry_key({"Name": "X"})
    assert landed.held_twice([{"Name": "X", "Id": "1"}, {"Name": "X", "Id": "2"}]) == {
        '{"Name": "X"}': ["1", "2"]}
