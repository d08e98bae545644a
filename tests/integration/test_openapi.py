"""The generated OpenAPI document keeps the client's contract."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.support.contract import CONTRACT_PATH, contract
from tests.support.databases import memory_only

SHARED_CONTRACT = CONTRACT_PATH.parents[2] / "shared" / "openapi.yaml"
ABSTRACT_SCHEMAS = {"ApiResponseBase", "CompanyInfo"}


def properties(document: dict[str, Any], name: str) -> set[str]:
    schema = document["components"]["schemas"][name]
    found = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        if "$ref" in part:
            found |= properties(document, part["$ref"].rsplit("/", 1)[-1])
        found |= set(part.get("properties", {}))
    return found


@pytest.fixture
def generated(api: Api) -> dict[str, Any]:
    response = api.client.get("/pb/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_vendored_contract_is_the_clients_document() -> None:
    if not SHARED_CONTRACT.exists():
        pytest.skip("../shared is not beside this checkout")
    assert Path(CONTRACT_PATH).read_text(encoding="utf-8") == SHARED_CONTRACT.read_text(
        encoding="utf-8"
    )


@memory_only
def test_every_contract_operation_is_served_with_its_operation_id(
    generated: dict[str, Any],
) -> None:
    for path, operations in contract()["paths"].items():
        for method, operation in operations.items():
            assert generated["paths"][path][method]["operationId"] == operation["operationId"]


@memory_only
def test_every_request_body_is_required_or_optional_as_the_contract_says(
    generated: dict[str, Any],
) -> None:
    for path, operations in contract()["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                served = generated["paths"][path][method]["requestBody"]
                assert served.get("required", False) == operation["requestBody"].get(
                    "required", False
                ), (path, method)


@memory_only
def test_every_documented_status_is_documented_again(generated: dict[str, Any]) -> None:
    for path, operations in contract()["paths"].items():
        for method, operation in operations.items():
            assert set(operation["responses"]) <= set(generated["paths"][path][method]["responses"])


@memory_only
def test_contract_schemas_keep_their_names_and_fields(generated: dict[str, Any]) -> None:
    for name in set(contract()["components"]["schemas"]) - ABSTRACT_SCHEMAS:
        assert properties(generated, name) == properties(contract(), name), name


@memory_only
def test_bearer_routes_declare_bearer_auth(generated: dict[str, Any]) -> None:
    assert generated["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert generated["paths"]["/pb/api/wechat/profile"]["post"]["security"] == [{"bearerAuth": []}]
    assert {"bearerAuth": []} in generated["paths"]["/pb/api/system/refresh-token"]["post"][
        "security"
    ]


@memory_only
def test_interactive_docs_are_served(api: Api) -> None:
    response = api.client.get("/pb/api/docs")

    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "swagger" in response.text.lower()


@memory_only
def test_error_answers_carry_no_invented_examples(generated: dict[str, Any]) -> None:
    # Litestar would fill them with random text ("bzayzoQbzdXMsvhsvQnj"), shown on the docs page.
    assert "examples" not in json.dumps(generated["components"]["schemas"]["ErrorResponse"])
