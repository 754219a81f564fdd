"""HS code suggestions and confirmed classifications."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from service.api.deps import HsDep, KeyHolder, UnitOfWorkDep
from service.entities import HsConfirmationCreate, HsConfirmationPublic
from service.usecases import hs as usecase

router = APIRouter(prefix="/hs", tags=["hs codes"])


@router.get("/suggest")
def suggest_hs_codes(
    hs: HsDep,
    text: Annotated[str, Query(min_length=2, max_length=1000, description="Product or need text")],
    level: Literal["heading", "subheading"] = "heading",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> usecase.HsSuggestionList:
    """HS 2022 headings (4 digits) or subheadings (6 digits) for a text, best first, explained."""
    return usecase.suggest(hs, text, level=level, limit=limit)


@router.post("/confirmations", status_code=201)
def confirm_hs_code(
    who: KeyHolder, body: HsConfirmationCreate, uow: UnitOfWorkDep, hs: HsDep
) -> HsConfirmationPublic:
    """Confirm the HS code of a text (any enterprise key or the admin key); used from now on."""
    return usecase.confirm(uow, hs, who, body)
