"""Base classes of every request payload (the Create and Update schemas): one rule each for
unknown fields, incoming text, nulls and integer ids, instead of a check per field.
"""

from typing import Annotated, Any, ClassVar

from annotated_types import Ge, Le, Len
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import inspect
from sqlmodel import SQLModel
from sqlmodel._compat import SQLModelConfig

from service.text import clean

MAX_INT = 2**63 - 1  # the databases' BIGINT: a larger id or offset is refused, not overflowed
Id = Annotated[int, Ge(1), Le(MAX_INT)]
# a (slot, table) cell as JSON sends it: a tuple's schema is not valid OpenAPI 3.1
Pair = Annotated[list[int], Len(2, 2)]


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean(v) if isinstance(v, str) else v for v in value]
    return value  # nested payloads clean their own fields


class Input(SQLModel):
    """A request payload: an unknown field is refused (not silently dropped), and every string
    is cleaned (`service.text.clean`) before the field's own checks see it."""

    model_config = SQLModelConfig(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        try:
            return _cleaned(value)
        except ValueError as exc:
            raise PydanticCustomError("text", str(exc)) from None


class Patch(Input):
    """A partial update: a field left out stays as it is. Null is accepted only where the
    database column holds null (`stored_as`, the table), so no PATCH can store a null that
    every later read of the row would fail on."""

    stored_as: ClassVar[type[SQLModel] | None] = None

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_stored(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and not _nullable(cls.stored_as, info.field_name or ""):
            raise PydanticCustomError("not_null", "may not be null; leave the field out instead")
        return value


def _nullable(table: type[SQLModel] | None, name: str) -> bool:
    if table is None or (column := inspect(table).columns.get(name)) is None:
        return False  # not a column (e.g. a list of product lines): never null
    return bool(column.nullable)
