"""Sending one logical request with bounded retries: timeouts, dropped connections, 5xx, 429."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from examples.demo_partner.errors import SbUnavailable


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the app tries: attempts per request, growing delays, a total time budget."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    budget: float = 40.0  # seconds one logical request may take, waits included

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt number `attempt` (1-based): doubling, capped."""
        return float(min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class RetryBehaviour:
    """Deviations from the policy (only the self-test flaws switch these on)."""

    no_backoff: bool = False
    ignore_retry_after: bool = False


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; our backoff applies instead


def _describe(response: httpx.Response) -> str:
    trace = ""
    try:
        body = response.json()
        if isinstance(body, dict) and body.get("TraceId"):
            trace = f" (TraceId {body['TraceId']})"
    except ValueError:
        pass
    return f"HTTP {response.status_code}{trace}"


def send_with_retries(
    http: httpx.Client,
    build_request: Callable[[int], httpx.Request],
    *,
    what: str,
    policy: RetryPolicy,
    behaviour: RetryBehaviour | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> httpx.Response:
    """Send `build_request(attempt)` until SB answers something other than 429/5xx.

    Any other status (2xx, 4xx) is returned to the caller. Raises SbUnavailable when the
    attempts or the time budget run out.
    """
    behaviour = behaviour or RetryBehaviour()
    started = clock()
    last_problem = "no answer"
    for attempt in range(1, policy.attempts + 1):
        wait_at_least = 0.0
        try:
            response = http.send(build_request(attempt))
        except httpx.TimeoutException:
            last_problem = "timed out"
        except httpx.TransportError as error:
            last_problem = f"connection failed ({type(error).__name__})"
        else:
            if response.status_code == 429:
                last_problem = f"{_describe(response)}: too many requests"
                retry_after = _retry_after(response)
                if retry_after is not None and not behaviour.ignore_retry_after:
                    wait_at_least = retry_after
            elif response.status_code >= 500:
                last_problem = _describe(response)
            else:
                return response
        if attempt == policy.attempts:
            break
        delay = 0.0 if behaviour.no_backoff else policy.delay(attempt)
        delay = max(delay, wait_at_least)
        if clock() - started + delay > policy.budget:
            last_problem += f"; the next wait ({delay:.1f} s) would exceed {policy.budget:.0f} s"
            break
        sleep(delay)
    raise SbUnavailable(
        f"{what} failed after {attempt} attempt(s) in {clock() - started:.1f} s: {last_problem}"
    )
