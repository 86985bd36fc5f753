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
