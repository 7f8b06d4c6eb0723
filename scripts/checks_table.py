"""Print the README's table of checks: ID, area, severity, title, whether a suite runs it, and
whether it runs live (against AFAS's own development environment through the proxy)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks.catalog import CHECKS  # noqa: E402


def implemented() -> set[str]:
    """Check IDs that some suite test carries."""
    found: set[str] = set()
    for path in (ROOT / "suites").rglob("test_*.py"):
        found.update(re.findall(r'mark\.check\("([A-Z]{3}-\d\d)"\)', path.read_text("utf-8")))
    return found


def table() -> str:
    """The markdown table."""
    done = implemented()
    lines = ["| ID | area | severity | check | runs | live |", "|---|---|---|---|---|---|"]
    for check in CHECKS.values():
        lines.append(f"| {check.id} | {check.area} | {check.severity} | {check.title} | "
                     f"{'yes' if check.id in done else 'not yet'} | {check.live.label} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
