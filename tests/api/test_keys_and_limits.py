"""API keys die at once when rotated or revoked, in every worker; the admin key is compared on
digests; writes and free-text searches are rate limited per key and per address (429 with
Retry-After), the organizer never."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.limits import TokenBuckets
from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from service.matching.hs import HsSuggester
from service.usecases.access import is_admin_key
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, register
from tests.conftest import ADMIN_KEY


def test_a_rotated_or_revoked_key_dies_at_once_in_every_worker(
    settings: Settings, embedder: Embedder, suggester: HsSuggester, admin: dict[str, str]
) -> None:
    """Two app instances on one database stand for two worker processes."""
    one = TestClient(create_app(settings, embedder=embedder, suggester=suggester))
    two = TestClient(create_app(settings, embedder=embedder, suggester=suggester))
    with one, two:
        e, old = register(one, **HOTPOT_MAKER)
        url = f"/enterprises/{e['id']}"
        assert two.patch(url, json={"city": "Fuling"}, headers=old).status_code == 200
        rotated = one.post(f"{url}/api-key", headers=old)
        assert rotated.status_code == 200
        new = {"X-API-Key": rotated.json()["api_key"]}
        assert two.patch(url, json={"city": "Wanzhou"}, headers=old).status_code == 401
        assert two.patch(url, json={"city": "Wanzhou"}, headers=new).status_code == 200

        assert one.delete(f"{url}/api-key", headers=new).status_code == 204
        assert two.patch(url, json={"city": "Jiangjin"}, headers=new).status_code == 401
        assert two.get(url, headers=new).status_code == 401
        assert two.get(url).json()["city"] == "Wanzhou"  # the profile itself is untouched
        # only the organizer can open it again
        reissued = two.post(f"{url}/api-key", headers=admin)
        assert reissued.status_code == 200
        again = {"X-API-Key": reissued.json()["api_key"]}
        assert one.patch(url, json={"city": "Jiangjin"}, headers=again).status_code == 200


def test_a_key_can_revoke_only_its_own_enterprise(client: TestClient) -> None:
    e, auth = register(client, **HOTPOT_MAKER)
    other, other_auth = register(client, **GERMAN_BUYER)
    assert client.delete(f"/enterprises/{other['id']}/api-key", headers=auth).status_code == 403
    assert client.delete(f"/enterprises/{e['id']}/api-key").status_code == 401
    assert client.get(f"/enterprises/{other['id']}", headers=other_auth).status_code == 200


def test_the_admin_key_is_recognised_only_whole() -> None:
    assert is_admin_key(ADMIN_KEY, ADMIN_KEY)
    for guess in ("", "o", ADMIN_KEY[:-1], ADMIN_KEY + "x", ADMIN_KEY.upper(), "x" * 500):
        assert not is_admin_key(guess, ADMIN_KEY)
    assert not is_admin_key(ADMIN_KEY, None)  # no admin key configured: nobody is organizer


# --- rate limits (in process memory: one backend is enough) ---------------------------------


@pytest.fixture
def limited(
    tmp_path: Path, sqlite_template: Path, embedder: Embedder, suggester: HsSuggester
) -> Iterator[TestClient]:
    path = tmp_path / "limited.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(
        database_url=f"sqlite:///{path}",
        admin_key=ADMIN_KEY,
        writes_per_minute_per_key=3,
        writes_per_minute_per_address=6,
        searches_per_minute_per_key=2,
        searches_per_minute_per_address=4,
    )
    with TestClient(create_app(settings, embedder=embedder, suggester=suggester)) as client:
        yield client


def test_writes_beyond_a_keys_limit_get_429_with_retry_after(
    limited: TestClient, admin: dict[str, str]
) -> None:
    e, auth = register(limited, **HOTPOT_MAKER)  # the address's first write
    url = f"/enterprises/{e['id']}"
    for city in ("a", "b", "c"):
        assert limited.patch(url, json={"city": city}, headers=auth).status_code == 200
    refused = limited.patch(url, json={"city": "d"}, headers=auth)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json() == {"error": "TooManyRequests", "detail": refused.json()["detail"]}
    assert "retry after" in refused.json()["detail"]
    assert limited.get(url).json()["city"] == "c"  # refused before anything ran
    # another key on the same address still writes, until the address's limit (6)
    other, other_auth = register(limited, **GERMAN_BUYER)
    other_url = f"/enterprises/{other['id']}"
    assert limited.patch(other_url, json={"city": "x"}, headers=other_auth).status_code == 200
    assert limited.patch(other_url, json={"city": "y"}, headers=other_auth).status_code == 429
    # reads are not limited, and neither is the organizer
    assert limited.get(url).status_code == 200
    for city in "efghij":
        assert limited.patch(url, json={"city": city}, headers=admin).status_code == 200


def test_free_text_searches_are_limited_per_key_and_per_address(limited: TestClient) -> None:
    _, auth = register(limited, **HOTPOT_MAKER)
    search = {"q": "hotpot seasoning"}
    assert limited.get("/search/suppliers", params=search, headers=auth).status_code == 200
    assert limited.get("/hs/suggest", params={"text": "tea"}, headers=auth).status_code == 200
    assert limited.get("/search/suppliers", params=search, headers=auth).status_code == 429
    # without a key: the address's bucket (4), two of which the keyed searches spent
    assert limited.get("/hs/suggest", params={"text": "tea"}).status_code == 200
    assert limited.get("/search/suppliers", params=search).status_code == 200
    assert limited.get("/search/suppliers", params=search).status_code == 429
    assert limited.get("/needs").status_code == 200  # other reads are not limited


def test_the_429_answer_is_in_the_openapi_document_of_limited_operations(
    limited: TestClient,
) -> None:
    paths = limited.get("/openapi.json").json()["paths"]
    assert "429" in paths["/search/suppliers"]["get"]["responses"]
    assert "429" in paths["/hs/suggest"]["get"]["responses"]
    assert "429" in paths["/enterprises/{enterprise_id}"]["patch"]["responses"]
    assert "429" in paths["/needs"]["post"]["responses"]
    assert "429" not in paths["/needs"]["get"]["responses"]


def test_a_bucket_refills_at_its_rate_up_to_its_size() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])  # one a second, 60 at most
    for _ in range(60):
        assert buckets.wait("k") == 0
        buckets.spend("k")
    assert buckets.wait("k") == pytest.approx(1.0)
    now[0] += 0.5
    assert buckets.wait("k") == pytest.approx(0.5)
    now[0] += 1000  # a long pause refills to the size, not beyond
    for _ in range(60):
        buckets.spend("k")
    assert buckets.wait("k") == pytest.approx(1.0)
    assert buckets.wait("other") == 0  # each name has its own bucket


def test_forgotten_buckets_are_bounded() -> None:
    buckets = TokenBuckets(1, max_buckets=3)
    for name in "abcd":
        buckets.spend(name)
    assert buckets.wait("a") == 0  # evicted: back full
    assert buckets.wait("d") > 0
