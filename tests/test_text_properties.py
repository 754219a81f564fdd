"""Property tests for the text rule (service/text.py) and the text builders that turn rows into
the items the model embeds (service/store/convert.py, service/matching/items.py): no crash on
any valid row, labels that fit their column, texts bounded by the fields they are built from."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import inspect
from sqlmodel.sql.sqltypes import AutoString

from service.entities import Enterprise, EnterpriseCreate, ItemVector, Need, Offer, ProductLine
from service.matching.items import quote
from service.store.convert import drafts_of
from service.text import clean

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _label_limit() -> int:
    """The size of the stored label's column."""
    column = inspect(ItemVector).columns["label"].type
    assert isinstance(column, AutoString) and column.length
    return int(column.length)


LABEL_LIMIT = _label_limit()


@PROPERTY
@given(st.text(max_size=200))
def test_clean_text_is_normalised_once_and_for_all(value: str) -> None:
    try:
        once = clean(value)
    except ValueError as exc:
        assert "surrogate" in str(exc) or "control character" in str(exc)
        return
    assert clean(once) == once
    once.encode("utf-8")  # storable and sendable


@PROPERTY
@given(st.text(max_size=5000), st.integers(1, 400))
def test_a_quote_fits_its_limit(text: str, limit: int) -> None:
    label = quote(text, limit)
    assert len(label) <= limit + 1  # the ellipsis
    assert label == " ".join(text.split()) or label.endswith("…")


_short = st.text(max_size=120)
_long = st.text(max_size=4000)
_label = st.text(min_size=1, max_size=80)


@st.composite
def _enterprises(draw: st.DrawFn) -> Enterprise:
    """A stored enterprise: any profile the API accepts, products included."""
    try:
        data = EnterpriseCreate.model_validate(
            {
                "name": draw(st.text(min_size=1, max_size=200)),
                "role": draw(st.sampled_from(["supplier", "buyer", "both"])),
                "description": draw(_long),
                "looking_for": draw(_long),
                "city": draw(_short),
                "region": draw(_short),
                "country": draw(_short),
                "channels": draw(st.lists(_label, max_size=20)),
                "product_lines": [
                    {"name": n, "description": d}
                    for n, d in draw(
                        st.lists(st.tuples(st.text(min_size=1, max_size=200), _long), max_size=5)
                    )
                ],
            }
        )
    except ValidationError:
        data = EnterpriseCreate.model_validate({"name": "Acme", "role": "both"})
    e = Enterprise.model_validate(
        data.model_dump(exclude={"product_lines"}), update={"api_key_hash": "x"}
    )
    e.product_lines = [ProductLine.model_validate(p) for p in data.product_lines]
    return e


@PROPERTY
@given(_enterprises())
def test_profile_items_have_labels_that_fit_and_bounded_texts(e: Enterprise) -> None:
    drafts = drafts_of([e])
    assert drafts and drafts[0].kind == "profile"
    fields = [e.name, e.description, e.looking_for, e.city, e.region, e.country, *e.channels]
    fields += [t for p in e.product_lines for t in (p.name, p.description)]
    bound = sum(len(f) + 2 for f in fields) + len("Based in ")
    for d in drafts:
        assert len(d.label) <= LABEL_LIMIT, d
        assert len(d.text) <= bound


@PROPERTY
# a title blank once stripped (say U+0085 alone) is refused by the row itself: not this property
@given(st.text(min_size=1, max_size=200).filter(str.strip), _short, _long, st.booleans())
def test_a_need_or_an_offer_is_one_bounded_item(
    title: str, product: str, text: str, need: bool
) -> None:
    row = (Need if need else Offer).model_validate(
        {"title": title, "product": product, "description": text, "buyer_id": 1, "supplier_id": 1}
    )
    [item] = drafts_of(trades=[row])
    assert len(item.label) <= LABEL_LIMIT
    assert len(item.text) <= len(title) + len(product) + len(text) + 4
