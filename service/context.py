"""What the code serving a request may want to know about it, without knowing HTTP: its id,
which log lines (service/logs.py) and audit entries (service/store/audit.py) carry."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
