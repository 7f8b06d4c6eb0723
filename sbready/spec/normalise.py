"""Patch the known defects of AFAS's SB OpenAPI files so every tool in the chain loads them.

Each patch is recorded with the JSON pointer of what it changed, so `spec lint` can list
the defects and a reviewer can see what the harness assumed. Response schemas are never
changed to fit their examples: that contradiction is evidence the harness uses on purpose.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")

# Keywords whose value is one sub-schema, a list of them, or a map of them.
_SUBSCHEMA_KEYS = ("items", "additionalProperties", "not")
_SUBSCHEMA_LIST_KEYS = ("allOf", "anyOf", "oneOf")

# Relative to the customer environment URL https://<subdomain>.afasfocus.nl/<environment>/.
CUSTOMER_AUTHORIZE_URL = "app/auth"
CUSTOMER_TOKEN_URL = "app/token"
# Host-absolute: the Admin Center authorizes under /admin but takes tokens at the host root.
ADMIN_AUTHORIZE_URL = "/admin/app/auth"
ADMIN_TOKEN_URL = "/app/token"


@dataclass(frozen=True)
class Patch:
    """One change normalise made: where (JSON pointer) and what, in one sentence."""

    location: str
    description: str


def pointer(*parts: str | int) -> str:
    """A JSON pointer in URI-fragment form: pointer("paths", "/api/x") -> "#/paths/~1api~1x"."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "#/" + "/".join(escaped)


def normalise(raw: dict[str, Any]) -> tuple[dict[str, Any], list[Patch]]:
    """Return a patched deep copy of an SB OpenAPI document and the patches applied.

    The raw document is left untouched. Patches: security schemes (null fields, oauth2 without
    flows, http without scheme, undefined requirements), error responses nested inside a 200,
    path parameters the path template lacks, error answers SB gives but the operation does not
    document, 3.1-style `examples` and empty/`null` types in 3.0 schemas, and `expires_in` typed
    integer although SB documents a string.
    """
    document = copy.deepcopy(raw)
    patches: list[Patch] = []
    _patch_security_schemes(document, patches)
    _patch_undefined_security(document, patches)
    _patch_nested_responses(document, patches)
    _patch_unknown_path_parameters(document, patches)
    _patch_undocumented_errors(document, patches)
    for parts, schema in list(iter_schemas(document)):
        _patch_schema(schema, parts, patches)
    return document, patches


def iter_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (path, method, operation) for every operation, in document order."""
    for path, path_item in (document.get("paths") or {}).items():
        if not isinstance(path_item, dict):
            continue
        for method in path_item:
            if method in HTTP_METHODS and isinstance(path_item[method], dict):
                yield path, method, path_item[method]


SchemaSite = tuple[tuple[str | int, ...], dict[str, Any]]


def iter_schemas(document: dict[str, Any]) -> Iterator[SchemaSite]:
    """Yield (pointer parts, schema) for every schema object in the document, nested ones too."""
    components = document.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        yield from _walk_schema(schema, ("components", "schemas", name))
    for name, parameter in (components.get("parameters") or {}).items():
        yield from _parameter_schemas(parameter, ("components", "parameters", name))
    for name, response in (components.get("responses") or {}).items():
        yield from _response_schemas(response, ("components", "responses", name))
    for name, body in (components.get("requestBodies") or {}).items():
        yield from _content_schemas(body, ("components", "requestBodies", name))
    for path, path_item in (document.get("paths") or {}).items():
        if isinstance(path_item, dict):
            for index, parameter in enumerate(path_item.get("parameters") or []):
                yield from _parameter_schemas(parameter, ("paths", path, "parameters", index))
    for path, method, operation in iter_operations(document):
        op_parts = ("paths", path, method)
        for index, parameter in enumerate(operation.get("parameters") or []):
            yield from _parameter_schemas(parameter, (*op_parts, "parameters", index))
        body = operation.get("requestBody")
        if isinstance(body, dict):
            yield from _content_schemas(body, (*op_parts, "requestBody"))
        for status, response in (operation.get("responses") or {}).items():
            yield from _response_schemas(response, (*op_parts, "responses", status))


def _walk_schema(
    schema: Any, parts: tuple[str | int, ...]
) -> Iterator[SchemaSite]:
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    yield parts, schema
    for name, sub in (schema.get("properties") or {}).items():
        yield from _walk_schema(sub, (*parts, "properties", name))
    for key in _SUBSCHEMA_KEYS:
        yield from _walk_schema(schema.get(key), (*parts, key))
    for key in _SUBSCHEMA_LIST_KEYS:
        for index, sub in enumerate(schema.get(key) or []):
            yield from _walk_schema(sub, (*parts, key, index))


def _parameter_schemas(
    parameter: Any, parts: tuple[str | int, ...]
) -> Iterator[SchemaSite]:
    if isinstance(parameter, dict):
        yield from _walk_schema(parameter.get("schema"), (*parts, "schema"))


def _content_schemas(
    holder: dict[str, Any], parts: tuple[str | int, ...]
) -> Iterator[SchemaSite]:
    for media_type, media in (holder.get("content") or {}).items():
        if isinstance(media, dict):
            yield from _walk_schema(media.get("schema"), (*parts, "content", media_type, "schema"))


def _response_schemas(
    response: Any, parts: tuple[str | int, ...]
) -> Iterator[SchemaSite]:
    if not isinstance(response, dict):
        return
    yield from _content_schemas(response, parts)
    for name, header in (response.get("headers") or {}).items():
        yield from _parameter_schemas(header, (*parts, "headers", name))


def _patch_security_schemes(document: dict[str, Any], patches: list[Patch]) -> None:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    for name, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        location = pointer("components", "securitySchemes", name)
        nulls = sorted(key for key, value in scheme.items() if value is None)
        for key in nulls:
            del scheme[key]
        if nulls:
            patches.append(
                Patch(location, f"security scheme has null {', '.join(nulls)}; removed them.")
            )
        if scheme.get("type") == "oauth2" and not scheme.get("flows"):
            admin = "admin" in name.lower()
            scheme["flows"] = {
                "authorizationCode": {
                    "authorizationUrl": ADMIN_AUTHORIZE_URL if admin else CUSTOMER_AUTHORIZE_URL,
                    "tokenUrl": ADMIN_TOKEN_URL if admin else CUSTOMER_TOKEN_URL,
                    "scopes": {},
                }
            }
            where = "the Admin Center" if admin else "the customer environment"
            patches.append(
                Patch(
                    location,
                    "oauth2 security scheme has no flows; added an authorizationCode flow with "
                    f"the app/auth and app/token URLs of {where}.",
                )
            )
        if scheme.get("type") == "http" and not scheme.get("scheme"):
            scheme["scheme"] = "bearer"
            patches.append(
                Patch(location, "http security scheme has no scheme; set it to bearer.")
            )


def _patch_undefined_security(document: dict[str, Any], patches: list[Patch]) -> None:
    components = document.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    requirement_lists: list[tuple[tuple[str | int, ...], Any]] = [
        (("security",), document.get("security"))
    ]
    requirement_lists += [
        (("paths", path, method, "security"), operation.get("security"))
        for path, method, operation in iter_operations(document)
    ]
    for parts, requirements in requirement_lists:
        for index, requirement in enumerate(requirements or []):
            for name in requirement or {}:
                if name in schemes:
                    continue
                # The app token really travels in the JSON body of getaccesstoken; OpenAPI cannot
                # say that, so bearer is the harmless stand-in that every tool accepts.
                schemes[name] = {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Defined by sb-readiness: AFAS requires this scheme but "
                    "never defines it.",
                }
                patches.append(
                    Patch(
                        pointer(*parts, index, name),
                        f"security requirement {name!r} names an undefined security scheme; "
                        "defined it as http bearer.",
                    )
                )


def _patch_nested_responses(document: dict[str, Any], patches: list[Patch]) -> None:
    for path, method, operation in iter_operations(document):
        responses = operation.get("responses") or {}
        for status, response in list(responses.items()):
            if not isinstance(response, dict):
                continue
            nested = [key for key in response if re.fullmatch(r"[1-5](\d\d|XX)", str(key))]
            for key in nested:
                moved = response.pop(key)
                responses.setdefault(key, moved)
            if nested:
                patches.append(
                    Patch(
                        pointer("paths", path, method, "responses", status),
                        f"response {status} contains the responses {', '.join(nested)} inside "
                        "itself; moved them up beside it.",
                    )
                )


def _patch_unknown_path_parameters(document: dict[str, Any], patches: list[Patch]) -> None:
    parameters = (document.get("components") or {}).get("parameters") or {}
    for path, method, operation in iter_operations(document):
        template_names = set(re.findall(r"{([^}]+)}", path))
        kept: list[Any] = []
        for index, parameter in enumerate(operation.get("parameters") or []):
            resolved = parameter
            if isinstance(parameter, dict) and "$ref" in parameter:
                resolved = parameters.get(parameter["$ref"].rsplit("/", 1)[-1], {})
            if (
                isinstance(resolved, dict)
                and resolved.get("in") == "path"
                and resolved.get("name") not in template_names
            ):
                patches.append(
                    Patch(
                        pointer("paths", path, method, "parameters", index),
                        f"path parameter {resolved.get('name')!r} is declared but the path "
                        f"{path} has no {{{resolved.get('name')}}}; dropped it.",
                    )
                )
                continue
            kept.append(parameter)
        if "parameters" in operation:
            operation["parameters"] = kept


# Error answers SB gives on every operation of a kind, documented by AFAS only in
# components/responses (and attached there to one operation, PUT /api/blob/{uuid}).
_API_ERRORS: tuple[str, ...] = ("400", "401", "403")  # bad body/query (DS3100), login, rights
_AUTH_ERRORS: dict[str, tuple[str, ...]] = {
    "/authentication/getaccesstoken": ("400", "401"),  # no apptoken in the body, unknown token
    "/authentication/getscopes": ("401",),  # no valid Admin Center token
}
TOKEN_PATH = "/app/token"
# invalid_request, invalid_grant, unsupported_grant_type (400); invalid_client (401)
_TOKEN_ERRORS: tuple[str, ...] = ("400", "401")


def oauth_error_response() -> dict[str, Any]:
    """The response sb-readiness documents for SB's token errors, e.g. invalid_grant."""
    return {
        "description": "OAuth error (documented by sb-readiness from SB's answers).",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "error_description": {"type": "string"},
                    },
                    "required": ["error"],
                }
            }
        },
    }


def _undocumented_errors(path: str) -> tuple[tuple[str, ...], bool]:
    """The error statuses SB answers on `path`, and whether AFAS's shared responses fit them."""
    lowered = path.lower()
    if lowered.startswith("/api/"):
        return _API_ERRORS, True
    if lowered == TOKEN_PATH:
        return _TOKEN_ERRORS, False
    return _AUTH_ERRORS.get(lowered, ()), True


def _patch_undocumented_errors(document: dict[str, Any], patches: list[Patch]) -> None:
    """Attach the error responses SB really answers to operations that do not document them.

    API and app-token operations get AFAS's own components/responses by $ref (a document
    without them is left alone); the token endpoint gets an OAuth error response, which AFAS
    never documents. An operation with a `default` response is already covered.
    """
    shared = (document.get("components") or {}).get("responses") or {}
    for path, method, operation in iter_operations(document):
        statuses, shared_fits = _undocumented_errors(path)
        responses = operation.get("responses")
        if not isinstance(responses, dict) or "default" in responses:
            continue
        missing = [
            status
            for status in statuses
            if status not in responses and (status in shared or not shared_fits)
        ]
        if not missing:
            continue
        for status in missing:
            responses[status] = (
                {"$ref": f"#/components/responses/{status}"}
                if shared_fits
                else oauth_error_response()
            )
        listed = ", ".join(missing)
        if shared_fits:
            why, attached = "AFAS's error body", f"attached components/responses {listed}"
        else:
            why, attached = "an OAuth error", f"attached an OAuth error response for {listed}"
        patches.append(
            Patch(
                pointer("paths", path, method, "responses"),
                f"{method.upper()} {path} documents no {listed} response although SB answers "
                f"them with {why}; {attached}.",
            )
        )


def _patch_schema(
    schema: dict[str, Any], parts: tuple[str | int, ...], patches: list[Patch]
) -> None:
    location = pointer(*parts)
    if "examples" in schema:
        examples = schema.pop("examples")
        candidates = examples if isinstance(examples, list) else []
        valid = [value for value in candidates if _fits(schema, value)]
        if valid and "example" not in schema:
            schema["example"] = valid[0]
            action = "moved its first valid value to `example`"
        else:
            action = "dropped it (no value fits the schema)" if not valid else "dropped it"
        patches.append(
            Patch(location, f"schema has `examples`, which OpenAPI 3.0 does not allow; {action}.")
        )
    if "type" in schema and schema["type"] in ("", None):
        shown = "a JSON null" if schema.pop("type") is None else "an empty"
        patches.append(Patch(location, f"schema has {shown} type; removed it (any type)."))
    elif schema.get("type") == "null":  # the string "null", a 3.1 type
        del schema["type"]
        schema["enum"] = [None]
        patches.append(
            Patch(location, "schema has type null, which OpenAPI 3.0 lacks; made it enum [null].")
        )
    expires_in = (schema.get("properties") or {}).get("expires_in")
    if isinstance(expires_in, dict) and expires_in.get("type") == "integer":
        del expires_in["type"]
        expires_in["anyOf"] = [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]
        patches.append(
            Patch(
                pointer(*parts, "properties", "expires_in"),
                "expires_in is typed integer although SB's docs show a string; "
                "allowed both.",
            )
        )


def _fits(schema: dict[str, Any], value: Any) -> bool:
    """Whether an example value validates against the (ref-free part of the) schema."""
    checked = {key: item for key, item in schema.items() if key not in ("example", "examples")}
    try:
        return bool(jsonschema.Draft4Validator(checked).is_valid(value))
    except Exception:  # an unresolvable $ref or odd keyword: treat the value as not checked
        return False
