"""`sb-readiness spec ...` commands."""

from __future__ import annotations

from sbready.spec.index import OperationIndex
from sbready.spec.lint import lint_report
from sbready.spec.resolve import load_spec


def lint_command(spec: str | None, sb_version: str | None) -> int:
    """Print one `<location>: <message>` line per defect and a summary; exit code 0.

    A file that is not an SB OpenAPI document raises UsageError (NotOpenAPIError), which the
    CLI prints as one line on stderr with exit code 2.
    """
    loaded = load_spec(spec=spec, sb_version=sb_version)
    report = lint_report(loaded.raw)
    for defect in report.defects:
        print(f"{defect.location}: {defect.message}")
    print(
        f"SB {loaded.sb_version} ({loaded.source}): {len(report.defects)} defects; "
        f"{report.violating_examples} of {report.response_examples} response examples "
        "violate their schema"
    )
    return 0


def diff_command(old: str, new: str) -> int:
    """Print what changed between two SB versions (or spec files); exit code 0."""
    from sbready.spec.index import diff_versions
    from sbready.spec.resolve import load_index

    def index_of(value: str) -> OperationIndex:
        is_file = "/" in value or value.endswith(".json")
        return load_index(spec=value) if is_file else load_index(sb_version=value)

    diff = diff_versions(index_of(old), index_of(new))
    lines = diff.lines()
    for line in lines:
        print(line)
    print(f"SB {diff.old_version} -> {diff.new_version}: {len(lines)} changes")
    return 0
