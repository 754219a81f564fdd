"""Tables and API schemas: one SQLModel family per noun, fields written once."""

import enum
from datetime import UTC, date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, FiniteFloat, StringConstraints
from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy import Enum as SqlEnum
from sqlmodel import Field, Relationship, SQLModel

from service.db import NEVER_REUSED, Embedding
from service.payloads import Id, Input, Patch


def utc_now() -> datetime:
    return datetime.now(UTC)


def _normalise_hs(code: str) -> str:
    digits = code.replace(".", "").replace(" ", "")
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (2, 4, 6, 8, 10):
        raise ValueError("an HS code has 2, 4, 6, 8 or 10 digits, e.g. 2103 or 8714.10")
    return digits


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
HsCode = Annotated[str, AfterValidator(_normalise_hs)]
Labels = Annotated[list[Label], Field(default_factory=list, max_length=50, sa_type=JSON)]
Quantity = Annotated[FiniteFloat, Field(ge=0, le=1e12)]


class EnterpriseRole(enum.StrEnum):
    supplier = "supplier"
    buyer = "buyer"
    both = "both"


class Status(enum.StrEnum):
    open = "open"
    closed = "closed"


# --- product lines -------------------------------------------------------------------------


class ProductLineBase(SQLModel):
    name: Name
    hs_code: HsCode | None = Field(default=None, max_length=12)
    description: Text = ""


class ProductLine(ProductLineBase, table=True):
    __tablename__ = "product_line"
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int | None = Field(
        default=None, foreign_key="enterprise.id", index=True, ondelete="CASCADE"
    )
    enterprise: "Enterprise" = Relationship(back_populates="product_lines")


class ProductLineCreate(Input, ProductLineBase):
    pass


class ProductLinePublic(ProductLineBase):
    id: int


# --- enterprises ---------------------------------------------------------------------------


class EnterpriseBase(SQLModel):
    name: Name
    # the database type keeps the name the first migration gave it
    role: EnterpriseRole = Field(sa_type=SqlEnum(EnterpriseRole, name="role"))
    description: Text = ""
    looking_for: Text = Field(default="", description="What partners this enterprise seeks.")
    city: Short = ""
    region: Short = Field(default="", description="Province or state, e.g. Chongqing.")
    country: Short = Field(default="", description="Country name, e.g. China.")
    certifications: Labels
    export_markets: Labels
    years_exporting: int = Field(default=0, ge=0, le=200)
    annual_capacity: Quantity | None = None
    capacity_unit: Short = ""
    moq: Quantity | None = Field(default=None, description="Minimum order quantity.")
    languages: Labels
    channels: Labels = Field(
        default_factory=list,
        max_length=20,
        sa_type=JSON,
        description="Sales channels, e.g. supermarket, e-commerce, live-streaming, wholesale.",
    )
    website: Short = ""


class EnterpriseContact(SQLModel):
    contact_name: Short = ""
    contact_email: Short = ""
    contact_phone: Short = ""


class Enterprise(EnterpriseBase, EnterpriseContact, table=True):
    __table_args__ = NEVER_REUSED
    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=120, unique=True)
    verified: bool = False
    api_key_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    # set when an enterprise that met others at a fair deletes itself: the row stays, emptied,
    # so the fair's meetings keep their other side (see service/usecases/erasure.py)
    deleted_at: datetime | None = None
    product_lines: list[ProductLine] = Relationship(
        back_populates="enterprise",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ProductLine.id"},
    )


class EnterpriseCreate(Input, EnterpriseBase, EnterpriseContact):
    external_id: ExternalId | None = None
    product_lines: list[ProductLineCreate] = Field(default_factory=list, max_length=50)


class EnterpriseUpdate(Patch):
    """Every field optional; a given list replaces the stored one."""

    stored_as = Enterprise

    name: Name | None = None
    role: EnterpriseRole | None = None
    description: Text | None = None
    looking_for: Text | None = None
    city: Short | None = None
    region: Short | None = None
    country: Short | None = None
    certifications: list[Label] | None = Field(default=None, max_length=50)
    export_markets: list[Label] | None = Field(default=None, max_length=50)
    years_exporting: int | None = Field(default=None, ge=0, le=200)
    annual_capacity: Quantity | None = None
    capacity_unit: Short | None = None
    moq: Quantity | None = None
    languages: list[Label] | None = Field(default=None, max_length=50)
    channels: list[Label] | None = Field(default=None, max_length=20)
    website: Short | None = None
    contact_name: Short | None = None
    contact_email: Short | None = None
    contact_phone: Short | None = None
    product_lines: list[ProductLineCreate] | None = Field(default=None, max_length=50)


class EnterprisePublic(EnterpriseBase):
    id: int
    external_id: str | None
    verified: bool
    created_at: datetime
    updated_at: datetime
    product_lines: list[ProductLinePublic]


class EnterprisePrivate(EnterprisePublic, EnterpriseContact):
    """The profile as its owner and the organizer see it: with contact details."""


class ApiKey(BaseModel):
    enterprise_id: int
    api_key: str = Field(description="Shown once; send it as X-API-Key.")


class EnterpriseRegistered(BaseModel):
    enterprise: EnterprisePrivate
    api_key: str = Field(description="Shown once; send it as X-API-Key to change this profile.")


# --- needs and offers ----------------------------------------------------------------------


class TradeBase(SQLModel):
    """What a need (a buyer's request) and an offer (a supplier's product) both say."""

    title: Name
    description: Text = ""
    product: Short = ""
    hs_code: HsCode | None = Field(default=None, max_length=12)
    unit: Short = ""
    currency: Short = ""
    status: Status = Status.open


class TradeUpdate(Patch):
    """Every field optional; null only clears the fields that may be empty (e.g. hs_code)."""

    title: Name | None = None
    description: Text | None = None
    product: Short | None = None
    hs_code: HsCode | None = Field(default=None, max_length=12)
    unit: Short | None = None
    currency: Short | None = None
    status: Status | None = None


class NeedBase(TradeBase):
    quantity: Quantity | None = None
    target_price: Quantity | None = None
    required_certifications: Labels
    delivery_country: Short = ""
    delivery_region: Short = ""
    deadline: date | None = None


class Need(NeedBase, table=True):
    __table_args__ = NEVER_REUSED
    id: int | None = Field(default=None, primary_key=True)
    buyer_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    @property
    def owner_id(self) -> int:
        return self.buyer_id


class NeedCreate(Input, NeedBase):
    buyer_id: Id


class NeedUpdate(TradeUpdate):
    stored_as = Need

    quantity: Quantity | None = None
    target_price: Quantity | None = None
    required_certifications: list[Label] | None = Field(default=None, max_length=50)
    delivery_country: Short | None = None
    delivery_region: Short | None = None
    deadline: date | None = None


class NeedPublic(NeedBase):
    id: int
    buyer_id: int
    created_at: datetime
    updated_at: datetime


class OfferBase(TradeBase):
    price: Quantity | None = None
    moq: Quantity | None = None
    available_quantity: Quantity | None = None
    certifications: Labels


class Offer(OfferBase, table=True):
    __table_args__ = NEVER_REUSED
    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    @property
    def owner_id(self) -> int:
        return self.supplier_id


class OfferCreate(Input, OfferBase):
    supplier_id: Id


class OfferUpdate(TradeUpdate):
    stored_as = Offer

    price: Quantity | None = None
    moq: Quantity | None = None
    available_quantity: Quantity | None = None
    certifications: list[Label] | None = Field(default=None, max_length=50)


class OfferPublic(OfferBase):
    id: int
    supplier_id: int
    created_at: datetime
    updated_at: datetime


# --- confirmed HS classifications ----------------------------------------------------------


class HsConfirmationBase(SQLModel):
    text: str = Field(min_length=2, max_length=1000, description="The product or need text")
    code: HsCode = Field(max_length=12, description="Its HS heading or subheading, e.g. 6104.63")


class ConfirmedExample(HsConfirmationBase, table=True):
    __tablename__ = "confirmed_example"
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int | None = Field(
        default=None, foreign_key="enterprise.id", index=True, ondelete="SET NULL"
    )  # None: confirmed by the organizer
    created_at: datetime = Field(default_factory=utc_now)


class HsConfirmationCreate(Input, HsConfirmationBase):
    pass


class HsConfirmationPublic(HsConfirmationBase):
    id: int
    enterprise_id: int | None
    created_at: datetime


# --- shortlists ----------------------------------------------------------------------------


class ShortlistEntryBase(SQLModel):
    note: str = Field(default="", max_length=500, description="Why this supplier was saved")


class ShortlistEntry(ShortlistEntryBase, table=True):
    """A supplier an enterprise saved while searching, to compare and ask for meetings later."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("owner_id", "supplier_id"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    supplier_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utc_now)


class ShortlistEntryPut(Input, ShortlistEntryBase):
    pass


class ShortlistEntryPublic(ShortlistEntryBase):
    supplier: EnterprisePublic
    created_at: datetime


# --- stored vectors ------------------------------------------------------------------------


# Fixed by the first migration: PostgreSQL's vector column has a declared dimension, so a model
# of another dimension needs a new migration (SQLite's blobs take any dimension).
EMBEDDING_DIMENSION = 384


class ItemVector(SQLModel, table=True):
    """One embedded item (a profile side, product line, need or offer) and the model behind it."""

    __tablename__ = "item_vector"
    __table_args__ = (Index("ix_item_vector_kind_ref_id", "kind", "ref_id"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    ref_id: int = Field(default=0)
    label: str = Field(default="", max_length=400)
    hs_code: str = Field(default="", max_length=12)
    text: str
    model: str = Field(max_length=200)
    vector: bytes = Field(sa_column=Column(Embedding(EMBEDDING_DIMENSION), nullable=False))
    # the multilingual model's vector (float32 bytes; None: the deployment had none) and model
    multilingual: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    multilingual_model: str = Field(default="", max_length=200)
    # HS heading estimate of a goods text without a declared code: [[heading, probability]]
    headings: list[list[str | float]] = Field(default_factory=list, sa_type=JSON)


# --- the change log: how every process learns of every committed write -------------------


class ChangeLog(SQLModel, table=True):
    """One committed write, by what it changed; other processes apply it to their catalog."""

    __tablename__ = "change_log"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now)
    removed: list[int] = Field(default_factory=list, sa_type=JSON)  # item keys
    items: list[int] = Field(default_factory=list, sa_type=JSON)  # item keys added or re-embedded
    facts: list[int] = Field(default_factory=list, sa_type=JSON)  # enterprise ids changed
    forgotten: list[int] = Field(default_factory=list, sa_type=JSON)  # enterprise ids deleted
    learned: list[list[int]] = Field(default_factory=list, sa_type=JSON)  # [buyer, supplier]
    # [text, hs code, weight, group]: a confirmation as the HS suggester takes it (trust.py)
    confirmed: list[list[str | float]] = Field(default_factory=list, sa_type=JSON)


# --- pages ---------------------------------------------------------------------------------

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
