"""How many requests one process computes at once: what the settings say (`matchfair serve`
sets 1; tests/served runs it that way)."""

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
