"""AFAS's own response bodies for errors and write results, shaped as AFAS documents them."""

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


def trace_id() -> str:
    """A TraceId as AFAS writes it: 32 hex characters."""
    return uuid.uuid4().hex


def status_body(status: int, message: str | None = None) -> dict[str, Any]:
    """AFAS's error body for a non-validation status (401, 403, 404, 429, 500, 503, ...)."""
    default_message, exception_type = _MESSAGES.get(status, ("Fout.", "Exception"))
    return {
        "StatusCode": status,
        "Message": message or default_message,
        "ExceptionCode": "",
        "TraceId": trace_id(),
        "AdditionalInfo": {"ExceptionType": exception_type},
    }


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
