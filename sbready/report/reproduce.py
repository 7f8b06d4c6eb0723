"""How a partner reruns a failed check, and sets up the same fault against `sb-readiness sandbox`.

The journal's `fault` field holds `FaultRule.describe()` plus the rule's id in parentheses,
e.g. "status 503, Retry-After 2 (f3)". That description and the request it hit are enough to
write the control-API call (POST /_sbready/faults) that injects the same fault again.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

SANDBOX_URL = "http://127.0.0.1:8600"  # `sb-readiness sandbox`'s default address
_RULE_ID = re.compile(r"\s*\([^()]*\)\s*$")
_NOT_APPLIED = re.compile(r";\s*not applied:.*$")


def rerun_command(base: str, check_id: str) -> str:
    """`sb-readiness run --config readiness.toml --only ERR-05` (or the demo's form)."""
    return f"{base} --only {check_id}"


def fault_rule(fault: Mapping[str, Any]) -> dict[str, Any] | None:
    """The FaultRule JSON for one journaled fault (see evidence.fault_of), or None if unknown."""
    text = str(fault.get("fault") or "")
    if not text or "not applied" in text:
        return None
    text = _RULE_ID.sub("", _NOT_APPLIED.sub("", text)).strip()
    rule: dict[str, Any] | None = None
    if match := re.fullmatch(r"status (\d{3})(?:, Retry-After ([\d.]+))?", text):
        rule = {"kind": "status", "status": int(match.group(1))}
        if match.group(2):
            rule["retry_after"] = float(match.group(2))
    elif match := re.fullmatch(r"write_result (\w+)(?: \((entry made|nothing made)\))?", text):
        rule = {"kind": "write_result", "result": match.group(1)}
        if match.group(2):
            rule["made"] = match.group(2) == "entry made"
    elif match := re.fullmatch(r"delay ([\d.]+) s", text):
        rule = {"kind": "delay", "delay": float(match.group(1))}
    elif match := re.fullmatch(r"timeout: held ([\d.]+) s.*", text):
        rule = {"kind": "timeout", "hold": float(match.group(1))}
    elif text.startswith("response_lost"):
        rule = {"kind": "response_lost"}
    elif match := re.fullmatch(r"body: answered (\d{3}) with a given body", text):
        rule = {"kind": "body", "status": int(match.group(1))}
    elif text == "ds3100":
        rule = {"kind": "ds3100"}
    if rule is None:
        return None
    rule["method"] = fault.get("method")
    rule["path"] = fault.get("path")
    if fault.get("environment"):
        rule["environment"] = fault["environment"]
    return rule


def fault_curl(rule: Mapping[str, Any], sandbox_url: str = SANDBOX_URL) -> str:
    """The curl line that injects `rule` into a running `sb-readiness sandbox`."""
    body = json.dumps(dict(rule), separators=(",", ":"))
    return (f'curl -s -X POST -H "X-Sbready-Key: $SBREADY_KEY" '
            f'-H "Content-Type: application/json" -d {shlex.quote(body)} '
            f"{sandbox_url}/_sbready/faults")
