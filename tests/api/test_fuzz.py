"""Schemathesis over the whole OpenAPI document, as an anonymous caller, an enterprise and the
organizer: no answer is a 5xx, and every answer has a documented status code, content type and
shape. SQLite only, on a copy of the seeded fair, with a fixed budget and seed so CI stays within
minutes (see BUDGET). Path ids are mostly turned into real ones, so the fuzzer gets past the 404s.

Schemathesis' own pytest integration (`from_fixture`) does not run under pytest 9 here, so each
operation's strategy is driven by Hypothesis directly.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.config import Settings
from service.matching.embedder import Embedder
from tests.conftest import ADMIN_KEY, copy_database
from tests.seed import Fair

# cases per operation, per generation mode (valid / invalid input), per caller; a deeper run by
# hand: MATCHFAIR_FUZZ_EXAMPLES=200 pytest tests/api/test_fuzz.py
BUDGET = int(os.environ.get("MATCHFAIR_FUZZ_EXAMPLES", "4"))
SEED = 1313
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# no shrinking: a failure is reported as found (the case and the check), and the budget holds
FUZZ = settings(
    max_examples=BUDGET,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzzed(
    fair_database: tuple[Path, Fair], tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[BaseSchema, Fair]]:
    source, fair = fair_database
    url = copy_database(source, tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    app = create_app(Settings(database_url=url, admin_key=ADMIN_KEY), embedder=embedder)
    # Schemathesis starts the app's lifespan once, and keeps it up until the process ends
    yield schemathesis.openapi.from_asgi("/openapi.json", app), fair


def _real_ids(case: Case[Any], fair: Fair) -> None:
    """Three generated ids in four become ids of seeded rows (the fourth stays as generated);
    not for deletes and new keys, which would leave the rest of the run nothing to aim at."""
    if case.method == "DELETE" or case.path.endswith("/api-key"):
        return
    real = fair.path_ids()
    for name, value in (case.path_parameters or {}).items():
        if name in real and isinstance(value, int) and value % 4:
            case.path_parameters[name] = real[name][value % len(real[name])]


def _describe(exc: BaseException) -> str:
    """The failure and every failure inside it (Hypothesis and Schemathesis group them)."""
    inner = getattr(exc, "exceptions", ())
    return "\n".join([str(exc), *(_describe(e) for e in inner)])


def fuzz(schema: BaseSchema, fair: Fair, headers: dict[str, str]) -> tuple[int, list[str]]:
    """Every operation, valid and invalid input, BUDGET cases each: (cases sent, failures)."""
    failures, sent = [], 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document is valid OpenAPI
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @seed(SEED)
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Case[Any]) -> None:
                nonlocal sent
                sent += 1
                _real_ids(case, fair)
                # slow is no failure on a loaded CI machine: only 5xx and undocumented answers are
                case.call_and_validate(headers=headers, checks=CHECKS, timeout=600)

            try:
                run()
            except Unsatisfiable:  # no invalid input exists (no parameters, no body)
                continue
            except (Exception, BaseExceptionGroup) as exc:  # run all, report every failure
                failures.append(f"{operation.label} ({mode.value}): {_describe(exc)}")
    return sent, failures


def test_the_api_as_an_anonymous_caller(fuzzed: tuple[BaseSchema, Fair]) -> None:
    schema, fair = fuzzed
    sent, failures = fuzz(schema, fair, {})
    assert not failures, "\n\n".join(failures)
    assert sent >= 20 * BUDGET  # every operation was fuzzed


def test_the_api_as_an_enterprise(fuzzed: tuple[BaseSchema, Fair]) -> None:
    schema, fair = fuzzed
    sent, failures = fuzz(schema, fair, fair.key("s1"))
    assert not failures, "\n\n".join(failures)
    assert sent >= 20 * BUDGET  # every operation was fuzzed


def test_the_api_as_the_organizer(fuzzed: tuple[BaseSchema, Fair]) -> None:
    schema, fair = fuzzed
    sent, failures = fuzz(schema, fair, {"X-API-Key": ADMIN_KEY})
    assert not failures, "\n\n".join(failures)
    assert sent >= 20 * BUDGET  # every operation was fuzzed


def test_workflows_along_the_documents_links_as_the_organizer(
    fuzzed: tuple[BaseSchema, Fair],
) -> None:
    """Stateful: Schemathesis infers links from the document (e.g. the `id` a GET /events item
    carries is an `event_id`) and chains calls along them, so later steps reach real rows."""
    schema, _ = fuzzed

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return {"headers": {"X-API-Key": ADMIN_KEY}, "timeout": 600}

        def validate_response(
            self, response: Any, case: Case[Any], additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(settings=settings(FUZZ, max_examples=3 * BUDGET, stateful_step_count=8))
