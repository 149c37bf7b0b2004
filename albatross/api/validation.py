"""Request validation with JSON Schema. Every error names the field it is about, so a client
sees `target_regions[1]: 42 is not of type 'string'` rather than a bare 400."""
import json

import jsonschema

from albatross.exceptions import BadRequest

_VALIDATOR = jsonschema.Draft202012Validator


def _field(error: jsonschema.ValidationError) -> str:
    path = ""
    for p in error.absolute_path:
        path += f"[{p}]" if isinstance(p, int) else (f".{p}" if path else str(p))
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path = f"{path}.{missing}" if path else missing
    if error.validator == "additionalProperties" and "'" in error.message:
        extra = error.message.split("'")[1]
        path = f"{path}.{extra}" if path else extra
    return path or "(body)"


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return "is required"
    if error.validator == "additionalProperties":
        return "is not an accepted field"
    if error.validator in ("maxLength", "maxItems", "maxProperties"):
        return f"is too long (at most {error.validator_value})"
    if error.validator in ("minLength", "minItems"):
        return "must not be empty" if error.validator_value == 1 else \
            f"is too short (at least {error.validator_value})"
    msg = error.message
    return msg if len(msg) <= 200 else msg[:200] + "..."


def is_valid(schema: dict, instance) -> bool:
    return _VALIDATOR(schema).is_valid(instance)


def problems(schema: dict, instance) -> list[str]:
    """Every way `instance` breaks `schema` (empty when it fits), e.g. for checking answers."""
    return sorted(e.message for e in _VALIDATOR(schema).iter_errors(instance))


def validate(schema: dict, instance):
    err = jsonschema.exceptions.best_match(_VALIDATOR(schema).iter_errors(instance))
    if err is not None:
        field = _field(err)
        raise BadRequest(f"{field}: {_message(err)}", field=field)
    return instance


def parse_body(schema: dict, req) -> object:
    if req.content_length == 0 or not req.body:
        raise BadRequest("a JSON request body is required", field="(body)")
    ctype = (req.content_type or "").split(";")[0].strip()
    if ctype and ctype != "application/json":
        raise BadRequest(f"Content-Type must be application/json, not {ctype}",
                         field="Content-Type")
    return validate(schema, load_json(req.body))


def load_json(raw: bytes) -> object:
    """The body as JSON, or a 400: malformed, or nested too deeply for the parser (a client
    must not be able to turn a body into a RecursionError and a 500)."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}", field="(body)")
    except RecursionError:
        raise BadRequest("the body is nested too deeply", field="(body)") from None


def _coerce(name: str, schema: dict, raw: str):
    kind = schema.get("type")
    if kind == "boolean":
        low = raw.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise BadRequest(f"{name}: must be true or false", field=name)
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise BadRequest(f"{name}: must be an integer", field=name)
    return raw


def parse_query(spec: dict, multidict) -> dict:
    """Known query parameters, typed and validated; unknown ones are ignored."""
    out = {}
    for name, schema in spec.items():
        if name in multidict:
            value = _coerce(name, schema, multidict.getall(name)[-1])
            validate({"type": "object", "properties": {name: schema}}, {name: value})
            out[name] = value
        elif "default" in schema:
            out[name] = schema["default"]
    return out
