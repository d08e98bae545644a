"""One helper validates every response body against `contract/openapi.yaml`."""

from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACT_PATH = Path(__file__).resolve().parents[2] / "contract" / "openapi.yaml"
CONTRACT_URI = "urn:bai:contract"


@cache
def contract() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    return document


@cache
def _validator(reference: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        CONTRACT_URI, Resource.from_contents(contract(), default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": CONTRACT_URI + reference}, registry=registry)


def _schema_reference(path: str, method: str, status: int) -> str:
    operation = contract()["paths"].get(path, {}).get(method, {})
    documented = operation.get("responses", {}).get(str(status))
    if documented is not None:
        reference: str = documented["content"]["application/json"]["schema"]["$ref"]
        return reference
    return "#/components/schemas/" + ("ErrorResponse" if status >= 400 else "ApiResponseBase")


def user_info_fields() -> set[str]:
    return set(contract()["components"]["schemas"]["UserInfo"]["properties"])


def assert_contract(response: httpx.Response) -> dict[str, Any]:
    """The body is the `{code, msg, data}` envelope of its operation's schema, and returns it."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    request = response.request
    reference = _schema_reference(request.url.path, request.method.lower(), response.status_code)
    _validator(reference).validate(body)
    assert body["code"] == response.status_code
    assert body["msg"], "msg must be text a person can read"
    if isinstance(body["data"], dict) and isinstance(body["data"].get("user"), dict):
        assert set(body["data"]["user"]) == user_info_fields()
    return body
