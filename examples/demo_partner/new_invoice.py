"""`python -m examples.demo_partner.new_invoice FILE`: one new invoice for the next sync.

The readiness harness's data hook ([scenario] new_work): it writes FILE with one invoice
the app has never posted (a copy of the first demo invoice under a new number), replacing
what FILE held, so the next sync has exactly one new entry to write. The app's sync posts
FILE's invoices when DEMO_PARTNER_SCENARIO_INVOICES names it.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from examples.demo_partner.sync import DEFAULT_INVOICES


def write_new_invoice(path: Path) -> str:
    """Replace `path` with one fresh invoice; returns its number."""
    template = json.loads(DEFAULT_INVOICES.read_text(encoding="utf-8"))["invoices"][0]
    number = f"DP-S-{uuid.uuid4().hex[:10].upper()}"
    invoice = {**template, "number": number, "description": f"Scenario invoice {number}"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"invoices": [invoice]}, indent=1), encoding="utf-8")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Write the file named on the command line; exit 2 with a usage line otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m examples.demo_partner.new_invoice FILE", file=sys.stderr)
        return 2
    print(f"new invoice {write_new_invoice(Path(args[0]))} in {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
