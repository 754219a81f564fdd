"""One rule for text that comes in, wherever it comes from (JSON bodies, query strings,
spreadsheet cells): Unicode NFKC-normalised, no lone surrogates, no control characters.

NFKC first, so that uniqueness checks and matching see one spelling (full-width "ABC1" is "ABC1",
"ﬁ" is "fi"); lone surrogates cannot be stored or sent back as UTF-8; control characters
(NUL, escape, bell, ...) have no place in a name or a description and break spreadsheets.
Tab, line feed and carriage return stay: descriptions have lines.
"""

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1, less \t \n \r


def clean(value: str) -> str:
    """`value` NFKC-normalised; ValueError for a lone surrogate or a control character."""
    if _SURROGATE.search(value):
        raise ValueError("invalid Unicode: a lone surrogate")
    value = unicodedata.normalize("NFKC", value)
    if found := _CONTROL.search(value):
        raise ValueError(f"control character U+{ord(found[0]):04X} is not allowed")
    return value


CleanText = Annotated[str, AfterValidator(clean)]  # e.g. a free-text query parameter


def printable(value: str) -> str:
    """`value` safe to send back as UTF-8 (surrogates escaped): for messages, never for data."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
