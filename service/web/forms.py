"""Form fields to the API's own schemas: text lists, optional numbers, and field errors."""

import re
from typing import TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

Model = TypeVar("Model", bound=BaseModel)
# one text box holds a list: commas, semicolons or their Chinese forms, or new lines
_SEPARATORS = re.compile(r"[,;，；、\n]+")  # noqa: RUF001 (Chinese punctuation on purpose)


class FormErrors(Exception):
    """A form that the schema refused: field name -> message, shown beside each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    """Every value of a repeated field (e.g. one per product line), stripped."""
    return [v.strip() if isinstance(v, str) else "" for v in form.getlist(name)]


def split_labels(value: str) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(value) if part.strip()]


def labels(form: FormData, name: str) -> list[str]:
    return split_labels(text(form, name))


def optional(form: FormData, name: str) -> str | None:
    """An empty box means 'not given' (the schema's None), not an empty string."""
    return text(form, name) or None


def validated(model: type[Model], data: dict[str, object]) -> Model:
    """The schema's validation, its messages keyed by the form field they concern."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "form"
            errors.setdefault(field, error["msg"])
        raise FormErrors(errors) from exc


def _is_list(annotation: object) -> bool:
    return get_origin(annotation) is list or any(_is_list(a) for a in get_args(annotation))


def fields_of(form: FormData, schema: type[BaseModel]) -> dict[str, object]:
    """The schema's fields that the form carries, each read by its type: a list from one text
    box, an empty optional field as None, an empty number as not given (the schema's
    default), anything else as stripped text for the schema to parse."""
    data: dict[str, object] = {}
    for name, info in schema.model_fields.items():
        if name not in form:
            continue
        if _is_list(info.annotation):
            data[name] = labels(form, name)
        elif info.default is None:
            data[name] = optional(form, name)
        elif value := text(form, name):
            data[name] = value
        elif isinstance(info.default, str):  # an emptied text box clears the text
            data[name] = ""
    return data
