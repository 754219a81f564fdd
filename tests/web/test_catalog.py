"""The message catalogs: every string the templates show has its Chinese translation, and
the templates choose no words by language themselves."""

import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.web.i18n import CATALOGS, HERE, LOCALES

METHODS = [("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"}}


def _template_messages() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(HERE, METHODS, options_map=OPTIONS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_template_string_has_a_chinese_translation() -> None:
    path = CATALOGS / str(LOCALES["zh"]) / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and m.string and "fuzzy" not in m.flags and all(m.string)
    }
    used = _template_messages()
    assert len(used) > 150
    assert used - translated == set(), "run pybabel extract/update and translate these"
    assert translated - used == set(), "stale entries: run pybabel update"


def test_templates_do_not_pick_words_by_language() -> None:
    by_language = re.compile(r"\blang\s*(==|!=|in)\s*")
    offenders = [
        p.name for p in (HERE / "templates").glob("*.html") if by_language.search(p.read_text())
    ]
    assert offenders == []
