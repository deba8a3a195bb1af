"""Service errors: one vocabulary for what a service refuses, mapped once for the API and
once for pages.

A service refuses with one of these (or with Django's ``ValidationError``, which
``full_clean()`` raises), each carrying a message for the user:

==================  ======  =====================================================
``InvalidInput``    400     bad input, keyed by field (``NON_FIELD_ERRORS`` for the whole)
``Forbidden``       403     the caller may not do this (also a Django ``PermissionDenied``)
``NotFound``        404     no such thing for this caller (also a Django ``Http404``)
``Conflict``        409     not possible in the current state (illegal transition, stale page …)
==================  ======  =====================================================

Apps subclass them for their own refusals (``orders.services.IllegalTransition``,
``partners.services.PartnerTransitionError`` …). API views answer them through
``api_exception_handler`` (REST_FRAMEWORK["EXCEPTION_HANDLER"]); pages put them on a
form with ``add_errors_to_form`` or flash ``messages_of(error)``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

# The key of errors about the input as a whole (REST framework's name for it).
NON_FIELD_ERRORS = "non_field_errors"


class ServiceError(Exception):
    """A refused service call; ``message`` is for the user, in their language."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def api_body(self) -> dict[str, Any]:
        """The API's JSON answer: ``{"detail": message}``, plus what a subclass adds."""
        return {"detail": self.message}


class InvalidInput(ServiceError):
    """Bad input. ``field`` names the field at fault; without it the input as a whole is."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.errors: dict[str, list[str]] = {field or NON_FIELD_ERRORS: [message]}

    def api_body(self) -> dict[str, Any]:
        return field_errors(self)


class Forbidden(ServiceError, PermissionDenied):
    status_code = 403


class NotFound(ServiceError, Http404):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


# ── The errors as field → messages ───────────────────────────────────────────


def field_errors(error: ValidationError | ServiceError) -> dict[str, list[str]]:
    """{field: [message, …]} of a refusal. Django's non-field key ``__all__`` is kept as
    ``message_dict`` has it; errors that name no field at all are under ``NON_FIELD_ERRORS``."""
    if isinstance(error, InvalidInput):
        return {name: list(messages) for name, messages in error.errors.items()}
    if isinstance(error, ServiceError):
        return {NON_FIELD_ERRORS: [error.message]}
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def messages_of(error: ValidationError | ServiceError) -> list[str]:
    """Every message of a refusal, in order: for a page that flashes them."""
    return [message for messages in field_errors(error).values() for message in messages]


# ── Pages ────────────────────────────────────────────────────────────────────


def add_errors_to_form(form, error: ValidationError | ServiceError, *, exclude: tuple[str, ...] = ()) -> None:
    """Put a refusal's messages on ``form``: each on its field when the form shows that
    field (and it is not in ``exclude``), otherwise on the form as a whole."""
    for name, messages in field_errors(error).items():
        form.add_error(name if name in form.fields and name not in exclude else None, messages)


# ── API ──────────────────────────────────────────────────────────────────────


def api_exception_handler(exc, context):
    """REST framework's exception handler, plus service errors (their status and
    ``api_body()``) and Django ``ValidationError`` (400 with ``field_errors``)."""
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(exc.api_body(), status=exc.status_code)
    if isinstance(exc, ValidationError):
        set_rollback()
        return Response(field_errors(exc), status=400)
    return exception_handler(exc, context)
