"""Adjustments of the generated OpenAPI schema, so that it says what the API does."""


def empty_choice_means_any(result, generator, request, public):
    """A list filter given an empty value (``?state=``) is not applied; the
    enum of each such query parameter says so with ``""``."""
    for path in result.get("paths", {}).values():
        operation = path.get("get")
        if not operation:
            continue
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter.get("in") == "query" and "enum" in schema and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]
    return result


# A time's offset as the database can store it (complaints.validators.validate_utc_offset).
MOMENT_PATTERN = r"(Z|z|[+-](0[0-9]|1[0-5]):[0-5][0-9])$"


def moments_within_storable_offsets(result, generator, request, public):
    """Every date-time filter says the offsets it accepts (±15:59): RFC 3339
    allows up to ±23:59, which no zone has and the filters refuse (400). (A time
    in a body is converted to the server's zone on reading, whatever its offset.)"""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if schema.get("format") == "date-time":
                    schema.setdefault("pattern", MOMENT_PATTERN)
    return result
