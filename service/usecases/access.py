"""API keys and who may do what: owners change their own rows, the organizer everything."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from service.entities import Enterprise
from service.errors import Forbidden, Unauthorized


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the organizer/admin, an enterprise, or nobody (public)."""

    enterprise_id: int | None = None
    admin: bool = False

    def may_change(self, enterprise_id: int) -> bool:
        return self.admin or self.enterprise_id == enterprise_id

    def require_change(self, enterprise_id: int) -> None:
        if self.admin or self.enterprise_id is not None:
            if not self.may_change(enterprise_id):
                raise Forbidden(f"this API key may not change enterprise {enterprise_id}")
            return
        raise Unauthorized("an X-API-Key header is required to change data")

    def require_admin(self) -> None:
        if not self.admin:
            raise (Forbidden if self.enterprise_id else Unauthorized)(
                "this action needs the organizer's admin key in X-API-Key"
            )


def new_key() -> tuple[str, str]:
    """A fresh API key and its stored hash (a keyed lookup needs no salt at 256 bits of entropy)."""
    key = "mf_" + secrets.token_urlsafe(32)
    return key, hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def identify(session: Session, key: str | None, admin_key: str | None) -> Principal:
    if not key:
        return Principal()
    if admin_key and hmac.compare_digest(key.encode(), admin_key.encode()):
        return Principal(admin=True)
    owner = session.exec(
        select(Enterprise.id).where(Enterprise.api_key_hash == hash_key(key))
    ).first()
    if owner is None:
        raise Unauthorized("the X-API-Key is not valid")
    return Principal(enterprise_id=owner)
