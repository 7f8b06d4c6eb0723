"""The Redactor: registered secrets and well-known secret keys never survive into evidence."""

from __future__ import annotations

import threading

from sbready.secrets import REDACTED, Redactor

SECRET = "client-secret-value/with+specials"


def test_registered_secret_is_replaced_everywhere_including_url_encoded() -> None:
    redactor = Redactor([SECRET])
    text = f"posted {SECRET} and again https://x/?s=client-secret-value%2Fwith%2Bspecials end"
    redacted = redactor.redact(text)
    assert "client-secret-value" not in redacted
    assert redacted.count(REDACTED) == 2
    assert redactor.contains_secret(text) and not redactor.contains_secret(redacted)


def test_empty_and_short_secrets_are_ignored() -> None:
    redactor = Redactor(["", None, "abc"])
    assert redactor.secret_count == 0
    assert redactor.redact("abc is a word") == "abc is a word"


def test_secrets_added_later_are_redacted_and_longest_wins() -> None:
    redactor = Redactor()
    redactor.add("token-123456")
    redactor.add("token-123456-and-more")
    assert redactor.redact("x token-123456-and-more y") == f"x {REDACTED} y"
    assert redactor.redact("x token-123456 y") == f"x {REDACTED} y"


def test_well_known_keys_in_query_strings_and_forms() -> None:
    redactor = Redactor()
    url = (
        "https://app/cb?code=abc123&state=keep-me&error_code=E1"
        "&client_secret=zzz&code_verifier=vvv&response_type=code&code_challenge=ch"
    )
    redacted = redactor.redact(url)
    assert "abc123" not in redacted and "zzz" not in redacted and "vvv" not in redacted
    assert "state=keep-me" in redacted and "error_code=E1" in redacted
    assert "response_type=code" in redacted and "code_challenge=ch" in redacted
    form = "grant_type=refresh_token&refresh_token=rt-1&password=pw"
    assert redactor.redact(form) == (
        f"grant_type=refresh_token&refresh_token={REDACTED}&password={REDACTED}"
    )


def test_well_known_keys_in_json_text_and_bearer_headers() -> None:
    redactor = Redactor()
    text = '{"access_token": "at-1", "token_type": "bearer", "apptoken":"ap\\"x"}'
    redacted = redactor.redact(text)
    assert "at-1" not in redacted and 'ap\\"x' not in redacted
    assert '"token_type": "bearer"' in redacted
    header = "Authorization: Bearer eyJabc.def"
    assert redactor.redact(header) == f"Authorization: Bearer {REDACTED}"
    assert redactor.redact("Bearer fp:0123456789ab") == "Bearer fp:0123456789ab"


def test_redact_json_recurses_and_blanks_secret_keys() -> None:
    redactor = Redactor([SECRET])
    value = {
        "note": f"has {SECRET}",
        "Access_Token": "at-2",
        "nested": [{"refresh_token": "rt-2", "count": 3}, "plain"],
        "code": None,
    }
    assert redactor.redact_json(value) == {
        "note": f"has {REDACTED}",
        "Access_Token": REDACTED,
        "nested": [{"refresh_token": REDACTED, "count": 3}, "plain"],
        "code": None,
    }
    assert value["Access_Token"] == "at-2"  # the input is not changed


def test_thread_safe_adds_and_redacts() -> None:
    redactor = Redactor()
    secrets = [f"secret-number-{n:04d}" for n in range(200)]

    def add(chunk: list[str]) -> None:
        for secret in chunk:
            redactor.add(secret)
            assert secret not in redactor.redact(f"<{secret}>")

    threads = [threading.Thread(target=add, args=(secrets[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert all(secret not in redactor.redact(" ".join(secrets)) for secret in secrets)
