"""Answers that leave as they were built."""

from fastapi import Response
from pydantic import BaseModel


def as_json(answer: BaseModel) -> Response:
    """`answer` as JSON, dumped on the endpoint's thread. Returned as a model from a plain
    (thread-pool) endpoint, it would be checked again on a second trip to the pool before
    FastAPI dumps it: one more wait for the worker's one thread under load, for a model that
    the use-case has just built and validated. The route names its `response_model` for the
    documentation."""
    return Response(answer.model_dump_json(), media_type="application/json")
