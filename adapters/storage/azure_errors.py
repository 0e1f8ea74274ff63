"""Translation of Azure SDK errors into the application's errors, the SDK error kept as cause."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import TableTransactionError

from adapters.storage.entities import StorageLimitExceeded
from services.errors import ConcurrencyConflict, EntityAlreadyExists, StorageUnavailable

_CONFLICT_CODES = frozenset(
    {"UpdateConditionNotSatisfied", "ConditionNotMet", "ResourceNotFound", "EntityNotFound"}
)
_TRANSIENT_STATUS = frozenset({408, 429})


def error_code(err: HttpResponseError) -> str:
    """The service's error code (e.g. 'EntityAlreadyExists'), or '' when it sent none."""
    code = getattr(err, "error_code", None)
    if code is None:
        headers = getattr(err.response, "headers", None) or {}
        code = headers.get("x-ms-error-code")
    return str(code.value) if isinstance(code, Enum) else str(code or "")


def service_error(action: str, err: AzureError) -> Exception:
    """400/413: the service refused the content (nothing written); anything else: retry later."""
    if not isinstance(err, HttpResponseError):
        return StorageUnavailable(f"{action}: {type(err).__name__}: {err}")
    status = err.status_code or 0
    if status in (400, 413):
        return StorageLimitExceeded(
            f"{action}: refused by the service ({status} {error_code(err)})"
        )
    transient = status >= 500 or status in _TRANSIENT_STATUS
    kind = "transient" if transient else "unexpected"
    return StorageUnavailable(f"{action}: {kind} storage error {status} {error_code(err)}")


@contextmanager
def table_errors(action: str) -> Iterator[None]:
    """Re-raise Table Storage errors met while doing `action` as the Table port promises."""
    try:
        yield
    except TableTransactionError as err:
        raise _transaction_error(err) from err
    except ResourceExistsError as err:
        raise EntityAlreadyExists(f"{action}: the entity already exists") from err
    except ResourceModifiedError as err:
        raise ConcurrencyConflict(f"{action}: changed since it was read") from err
    except ResourceNotFoundError as err:
        raise _not_found(action, err) from err
    except AzureError as err:
        raise service_error(action, err) from err


def _not_found(action: str, err: ResourceNotFoundError) -> Exception:
    if error_code(err) == "TableNotFound":
        return StorageUnavailable(f"{action}: the table does not exist")
    return ConcurrencyConflict(f"{action}: the entity does not exist")


def _transaction_error(err: TableTransactionError) -> Exception:
    code = error_code(err)
    message = f"transaction failed at operation {err.index}: {code}"
    if code == "EntityAlreadyExists":
        return EntityAlreadyExists(message)
    if code in _CONFLICT_CODES:
        return ConcurrencyConflict(message)
    if code == "TableNotFound":
        return StorageUnavailable(f"{message}: the table does not exist")
    return service_error(message, err)
