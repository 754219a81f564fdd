# The two commands: `make run` (serve the demo on 127.0.0.1:8000) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install browser run test lint bench clean

install: $(VENV)/.installed $(VENV)/.pgvector

$(VENV)/.installed: requirements.lock pyproject.toml
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# The test PostgreSQL's pgvector needs AVX-512; on other CPUs it is rebuilt from Debian's source.
$(VENV)/.pgvector: $(VENV)/.installed tools/pgvector_for_this_cpu.sh
	tools/pgvector_for_this_cpu.sh $(VENV)
	touch $@

run: install
	$(VENV)/bin/matchfair migrate
	$(VENV)/bin/matchfair serve --demo --host 127.0.0.1 --port 8000

# The web tests drive Debian's chromium through the pinned Python playwright package
# (executable_path); never `playwright install`, which downloads a browser build.
browser:
	command -v chromium >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; }

# one pytest worker per core (at most 4): the suite waits on servers, browsers and PostgreSQL
# as much as it computes; every worker loads its own models and session fixtures
test: install lint browser
	$(PY) -m pytest -n auto --maxprocesses 4

lint: install
	$(VENV)/bin/ruff check service tests bench tools
	$(VENV)/bin/ruff format --check service tests bench tools
	$(VENV)/bin/mypy service tests bench tools
	$(VENV)/bin/lint-imports

bench: install  # by hand, on a quiet machine; figures go in the README
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) -m bench.recommend
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) -m bench.schedule
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) -m bench.scale --sizes 10000 100000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
