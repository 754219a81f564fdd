"""API keys and who may do what; each rule is decided here once.

Owners change their own enterprise and what hangs off it; the organizer (the admin key) may do
everything. The API turns these rules into typed dependencies (service/api/deps.py), so who may
call a route is visible in its signature.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlmodel import Session

from service.errors import Forbidden, Unauthorized
from service.store import enterprises


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the organizer/admin, an enterprise, or nobody (public)."""

    enterprise_id: int | None = None
    admin: bool = False

    def may_change(self, enterprise_id: int) -> bool:
        return self.admin or self.enterprise_id == enterprise_id


ORGANIZER = Principal(admin=True)


def require_key(who: Principal, action: str = "change data") -> Principal:
    """Any valid key: an enterprise's or the organizer's."""
    if not who.admin and who.enterprise_id is None:
        raise Unauthorized(f"an X-API-Key header is required to {action}")
    return who


def require_organizer(who: Principal) -> Principal:
    if not who.admin:
        raise (Forbidden if who.enterprise_id else Unauthorized)(
            "this action needs the organizer's admin key in X-API-Key"
        )
    return who


def require_enterprise(who: Principal, action: str) -> int:
    """An enterprise's own key (the organizer acts for no enterprise of its own)."""
    if who.enterprise_id is None:
        raise (Forbidden if who.admin else Unauthorized)(
            f"an enterprise's API key is required to {action}"
        )
    return who.enterprise_id


def require_owner(who: Principal, enterprise_id: int) -> Principal:
    """The enterprise itself or the organizer."""
    if not require_key(who).may_change(enterprise_id):
        raise Forbidden(f"this API key may not change enterprise {enterprise_id}")
    return who


def require_one_of(who: Principal, enterprise_ids: set[int]) -> Principal:
    """One of these enterprises (e.g. either side of a meeting) or the organizer."""
    if not who.admin and require_key(who).enterprise_id not in enterprise_ids:
        raise Forbidden("this API key belongs to neither side")
    return who


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
        return ORGANIZER
    owner = enterprises.id_for_key_hash(session, hash_key(key))
    if owner is None:
        raise Unauthorized("the X-API-Key is not valid")
    return Principal(enterprise_id=owner)
