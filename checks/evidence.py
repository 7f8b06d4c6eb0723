"""Small selectors over the sandbox journal that several checks share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sbready.evidence import Exchange, token_facts


def of_kind(exchanges: Iterable[Exchange], *kinds: str) -> list[Exchange]:
    """The exchanges of the given kinds, in order."""
    return [e for e in exchanges if e.kind in kinds]


def api_calls(exchanges: Iterable[Exchange]) -> list[Exchange]:
    """The /api/ calls, in order."""
    return of_kind(exchanges, "api")


def writes(exchanges: Iterable[Exchange]) -> list[Exchange]:
    """The /api/ calls that write (POST, PUT, DELETE)."""
    return [e for e in api_calls(exchanges) if e.method in ("POST", "PUT", "DELETE")]


def where(exchange: Exchange) -> str:
    """How a finding names an exchange: '#12 POST /demo/api/salesjournalentry -> 400'."""
    status = exchange.status if exchange.status else "no answer"
    return f"#{exchange.seq} {exchange.method} {exchange.path} -> {status}"


def code_exchanges(exchanges: Sequence[Exchange], code_fp: str) -> list[Exchange]:
    """Token requests that presented the authorization code with this fingerprint."""
    return [
        e for e in of_kind(exchanges, "token")
        if token_facts(e).code_fp == code_fp and token_facts(e).grant_type == "authorization_code"
    ]
