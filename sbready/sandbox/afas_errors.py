"""AFAS's own response bodies for errors and write results, shaped as AFAS documents them.

Sources (AFASSoftware/OASContent, markdownpages/sb/en/troubleshooting and the spec's shared
400/401/403 responses): 401 and 403 carry no ExceptionCode, and the troubleshooting page adds
a `Details` line ("Afas.Core.Exceptions.NotAuthenticatedException: ..."), which the
`observed` dialect sends; DS3100 has `DefinitionName` in lower case ("address.
UpdateConnectorHandler") and `PropertyNames` empty; a filter SB cannot read answers
"Ongeldig gebruikersfilter." with ExceptionType AntaUserException. The messages for 404, 429,
500 and 503 are our assumption (AFAS documents none of them for SB).

What we add to help the app's developer never goes into AFAS's body: it travels in the
response header EXPLANATION_HEADER and in the journal (fact "explanation").
"""

from __future__ import annotations

import uuid
from typing import Any

_MESSAGES = {
    401: ("Er is geen ingelogde gebruiker.", "NotAuthenticatedException"),
    403: ("De ingelogde gebruiker heeft niet voldoende rechten.", "NotAuthorizedException"),
    404: ("De opgevraagde resource bestaat niet.", "NotFoundException"),
    429: ("Te veel verzoeken; probeer het later opnieuw.", "TooManyRequestsException"),
    500: ("Er is een onverwachte fout opgetreden.", "InternalServerErrorException"),
    503: ("De dienst is tijdelijk niet beschikbaar.", "ServiceUnavailableException"),
}


EXPLANATION_HEADER = "X-Sbready-Explanation"  # ours: why the sandbox answered as it did
UNAUTHENTICATED = frozenset({401, 403})  # AFAS's documented bodies: no ExceptionCode
BAD_FILTER_MESSAGE = "Ongeldig gebruikersfilter."


def header_safe(text: str, limit: int = 600) -> str:
    """`text` as one printable ASCII header line (non-ASCII replaced), at most `limit` long."""
    cleaned = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text.replace("\n", " "))
    return cleaned[:limit]


def trace_id() -> str:
    """A TraceId as AFAS writes it: 32 hex characters."""
    return uuid.uuid4().hex


def status_body(status: int, message: str | None = None, *,
                observed: bool = False) -> dict[str, Any]:
    """AFAS's error body for a non-validation status (401, 403, 404, 429, 500, 503, ...).

    401/403 have no ExceptionCode (spec and troubleshooting page); `observed` adds the
    troubleshooting page's `Details` line to them.
    """
    default_message, exception_type = _MESSAGES.get(status, ("Fout.", "Exception"))
    text = message or default_message
    if status not in UNAUTHENTICATED:
        return {"StatusCode": status, "Message": text, "ExceptionCode": "",
                "TraceId": trace_id(), "AdditionalInfo": {"ExceptionType": exception_type}}
    body: dict[str, Any] = {"StatusCode": status, "Message": text, "TraceId": trace_id()}
    if observed:
        reason = "Unauthorized (401)" if status == 401 else "Forbidden (403)"
        body["Details"] = (f"Afas.Core.Exceptions.{exception_type}: {text}\r\n"
                           f"StatusCode: {reason}")
    body["AdditionalInfo"] = {"ExceptionType": exception_type}
    return body


def bad_filter_body() -> dict[str, Any]:
    """SB's 400 for a filter it cannot read (the spec's shared 400 example)."""
    return {"StatusCode": 400, "Message": BAD_FILTER_MESSAGE, "TraceId": trace_id(),
            "AdditionalInfo": {"ExceptionType": "AntaUserException"}}


def ds3100_body(detail: str, definition: str = "", property_names: str = "") -> dict[str, Any]:
    """AFAS's 400 for a request body that does not deserialize or validate (DS3100)."""
    return {
        "StatusCode": 400,
        "Message": f"Invalid JSON request {detail}".rstrip(),
        "ExceptionCode": "DS3100",
        "TraceId": trace_id(),
        "AdditionalInfo": {
            "ExceptionType": "DeserializationException",
            "DefinitionName": definition,
            "PropertyNames": property_names,
        },
    }


def write_result(
    result: str, instances: list[dict[str, Any]] | None = None, errors: list[Any] | None = None
) -> dict[str, Any]:
    """The 200 body of every POST/PUT/DELETE: Succeeded, PartiallySucceeded or Failed."""
    return {
        "result": result,
        "traceId": str(uuid.uuid4()),
        "instances": instances or [],
        "errors": errors or [],
    }


def oauth_error(error: str, description: str) -> dict[str, str]:
    """An OAuth error body as SB's token endpoint answers it."""
    return {"error": error, "error_description": description}
