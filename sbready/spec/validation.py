"""The one JSON Schema validator and format checker for SB bodies: the sandbox and the judges.

The sandbox's writes (DS3100), INT-03 (request bodies) and INT-09 (the contract run's answers)
all validate here, so the sandbox and the judge cannot disagree on what a valid body is.

- Dialect: Draft 4, the dialect of OpenAPI 3.0 (boolean exclusiveMinimum/Maximum); schemas are
  first made self-contained by `sbready.spec.schemas` (refs resolved, `nullable` as a null type).
- multipleOf in exact decimal arithmetic: 19.99 is a multiple of 0.01 (floats say it is not).
- Formats asserted: `uuid` (8-4-4-4-12 hex) and `date` (yyyy-MM-dd, a real calendar day), the
  formats SB answers DS3100 for. Every other format (SB's .NET names such as "decimal?" and
  "DateTime?", "date-time") is an annotation only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from typing import Any

from jsonschema import Draft4Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

ASSERTED_FORMATS = ("uuid", "date")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("uuid")
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.match(value))


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    # Python 3.11's fromisoformat also takes "20240101"; SB's dates are yyyy-MM-dd only
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        return False
    date.fromisoformat(value)
    return True


def is_multiple_of(value: int | float, step: int | float) -> bool:
    """Whether `value` is a multiple of `step`, exactly as decimals (19.99 of 0.01) or as JSON
    Schema validators divide floats (-3.46e+32 of 0.01, too large for decimal arithmetic)."""
    try:
        if (Fraction(str(value)) / Fraction(str(step))).denominator == 1:
            return True
        quotient = float(value) / float(step)
    except (ValueError, ArithmeticError):  # inf, nan, a zero step
        return False
    return math.isfinite(quotient) and quotient == int(quotient)


def _multiple_of(
    validator: Any, step: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """multipleOf with exact decimal arithmetic (floats reject 19.99 as a multiple of 0.01)."""
    if not validator.is_type(instance, "number"):
        return
    if not is_multiple_of(instance, step):
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


SbValidator = validators.extend(Draft4Validator, {"multipleOf": _multiple_of})
_CACHE: dict[int, tuple[dict[str, Any], Any]] = {}


def sb_validator(schema: dict[str, Any]) -> Any:
    """The validator for one resolved, converted schema (cached per schema object)."""
    cached = _CACHE.get(id(schema))
    if cached is None or cached[0] is not schema:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        cached = _CACHE[id(schema)] = (schema, SbValidator(schema,
                                                           format_checker=FORMAT_CHECKER))
    return cached[1]


def schema_errors(body: Any, schema: dict[str, Any]) -> list[ValidationError]:
    """Every violation of `schema` by `body`, in document order (by JSON path)."""
    return sorted(sb_validator(schema).iter_errors(body),
                  key=lambda error: [str(part) for part in error.absolute_path])


def violation_lines(body: Any, schema: dict[str, Any], *, limit: int = 10,
                    width: int = 300) -> list[str]:
    """At most `limit` one-line violations: "InvoiceLine/0/AmountVat: 'x' is not ..."."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message[:width]}"
        for error in schema_errors(body, schema)[:limit]
    ]
