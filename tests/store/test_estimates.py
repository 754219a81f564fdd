"""Heading estimates and multilingual vectors are made before the write, stored with the item,
and restored by every other process: on sync (the change log) and at start-up (load)."""

import numpy as np

from service.config import Settings
from service.entities import EnterpriseCreate
from service.matching.embedder import Embedders
from service.matching.hs import HsSuggester
from service.matching.items import Kind
from service.records import SYSTEM
from service.runtime import build_matchmaker
from service.usecases import profiles
from tests.api.factories import CHINESE_TEA


def test_estimates_and_both_vectors_survive_sync_and_restart(
    settings: Settings, embedders: Embedders, suggester: HsSuggester
) -> None:
    writer, reader = build_matchmaker(settings, embedders), build_matchmaker(settings, embedders)
    writer.hs = reader.hs = suggester
    try:
        with writer.session() as session:
            data = EnterpriseCreate.model_validate(CHINESE_TEA)
            [(e, _)] = profiles.register(writer.unit_of_work(session, SYSTEM), writer, [data])
        assert e.id is not None
        written = writer.catalog.owned(e.id, (Kind.product,))
        black_tea = written[0]
        assert black_tea.hs_code is None and black_tea.headings[0][0] == "0902"
        assert reader.sync() == 1
        restarted = build_matchmaker(settings, embedders)
        for other in (reader, restarted):
            items = other.catalog.owned(e.id, (Kind.product,))
            assert [i.headings for i in items] == [i.headings for i in written]
            for mine, theirs in zip(written, items, strict=True):
                first = writer.catalog.multilingual_vector(mine)
                second = other.catalog.multilingual_vector(theirs)
                assert first is not None and second is not None
                np.testing.assert_allclose(first, second, atol=1e-6)
        restarted.engine.dispose()
    finally:
        writer.engine.dispose()
        reader.engine.dispose()
