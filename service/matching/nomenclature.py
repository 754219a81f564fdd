"""The HS 2022 nomenclature in English, and the Chinese texts of its headings.

English: sections, chapters, 4-digit headings and 6-digit subheadings from
datasets/harmonized-system. Chinese: the official heading and subheading texts of Taiwan's
customs tariff (HS 2017 basis, converted to simplified characters), one rich text per heading,
so a Chinese product text can be classified against Chinese words.
"""

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str  # 2 (chapter), 4 (heading) or 6 (subheading) digits
    description: str
    parent: str  # "" for chapters
    section: str  # Roman numeral


@dataclass(frozen=True, slots=True)
class Nomenclature:
    entries: dict[str, HsEntry]
    sections: dict[str, str]  # numeral -> name
    # heading -> "chapter | heading | its subheadings" in Chinese (headings HS 2017 also had)
    chinese: dict[str, str] = field(default_factory=dict)

    def level(self, digits: int) -> list[HsEntry]:
        return [e for e in self.entries.values() if len(e.code) == digits]

    def children(self) -> dict[str, list[str]]:
        kids: dict[str, list[str]] = defaultdict(list)
        for e in self.entries.values():
            if e.parent:
                kids[e.parent].append(e.code)
        return kids

    def rich_text(self, code: str) -> str:
        """The words a trader may use for a code: "chapter | heading | its subheadings" for a
        heading, "chapter | heading | subheading" for a subheading."""
        d = self.entries
        if len(code) == 4:
            subs = [d[k].description for k in self.children().get(code, [])]
            return " | ".join([d[code[:2]].description, d[code].description, *subs])
        return " | ".join([d[code[:2]].description, d[code[:4]].description, d[code].description])

    def describe(self, code: str) -> str:
        """The English description of a code ("" for a code HS 2022 does not have)."""
        entry = self.entries.get(code)
        return entry.description if entry else ""


def load_nomenclature(folder: Path) -> Nomenclature:
    """Read `hs_harmonized-system.csv` and `hs_sections.csv` (datasets/harmonized-system), and
    `hs_headings_zh.jsonl` (Chinese heading texts) when the folder has it."""
    entries: dict[str, HsEntry] = {}
    with (folder / "hs_harmonized-system.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = row["hscode"]
            if code.isdigit() and len(code) in (2, 4, 6):
                parent = row["parent"] if row["parent"].isdigit() else ""
                entries[code] = HsEntry(code, row["description"], parent, row["section"])
    with (folder / "hs_sections.csv").open(encoding="utf-8-sig", newline="") as f:
        sections = {row["section"]: row["name"] for row in csv.DictReader(f)}
    chinese: dict[str, str] = {}
    if (path := folder / "hs_headings_zh.jsonl").exists():
        with path.open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        chinese = {r["id"]: r["text_rich"] for r in rows if r["id"] in entries}
    return Nomenclature(entries, sections, chinese)
