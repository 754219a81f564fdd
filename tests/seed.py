"""A small fair seeded through the real API, for the walks that look at every route (privacy,
fuzzing): enterprises with distinctive contact details, needs and offers, an event whose
participants have match lists, an accepted and a declined meeting request, a plan, an outcome
and an HS confirmation. Ids and keys are returned so tests can aim at real rows."""

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from tests.fairs.conftest import event_body, wait_for

COMPANIES: dict[str, dict[str, Any]] = {
    "s1": {
        "name": "Yuzhong Red Pot Condiment Co.",
        "role": "supplier",
        "description": "Chongqing maker of beef-tallow hotpot base and chili oil.",
        "looking_for": "Importers of Asian groceries in Europe",
        "country": "China",
        "certifications": ["HACCP"],
        "export_markets": ["Germany"],
        "product_lines": [{"name": "Spicy hotpot seasoning base", "hs_code": "2103.90"}],
    },
    "s2": {
        "name": "Xiyong Bright Compute Ltd.",
        "role": "supplier",
        "description": "Contract manufacturer of notebook computers.",
        "country": "China",
        "product_lines": [{"name": "14-inch business laptop", "hs_code": "8471.30"}],
    },
    "s3": {
        "name": "Yongchuan Tea Garden",
        "role": "supplier",
        "description": "Green tea and jasmine tea, organic certified.",
        "country": "China",
        "product_lines": [{"name": "Green tea", "hs_code": "0902.10"}],
    },
    "b1": {
        "name": "Rheinland Asia Foods GmbH",
        "role": "buyer",
        "description": "Importer supplying Asian supermarkets in Germany.",
        "looking_for": "Chinese condiments, hotpot seasoning and chili oil",
        "country": "Germany",
    },
    "b2": {
        "name": "Warsaw Office Supply",
        "role": "buyer",
        "description": "Distributor of office computers in Poland.",
        "looking_for": "Business laptops for offices",
        "country": "Poland",
    },
    "x": {  # not at the fair
        "name": "Lyon Epicerie Fine",
        "role": "buyer",
        "description": "Delicatessen importer in France.",
        "looking_for": "Tea and condiments",
        "country": "France",
    },
}
IN_FAIR = ("s1", "s2", "s3", "b1", "b2")


def contact(name: str) -> dict[str, str]:
    """Contact details that appear nowhere else, one set per company."""
    n = list(COMPANIES).index(name) + 1
    return {
        "contact_name": f"Contact Person {name.upper()}",
        "contact_email": f"person.{name}@{name}-company.example",
        "contact_phone": f"+86 23 6000 10{n:02d}",
    }


@dataclass
class Fair:
    """What the seed made: enterprise, participant, need/offer, request, meeting and job ids."""

    enterprises: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    participants: dict[str, int] = field(default_factory=dict)
    event: int = 0
    need: int = 0
    offer: int = 0
    requests: list[int] = field(default_factory=list)
    meetings: list[int] = field(default_factory=list)
    job: str = ""

    def key(self, name: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[name]}

    def path_ids(self) -> dict[str, list[int]]:
        """Real ids for the API's path parameters, in the order the seed made them."""
        return {
            "enterprise_id": list(self.enterprises.values()),
            "need_id": [self.need],
            "offer_id": [self.offer],
            "event_id": [self.event],
            "participant_id": list(self.participants.values()),
            "request_id": self.requests,
            "meeting_id": self.meetings,
        }


def _ok(reply: Any, *codes: int) -> Any:
    assert reply.status_code in (codes or (200, 201, 202)), reply.text
    return reply.json()


def seed_fair(client: TestClient, admin: dict[str, str]) -> Fair:
    fair = Fair()
    for name, body in COMPANIES.items():
        made = _ok(client.post("/enterprises", json={**body, **contact(name)}))
        fair.enterprises[name] = made["enterprise"]["id"]
        fair.keys[name] = made["api_key"]
    fair.need = _ok(
        client.post(
            "/needs",
            json={"buyer_id": fair.enterprises["b1"], "title": "Hotpot seasoning for Germany"},
            headers=fair.key("b1"),
        )
    )["id"]
    fair.offer = _ok(
        client.post(
            "/offers",
            json={"supplier_id": fair.enterprises["s1"], "title": "Hotpot base, 400 g"},
            headers=fair.key("s1"),
        )
    )["id"]
    fair.event = _ok(client.post("/events", json=event_body(), headers=admin))["id"]
    for name in IN_FAIR:
        role = COMPANIES[name]["role"]
        body = {"enterprise_id": fair.enterprises[name], "role": role}
        url = f"/events/{fair.event}/participants"
        fair.participants[name] = _ok(client.post(url, json=body, headers=admin))["id"]
    built = _ok(client.post(f"/events/{fair.event}/match-lists", headers=admin))
    fair.job = built["id"]
    wait_for(client, built)
    for sender, to, accept in (("s1", "b1", True), ("s2", "b2", False)):
        body = {"from_id": fair.participants[sender], "to_id": fair.participants[to]}
        sent = _ok(
            client.post(f"/events/{fair.event}/requests", json=body, headers=fair.key(sender))
        )
        fair.requests.append(sent["id"])
        url = f"/events/{fair.event}/requests/{sent['id']}/answer"
        _ok(client.post(url, json={"accept": accept}, headers=fair.key(to)))
    wait_for(client, _ok(client.post(f"/events/{fair.event}/schedule", headers=admin)))
    fair.meetings = [
        m["id"] for m in _ok(client.get(f"/events/{fair.event}/meetings", headers=admin))
    ]
    assert fair.meetings, "the seed planned no meeting"
    outcome = {"status": "held", "rating": 4}
    _ok(
        client.put(
            f"/events/{fair.event}/meetings/{fair.meetings[0]}/outcome", json=outcome, headers=admin
        )
    )
    confirmation = {"text": "beef tallow hotpot base", "code": "2103.90"}
    _ok(client.post("/hs/confirmations", json=confirmation, headers=fair.key("s1")))
    return fair
