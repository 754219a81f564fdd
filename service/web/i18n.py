"""Languages: Babel message catalogs, the locale a request asks for, per-locale Jinja2 envs.

Catalogs are `.po` files (extracted and updated with pybabel, see the README); they are compiled
in memory when first used, so no compiled `.mo` can go stale beside its source.
"""

import io
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, StrictUndefined

HERE = Path(__file__).parent
CATALOGS = HERE / "locales"
DOMAIN = "messages"
DEFAULT = "en"
# the code shown in URLs and cookies -> the Babel locale used for formatting
LOCALES: dict[str, Locale] = {"en": Locale("en"), "zh": Locale.parse("zh_Hans_CN")}
# each language named in itself, for the switcher, and its tag for <html lang>
NATIVE_NAMES = {"en": "English", "zh": "简体中文"}
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
MAX_HEADER = 500  # longer Accept-Language headers are cut, not parsed


def accepted(header: str | None) -> list[str]:
    """Languages from an Accept-Language header, best first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "")[:MAX_HEADER].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def choose(cookie: str | None, header: str | None) -> str:
    """The chosen language: the visitor's switch (cookie), else the browser's, else English."""
    if cookie in LOCALES:
        return cookie
    return negotiate_locale(accepted(header), list(LOCALES), sep="-") or DEFAULT


@cache
def translations(code: str) -> NullTranslations:
    """The catalog of a language (English, the source language, has none to look up)."""
    source = CATALOGS / str(LOCALES[code]) / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not source.exists():
        return NullTranslations()
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[code])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def hs(code: str | None) -> str:
    """An HS code as printed in the nomenclature: 2103.90, not 210390."""
    code = code or ""
    return f"{code[:4]}.{code[4:]}" if len(code) > 4 else code


def _formatters(locale: Locale) -> dict[str, Any]:
    def number(value: float | None, digits: int = 0) -> str:
        if value is None:
            return ""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=locale)

    def percent(value: float) -> str:
        return format_percent(value, locale=locale)

    def day(value: date | datetime) -> str:
        if isinstance(value, datetime):  # the locale's medium date, short time: no seconds
            pattern = str(locale.datetime_formats["medium"])
            time_part = format_time(value, format="short", locale=locale)
            return pattern.format(time_part, format_date(value, format="medium", locale=locale))
        return format_date(value, format="medium", locale=locale)

    def clock(value: datetime) -> str:
        """A wall-clock time (the event's local time: no zone is applied)."""
        return format_time(value, format="short", locale=locale)

    def listing(values: Iterable[str]) -> str:
        items = [str(v) for v in values]
        return format_list(items, locale=locale) if items else ""

    return {
        "number": number,
        "percent": percent,
        "day": day,
        "clock": clock,
        "listing": listing,
        "hs": hs,
    }


@cache
def environment(code: str) -> Environment:
    """The templates with this language's catalog and number/date formats (one env per
    language, so no request ever swaps translations under another)."""
    env = Environment(
        loader=PackageLoader("service.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_formatters(LOCALES[code]))
    env.globals.update(
        lang=code,
        html_lang=HTML_LANG[code],
        languages=NATIVE_NAMES,
    )
    return env
