"""normalise: every tool in the chain loads all ten SB versions; each known defect is patched."""

from __future__ import annotations

import copy
import json
import re
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from sbready.spec.normalise import iter_operations, iter_schemas, normalise
from sbready.spec.resolve import SB_VERSIONS
from sbready.spec.schemas import as_json_schema, lookup, resolve_refs

OPERATION_COUNTS = {"2.1.0": 40, "6.0.0": 67}


def _operation(result: Any) -> Any:
    """The operation schemathesis loaded, or a test failure carrying its loading error."""
    if not isinstance(result, Ok):
        pytest.fail(f"schemathesis could not load an operation: {result.err()}")
    return result.ok()


def _raw(spec_dir: Path, version: str) -> dict[str, Any]:
    return dict(json.loads((spec_dir / f"{version}.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def normalised(spec_dir: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any], list[Any]]]:
    """version -> (raw, normalised document, patches)."""
    result = {}
    for version in SB_VERSIONS:
        raw = _raw(spec_dir, version)
        document, patches = normalise(raw)
        result[version] = (raw, document, patches)
    return result


@pytest.mark.parametrize("version", SB_VERSIONS)
def test_schemathesis_loads_every_operation(normalised: dict[str, Any], version: str) -> None:
    _, document, _ = normalised[version]
    schema = schemathesis.openapi.from_dict(document)
    loaded = [_operation(result) for result in schema.get_all_operations()]
    assert len(loaded) == sum(1 for _ in iter_operations(document))
    if version in OPERATION_COUNTS:
        assert len(loaded) == OPERATION_COUNTS[version]


@pytest.mark.parametrize("version", SB_VERSIONS)
def test_every_schema_is_valid_json_schema(normalised: dict[str, Any], version: str) -> None:
    _, document, _ = normalised[version]
    for parts, schema in iter_schemas(document):
        converted = as_json_schema(resolve_refs(schema, document))
        try:
            jsonschema.Draft4Validator.check_schema(converted)
        except jsonschema.SchemaError as error:
            pytest.fail(f"{version} {parts}: {error.message}")


def test_raw_files_need_the_patches(normalised: dict[str, Any]) -> None:
    # proof the previous test means something: AFAS's published 6.0.0 has invalid schemas
    raw, _, _ = normalised["6.0.0"]
    invalid = []
    for parts, schema in iter_schemas(raw):
        try:
            jsonschema.Draft4Validator.check_schema(as_json_schema(resolve_refs(schema, raw)))
        except jsonschema.SchemaError:
            invalid.append(parts)
    assert invalid


def test_schemathesis_generates_a_request_for_every_6_0_0_operation(
    normalised: dict[str, Any],
) -> None:
    _, document, _ = normalised["6.0.0"]
    schema = schemathesis.openapi.from_dict(document)
    generated = []
    for result in schema.get_all_operations():
        operation = _operation(result)

        @given(operation.as_strategy())
        @settings(
            max_examples=1, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def draw(case: Any) -> None:
            case.as_transport_kwargs(base_url="http://127.0.0.1:9")
            generated.append((case.operation.method, case.operation.path))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            draw()
    assert len(set(generated)) == OPERATION_COUNTS["6.0.0"]


def test_raw_document_is_not_modified(spec_dir: Path) -> None:
    raw = _raw(spec_dir, "6.0.0")
    before = copy.deepcopy(raw)
    normalise(raw)
    assert raw == before


@pytest.mark.parametrize("version", SB_VERSIONS)
def test_every_patch_points_into_the_published_file(
    normalised: dict[str, Any], version: str
) -> None:
    raw, _, patches = normalised[version]
    assert patches
    for patch in patches:
        lookup(raw, patch.location)  # raises if the pointer does not exist
        assert patch.description.endswith(".") and "\n" not in patch.description


def test_security_schemes_are_complete(normalised: dict[str, Any]) -> None:
    for version, (_, document, _) in normalised.items():
        schemes = document["components"]["securitySchemes"]
        for name, scheme in schemes.items():
            assert None not in scheme.values(), f"{version} {name}"
            if scheme["type"] == "oauth2":
                flow = scheme["flows"]["authorizationCode"]
                assert flow["authorizationUrl"].endswith("app/auth")
                assert flow["tokenUrl"].endswith("app/token")
            if scheme["type"] == "http":
                assert scheme["scheme"] == "bearer"
        assert schemes["OAuth2AdminCenter"]["flows"]["authorizationCode"]["authorizationUrl"] == (
            "/admin/app/auth"
        )
        assert "Applicationtoken" in schemes
        getaccesstoken = document["paths"]["/authentication/getaccesstoken"]["post"]
        for requirement in getaccesstoken["security"]:
            assert set(requirement) <= set(schemes)


def test_error_responses_nested_in_the_blob_200_move_up(normalised: dict[str, Any]) -> None:
    for _, document, _ in normalised.values():
        responses = document["paths"]["/api/blob/{uuid}"]["get"]["responses"]
        assert {"400", "401", "403"} <= set(responses)
        assert not {"400", "401", "403"} & set(responses["200"])
        assert responses["401"] == {"$ref": "#/components/responses/401"}


def test_path_parameters_match_the_template(normalised: dict[str, Any]) -> None:
    dropped_in_6 = [
        patch
        for patch in normalised["6.0.0"][2]
        if "path parameter 'id'" in patch.description
    ]
    assert len(dropped_in_6) == 7
    for _, document, _ in normalised.values():
        parameters = document["components"]["parameters"]
        for path, method, operation in iter_operations(document):
            names = set(re.findall(r"{([^}]+)}", path))
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = parameters[parameter["$ref"].rsplit("/", 1)[-1]]
                if parameter["in"] == "path":
                    assert parameter["name"] in names, f"{method} {path}"


def test_schemas_have_no_3_1_examples_or_bad_types(normalised: dict[str, Any]) -> None:
    for version, (_, document, _) in normalised.items():
        for parts, schema in iter_schemas(document):
            assert "examples" not in schema, f"{version} {parts}"
            assert schema.get("type", "string") not in ("", None, "null"), f"{version} {parts}"
    take = normalised["6.0.0"][1]["components"]["parameters"]["take"]["schema"]
    assert take == {"type": "integer", "example": 100}
    # "0" is a string where the schema says integer: dropped, not moved
    assert "example" not in normalised["6.0.0"][1]["components"]["parameters"]["skip"]["schema"]


def test_expires_in_accepts_integer_and_string(normalised: dict[str, Any]) -> None:
    _, document, _ = normalised["6.0.0"]
    token = document["paths"]["/app/token"]["post"]["responses"]["200"]
    schema = as_json_schema(token["content"]["application/json"]["schema"])
    validator = jsonschema.Draft4Validator(schema)
    assert validator.is_valid({"expires_in": 1800})
    assert validator.is_valid({"expires_in": "1800"})
    assert not validator.is_valid({"expires_in": "soon"})


def test_response_schemas_are_not_fitted_to_their_examples(normalised: dict[str, Any]) -> None:
    raw, document, _ = normalised["6.0.0"]
    for path in ("/api/addresses", "/api/debtorbalance", "/api/products"):
        raw_200 = raw["paths"][path]["get"]["responses"]["200"]
        doc_200 = document["paths"][path]["get"]["responses"]["200"]
        assert raw_200 == doc_200
