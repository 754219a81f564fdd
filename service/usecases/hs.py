"""HS codes: suggest headings/subheadings for a text, and learn from confirmed classifications."""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlmodel import Session

from service.errors import BadRequest, Unauthorized
from service.matching.embedder import Embedder
from service.matching.examples import Example
from service.matching.explain import hs_reason
from service.matching.hs import HsSuggester, build_suggester
from service.store import examples as store
from service.store.examples import HsConfirmationCreate, HsConfirmationPublic
from service.usecases.access import Principal


class SimilarExample(BaseModel):
    text: str
    code: str
    similarity: float


class HsSuggestionPublic(BaseModel):
    code: str
    description: str
    score: float = Field(description="fused + examples weight x examples")
    components: dict[str, float] = Field(description="dense, lexical, examples")
    similar_examples: list[SimilarExample]
    reason: str


class HsSuggestionList(BaseModel):
    text: str
    level: Literal["heading", "subheading"]
    items: list[HsSuggestionPublic]


def load_hs_suggester(
    engine: Engine,
    embedder: Embedder,
    data_dir: Path,
    cache_dir: Path | None = None,
    shipped_vectors: Path | None = None,
) -> HsSuggester:
    """The suggester with the shipped nomenclature and examples plus every stored confirmation.

    `shipped_vectors` holds the default model's vectors of those texts; `cache_dir` keeps other
    models' vectors between starts (~12k texts to embed otherwise).
    """
    with Session(engine) as session:
        confirmed = [Example(row.text, row.code) for row in store.all_confirmations(session)]
    return build_suggester(
        data_dir, embedder, confirmed, cache_dir=cache_dir, shipped_vectors=shipped_vectors
    )


def suggest(
    hs: HsSuggester, text: str, *, level: Literal["heading", "subheading"], limit: int
) -> HsSuggestionList:
    """The best codes for a product or need text, each with its scores and reasons."""
    items = [
        HsSuggestionPublic(
            code=s.code,
            description=s.description,
            score=round(s.score, 4),
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
            reason=hs_reason(text, s, hs.nomenclature.rich_text(s.code)),
        )
        for s in hs.suggest(text, level=level, limit=limit)
    ]
    return HsSuggestionList(text=text, level=level, items=items)


def confirm(
    session: Session, hs: HsSuggester, principal: Principal, body: HsConfirmationCreate
) -> HsConfirmationPublic:
    """Store a confirmed classification; it votes in suggestions from the next request on."""
    if principal.enterprise_id is None and not principal.admin:
        raise Unauthorized("an X-API-Key header is required to confirm an HS code")
    try:
        hs.known_code(body.code)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    row = store.add_confirmation(session, body, principal.enterprise_id)
    session.commit()
    session.refresh(row)
    hs.confirm(row.text, row.code)
    return HsConfirmationPublic.model_validate(row, from_attributes=True)
