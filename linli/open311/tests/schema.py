"""A small JSON Schema validator for the keywords our Open311 schemas use, and an XML reader that
turns an Open311 XML body into the JSON shape the same schema describes.

Keywords: type (one or a list), enum, required, properties, additionalProperties (boolean), items,
minItems, maxItems, minLength, maxLength, minimum, maximum, pattern, format "date-time" (with a
UTC offset or Z, as GeoReport v2 requires). Anything else in a schema is an error, so a schema
cannot silently use a keyword that is not checked.
"""

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

KNOWN = {"$schema", "title", "description", "type", "enum", "required", "properties", "additionalProperties",
         "items", "minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum", "pattern", "format"}
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _types(schema) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _is(value, kind: str) -> bool:
    return {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }[kind]


def errors(value, schema: dict, path: str = "$") -> list[str]:
    unknown = set(schema) - KNOWN
    if unknown:
        return [f"{path}: unsupported schema keywords {sorted(unknown)}"]
    found = []
    kinds = _types(schema)
    if kinds and not any(_is(value, k) for k in kinds):
        return [f"{path}: {value!r} is not of type {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        found += _string_errors(value, schema, path)
    if _is(value, "number"):
        found += _number_errors(value, schema, path)
    if isinstance(value, list):
        found += _array_errors(value, schema, path)
    if isinstance(value, dict):
        found += _object_errors(value, schema, path)
    return found


def _string_errors(value: str, schema: dict, path: str) -> list[str]:
    found = []
    if len(value) < schema.get("minLength", 0):
        found.append(f"{path}: shorter than {schema['minLength']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{path}: longer than {schema['maxLength']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if schema.get("format") == "date-time" and not DATE_TIME.match(value):
        found.append(f"{path}: {value!r} is not a date-time with a time zone")
    return found


def _number_errors(value, schema: dict, path: str) -> list[str]:
    found = []
    if "minimum" in schema and value < schema["minimum"]:
        found.append(f"{path}: {value} < {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        found.append(f"{path}: {value} > {schema['maximum']}")
    return found


def _array_errors(value: list, schema: dict, path: str) -> list[str]:
    found = []
    if len(value) < schema.get("minItems", 0):
        found.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        found.append(f"{path}: more than {schema['maxItems']} items")
    for i, item in enumerate(value):
        found += errors(item, schema.get("items", {}), f"{path}[{i}]")
    return found


def _object_errors(value: dict, schema: dict, path: str) -> list[str]:
    found = []
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            found.append(f"{path}: missing required {name!r}")
    for name, inner in value.items():
        if name in properties:
            found += errors(inner, properties[name], f"{path}.{name}")
        elif schema.get("additionalProperties", True) is False:
            found.append(f"{path}: unexpected property {name!r}")
    return found


def validate(value, name: str):
    """Assert that value matches the named schema; returns the value for chaining."""
    problems = errors(value, load(name))
    assert not problems, "\n".join(problems)
    return value


# ---------------------------------------------------------------- XML


def _scalar(text: str | None, schema: dict):
    kinds = [k for k in _types(schema) if k != "null"]
    if text is None or text == "":
        return None if "null" in _types(schema) or not kinds else ("" if "string" in kinds else None)
    kind = kinds[0] if kinds else "string"
    try:
        if kind == "boolean":
            return {"true": True, "false": False}.get(text, text)
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text  # left as a string: the type check then reports it
    return text


# The specification's element name for one item of each list.
ITEMS = {"service_requests": "request", "services": "service", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value"}


def _read(element: ET.Element, schema: dict):
    kinds = _types(schema)
    if "array" in kinds:
        for child in element:
            assert child.tag == ITEMS.get(element.tag), f"<{child.tag}> inside <{element.tag}>"
        return [_read(child, schema.get("items", {})) for child in element]
    if "object" in kinds:
        properties = schema.get("properties", {})
        return {child.tag: _read(child, properties.get(child.tag, {"type": "string"})) for child in element}
    if len(element):
        return {child.tag: child.text for child in element}  # structure where a scalar belongs
    return _scalar(element.text, schema)


def from_xml(body: bytes, name: str, root: str):
    """Parse an Open311 XML body whose document element must be `root`, shaped by the named schema."""
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    element = ET.fromstring(body)
    assert element.tag == root, f"root element {element.tag!r}, expected {root!r}"
    return _read(element, load(name))


def validate_xml(body: bytes, name: str, root: str):
    return validate(from_xml(body, name, root), name)
