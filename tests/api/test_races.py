"""Writes that race each other end in 201/200/204 or a 4xx conflict, never a 500 (issue 13)."""

import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.entities import EnterpriseUpdate
from service.errors import Conflict
from service.matching.embedder import Embedders
from service.matching.hs import HsSuggester
from service.matchmaker import Matchmaker
from service.records import ORGANIZER
from service.usecases import erasure, profiles
from tests.api.factories import GERMAN_BUYER, HOTPOT_MAKER, register
from tests.model_probes import ModelProbe


class Rendezvous(ModelProbe):
    """The real model, which once `expect`ed waits until every racing request has reached it:
    all of them are then past the use-case's own check for a taken external id."""

    barrier: threading.Barrier | None = None  # none while the app starts

    def expect(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=60)

    def before(self, texts: Sequence[str]) -> None:
        if self.barrier is not None:
            self.barrier.wait()


def test_parallel_registrations_with_one_external_id_give_one_201_and_409s(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> None:
    rendezvous = Rendezvous(embedders.primary)
    racing = Embedders(rendezvous, embedders.multilingual)
    body = {**GERMAN_BUYER, "external_id": "rheinland-1"}
    with (
        TestClient(create_app(settings, embedder=racing, suggester=suggester)) as client,
        ThreadPoolExecutor(6) as pool,
    ):
        rendezvous.expect(6)
        codes = Counter(
            pool.map(lambda _: client.post("/enterprises", json=body).status_code, range(6))
        )
        # all six passed the early check together: the first to commit wins, the database's
        # unique constraint stops the rest, and each is told why
        assert codes == {201: 1, 409: 5}, codes
        assert client.get("/enterprises").json()["total"] == 1


def test_a_patch_racing_a_delete_is_a_conflict_not_a_500(client: TestClient) -> None:
    profile, _ = register(client, **HOTPOT_MAKER)
    mm: Matchmaker = client.app.state.runtime.matchmaker  # type: ignore[attr-defined]
    with mm.session() as patching, mm.session() as deleting:
        stale = profiles.get_enterprise(patching, profile["id"])  # the PATCH has read the row
        erasure.erase(
            mm.unit_of_work(deleting, ORGANIZER), profiles.get_enterprise(deleting, profile["id"])
        )
        try:
            profiles.update(
                mm.unit_of_work(patching, ORGANIZER), mm, stale, EnterpriseUpdate(city="Fuling")
            )
        except Conflict as exc:
            assert "deleted" in exc.detail or "changed" in exc.detail
        else:
            raise AssertionError("a write to a deleted row must be a conflict")
    assert client.get(f"/enterprises/{profile['id']}").status_code == 404
    assert client.get("/search/suppliers", params={"q": "hotpot"}).status_code == 200


def test_patches_and_deletes_in_parallel_never_fail_with_a_500(
    client: TestClient, admin: dict[str, str]
) -> None:
    urls = [f"/enterprises/{register(client, name=f'Maker {i}')[0]['id']}" for i in range(4)]

    def patch_or_delete(i: int) -> int:
        url = urls[i // 2]
        if i % 2:
            return client.patch(url, json={"city": f"City {i}"}, headers=admin).status_code
        return client.delete(url, headers=admin).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(patch_or_delete, range(8)))
    assert set(codes) <= {200, 204, 404, 409}, codes
    assert codes.count(204) == 4 and client.get("/enterprises").json()["total"] == 0
