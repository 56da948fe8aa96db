"""Checks every response our binaries send during the service tests against
the OpenAPI documents in api/: the status must be documented for that path
and method, the media type must match, and a JSON body must validate against
the schema. Points must be printed with at most two decimals and no exponent.
A drift between the code and the contract fails the test that saw it."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import requests
import yaml
from requests.adapters import HTTPAdapter

API = Path(__file__).resolve().parents[2] / "api"
SPECS = {
    "gophermart": yaml.safe_load((API / "openapi.yaml").read_text()),
    "accrual": yaml.safe_load((API / "accrual.openapi.yaml").read_text()),
}
_spec_by_port = {}
NUMBER_TEXT = re.compile(r"^-?\d+(\.\d{1,2})?$")


class ContractViolation(AssertionError):
    pass


def watch(port, spec_name):
    """Responses from this port are checked against that spec."""
    _spec_by_port[port] = spec_name


def _resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _operation(spec, path):
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return item
    return None


def _exact_number(text):
    if not NUMBER_TEXT.match(text):
        raise ContractViolation(f"number {text!r} is not written with at most two decimals")
    return float(text)


def _validate_json(spec, schema, body, where):
    try:
        document = json.loads(body, parse_float=_exact_number)
    except ValueError as error:
        raise ContractViolation(f"{where}: body is not JSON: {error}: {body[:200]!r}")
    validator = jsonschema.Draft202012Validator(schema, resolver=jsonschema.RefResolver.from_schema(spec))
    errors = sorted(validator.iter_errors(document), key=lambda e: e.path)
    if errors:
        raise ContractViolation(f"{where}: {errors[0].message} at {list(errors[0].path)}")


def check(response):
    url = urlsplit(response.request.url)
    spec_name = _spec_by_port.get(url.port)
    if spec_name is None:
        return
    spec = SPECS[spec_name]
    method = response.request.method.lower()
    status = str(response.status_code)
    where = f"{spec_name} {response.request.method} {url.path} -> {status}"
    item = _operation(spec, url.path)
    if item is None:
        if status != "404":
            raise ContractViolation(f"{where}: undocumented path answered other than 404")
        _validate_json(spec, {"$ref": "#/components/schemas/Error"}, response.text, where)
        return
    if method not in item:
        if method == "options" and response.request.headers.get("Origin"):
            return  # a CORS preflight
        if status != "405":
            raise ContractViolation(f"{where}: undocumented method answered other than 405")
        return
    responses = item[method]["responses"]
    if status not in responses:
        raise ContractViolation(f"{where}: status not documented (documented: {sorted(responses)})")
    documented = _resolve(spec, responses[status])
    for header in documented.get("headers", {}):
        if header not in response.headers:
            raise ContractViolation(f"{where}: documented header {header} is missing")
    content = documented.get("content")
    if not content:
        if response.content:
            raise ContractViolation(f"{where}: documented without a body, but one came")
        return
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if media_type not in content:
        raise ContractViolation(f"{where}: Content-Type {media_type!r} not in {sorted(content)}")
    schema = _resolve(spec, content[media_type].get("schema", {}))
    if media_type == "application/json":
        _validate_json(spec, content[media_type]["schema"], response.text, where)
    else:
        validator = jsonschema.Draft202012Validator(schema)
        errors = list(validator.iter_errors(response.text))
        if errors:
            raise ContractViolation(f"{where}: {errors[0].message}")


# The messages of GET /api/user/events: the schema of each event's data.
EVENT_SCHEMAS = {"order": "#/components/schemas/Order", "balance": "#/components/schemas/Balance"}


def check_event(event, data):
    """One message of the event stream, its data as sent."""
    if event not in EVENT_SCHEMAS:
        raise ContractViolation(f"gophermart GET /api/user/events: event {event!r} is not documented")
    _validate_json(SPECS["gophermart"], {"$ref": EVENT_SCHEMAS[event]}, data, f"event: {event}")


_send = HTTPAdapter.send


def _checked_send(self, request, **kwargs):
    response = _send(self, request, **kwargs)
    check(response)
    return response


def install():
    """Checks every response made through `requests` from now on."""
    HTTPAdapter.send = _checked_send
    return requests
