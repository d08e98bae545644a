# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test tests lint typecheck unit format clean bench bench-million cluster-test system-packages screenshots

# uv installs what pip would (the same versions), in a quarter of the time; byte-compiled up
# front, because the servers the tests start run with -B and would compile on every start.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install --quiet --compile-bytecode -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/bai serve

lint: install
	$(BIN)/ruff check src tests scripts devtools
	$(BIN)/ruff format --check src tests scripts devtools
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# The tests start PgBouncer themselves, and open the docs page in headless Chromium; Debian's
# packages bring the binaries (root installs them).
system-packages:
	@test -x /usr/sbin/pgbouncer || command -v pgbouncer >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null; } || \
	  echo "pgbouncer is missing: apt-get install pgbouncer"
	@test -x /usr/bin/chromium || command -v chromium >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium is missing: apt-get install chromium"
	@fc-list :lang=zh 2>/dev/null | grep -q . || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -qq fonts-wqy-microhei >/dev/null; } || \
	  echo "no Chinese font (the console's screenshots): apt-get install fonts-wqy-microhei"
	@command -v systemd-analyze >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -qq systemd >/dev/null; } || \
	  echo "systemd-analyze is missing: apt-get install systemd"

# The static checks and the tests at once (each target's output printed whole when it ends;
# any failure fails `test`): the tests wait on servers and databases more than they compute, and
# the checks' CPU fits in those waits. The tests: two workers, a test file each at a time (a
# file's served fixtures stay in one process).
test: install system-packages
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint typecheck tests

tests: install
	$(BIN)/pytest -n 2 --dist loadfile

# The README's pictures of the console, taken by its browser tests (root, Debian chromium).
screenshots: install system-packages
	BAI_SCREENSHOTS=$(CURDIR)/docs/console $(BIN)/pytest -q -p no:randomly tests/integration/test_console_in_browser.py

# Two hosts in network namespaces on one PostgreSQL (docs/cluster.md); root only. Part of `test`.
cluster-test: install
	$(BIN)/pytest tests/cluster

unit: install
	$(BIN)/pytest tests/unit

# Options for scripts/bench/run.py, e.g. BENCH_ARGS="--peer node" (BAI and the Node build, side
# by side) or BENCH_ARGS="--target http://127.0.0.1:18491 --wechat http://127.0.0.1:18480".
BENCH_ARGS ?=

bench: install
	$(BIN)/python scripts/bench/run.py --runs 3 $(BENCH_ARGS)

bench-million: install
	$(BIN)/python scripts/bench/run.py --million --runs 3 $(BENCH_ARGS)

format: install

	$(BIN)/ruff check --fix src tests scripts devtools
	$(BIN)/ruff format src tests scripts devtools

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
