"""Partners' public cards: made at start-up, shown until the profile changes."""

from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedders
from service.matching.hs import HsSuggester
from service.matchmaker import Matchmaker
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, register


def test_cards_made_at_start_are_shown_until_the_profile_changes(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> None:
    with TestClient(create_app(settings, embedder=embedders, suggester=suggester)) as client:
        e, auth = register(client, **HOTPOT_MAKER)
        buyer, _ = register(client, **GERMAN_BUYER)  # no warm-up request shows it
    with TestClient(create_app(settings, embedder=embedders, suggester=suggester)) as client:
        mm: Matchmaker = client.app.state.runtime.matchmaker  # type: ignore[attr-defined]
        assert buyer["id"] in mm.cards  # made at start, before any answer showed it

        def first_partner() -> dict[str, object]:
            found = client.get("/search/suppliers", params={"q": "hotpot seasoning base"})
            partner: dict[str, object] = found.json()["items"][0]["partner"]
            return partner

        assert first_partner()["name"] == HOTPOT_MAKER["name"]
        renamed = client.patch(
            f"/enterprises/{e['id']}", json={"name": "Red Pot Foods"}, headers=auth
        )
        assert renamed.status_code == 200, renamed.text
        assert first_partner()["name"] == "Red Pot Foods"
