"""HS codes: suggest headings/subheadings for a text, and learn from confirmed classifications."""

from typing import Literal

from pydantic import BaseModel, Field

from service.entities import HsConfirmationCreate, HsConfirmationPublic
from service.errors import Invalid
from service.matching.explain import hs_reason
from service.matching.hs import HsSuggester
from service.matching.language import Language
from service.matching.trust import Confirmation, example_of, text_key
from service.store import confirmations, enterprises
from service.store.unit_of_work import UnitOfWork
from service.usecases.access import Principal


class SimilarExample(BaseModel):
    text: str
    code: str
    similarity: float


class HsSuggestionPublic(BaseModel):
    code: str
    description: str
    score: float = Field(
        description="fused + examples weight x examples, capped at 1 (the order is the uncapped "
        "score's)"
    )
    components: dict[str, float] = Field(description="dense, lexical, examples")
    similar_examples: list[SimilarExample]
    reason: str


class HsSuggestionList(BaseModel):
    text: str
    level: Literal["heading", "subheading"]
    items: list[HsSuggestionPublic]


def suggest(
    hs: HsSuggester, text: str, *, level: Literal["heading", "subheading"], limit: int
) -> HsSuggestionList:
    """The best codes for a product or need text, each with its scores and reasons."""
    items = [
        HsSuggestionPublic(
            code=s.code,
            description=s.description,
            score=round(min(s.score, 1.0), 4),
            components={
                "dense": round(s.dense, 4),
                "lexical": round(s.lexical, 4),
                "examples": round(s.examples, 4),
            },
            similar_examples=[
                SimilarExample(
                    text=n.example.text, code=n.example.target, similarity=round(n.similarity, 4)
                )
                for n in s.similar[:5]
            ],
            reason=hs_reason(text, s, _words_of(hs, s.code, s.language)),
        )
        for s in hs.suggest(text, level=level, limit=limit)
    ]
    return HsSuggestionList(text=text, level=level, items=items)


def _words_of(hs: HsSuggester, code: str, language: Language) -> str:
    """The nomenclature's words for a code in the text's language (Chinese heading texts
    for a Chinese text, where there is one), so common terms are found in either."""
    chinese = hs.nomenclature.chinese.get(code[:4]) if language == "zh" else None
    return chinese or hs.nomenclature.rich_text(code)


def confirm(
    uow: UnitOfWork, hs: HsSuggester, who: Principal, body: HsConfirmationCreate
) -> tuple[HsConfirmationPublic, bool]:
    """Store a confirmed classification; it votes in suggestions from the next request on, as
    much as its confirmer is trusted (service/matching/trust.py). The same confirmation again
    from the same confirmer is the stored one, returned with False (not created)."""
    try:
        hs.known_code(body.code)
    except ValueError as exc:
        raise Invalid(f"code: {exc}") from exc
    for old in confirmations.by_confirmer(uow.session, who.enterprise_id, body.code):
        if text_key(old.text) == text_key(body.text):
            return HsConfirmationPublic.model_validate(old, from_attributes=True), False
    confirmer = enterprises.get(uow.session, who.enterprise_id) if who.enterprise_id else None
    with uow.begin() as tx:
        row = confirmations.add(tx.session, body, who.enterprise_id)
        example = example_of(
            Confirmation(
                row.text, row.code, who.enterprise_id, bool(confirmer and confirmer.verified)
            )
        )
        tx.confirmed(example)
    uow.reload(row)
    return HsConfirmationPublic.model_validate(row, from_attributes=True), True
