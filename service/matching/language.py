"""Which language a text is written in, detected from its script (never declared).

Matching routes a text by language: English goes to the English model and the English HS
texts, Chinese to the multilingual model and the Chinese HS texts. The two scripts do not
overlap, so counting them is enough; a mixed text ("火锅底料 hotpot base") counts as Chinese,
since the multilingual route reads its English words too.
"""

import re
from typing import Literal

Language = Literal["en", "zh"]

# CJK unified ideographs, extension A, compatibility ideographs and the supplementary planes
# (extensions B-F hold rare characters that customs names use, e.g. 𫘝)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect(text: str) -> Language:
    """ "zh" when the text has at least as many Chinese characters as Latin words, else "en".

    A Chinese character carries about as much as an English word, so "智能手机 iPhone" (4 vs 1)
    is Chinese and "USB-C cable 线" (1 vs 2) English.
    """
    chinese = sum(len(run) for run in CJK.findall(text))
    return "zh" if chinese and chinese >= len(_LATIN_WORD.findall(text)) else "en"


def split_cjk(text: str) -> tuple[str, list[str]]:
    """(the text with its Chinese runs blanked out, the Chinese runs in order)."""
    return CJK.sub(" ", text), CJK.findall(text)
