"""How a serving process runs: as many requests at once as the settings say (`matchfair
serve` sets 1; tests/served runs it that way), and what start-up built kept out of the garbage
collector's full passes while the app lives."""

import gc

from anyio import to_thread
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedders
from service.matching.hs import HsSuggester


def _tokens(client: TestClient) -> float:
    portal = client.portal
    assert portal is not None
    return portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)


def test_requests_run_on_as_many_threads_as_configured(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> None:
    one = settings.model_copy(update={"request_threads": 1})
    with TestClient(create_app(one, embedder=embedders, suggester=suggester)) as client:
        assert _tokens(client) == 1
        assert client.get("/search/suppliers", params={"q": "green tea"}).status_code == 200
    with TestClient(create_app(settings, embedder=embedders, suggester=suggester)) as client:
        assert _tokens(client) == 40  # anyio's default, left alone


def test_what_start_up_built_is_frozen_for_the_collector_while_the_app_lives(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> None:
    with TestClient(create_app(settings, embedder=embedders, suggester=suggester)) as client:
        assert gc.get_freeze_count() > 0
        assert client.get("/health").status_code == 200
    assert gc.get_freeze_count() == 0
