"""Shared API plumbing: pagination for every list, and the schema's shared error responses."""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters


DETAIL_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "description": "Field name (or non_field_errors) → messages.",
}


def document_shared_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: a list answers 404 for a page past the end,
    and any operation with query parameters answers 400 with field errors for bad ones."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security") != [{}] and not operation.get("operationId", "").startswith(
                ("auth_", "schema")
            ):
                # Any authenticated operation may answer 401 (no or bad credentials) or
                # 403 (a role that may not use it).
                for code, text in (("401", "Not authenticated."), ("403", "Not allowed for this role.")):
                    responses.setdefault(
                        code, {"description": text, "content": {"application/json": {"schema": DETAIL_SCHEMA}}}
                    )
            names = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            if names:
                operation.setdefault("responses", {}).setdefault(
                    "400",
                    {
                        "description": "A query parameter is not valid.",
                        "content": {"application/json": {"schema": FIELD_ERRORS_SCHEMA}},
                    },
                )
            if "page" in names:
                operation.setdefault("responses", {}).setdefault(
                    "404",
                    {
                        "description": "A page past the last one.",
                        "content": {"application/json": {"schema": DETAIL_SCHEMA}},
                    },
                )
    return result
