"""The app's failures, each with the exit code its CLI uses."""

from __future__ import annotations


class DemoPartnerError(Exception):
    """A failure reported as one sentence; `exit_code` is what the CLI returns."""

    exit_code = 1


class UsageProblem(DemoPartnerError):
    """The operator asked for something impossible (no connection, bad file); exit 2."""

    exit_code = 2


class ReauthorizationNeeded(DemoPartnerError):
    """SB no longer accepts the stored credentials; a person must connect again; exit 3."""

    exit_code = 3


class SbUnavailable(DemoPartnerError):
    """SB did not answer usefully after bounded retries (timeouts, 5xx, 429)."""


class SbForbidden(DemoPartnerError):
    """SB answered 403: the app lacks the rights (bundle) for an operation."""


class SbRejected(DemoPartnerError):
    """SB answered 400 (e.g. DS3100): the request itself is wrong and must not be resent."""

    def __init__(self, message: str, *, exception_code: str, trace_id: str) -> None:
        super().__init__(message)
        self.exception_code = exception_code
        self.trace_id = trace_id
