# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs opplan from the lock, checks, rolls up and builds the sample
#   make test   creates .venv, installs opplan and its test tools from the lock, runs the static
#               checks (ruff, mypy, the import-linter layer contracts) and the tests
# Other targets: make lint (static checks only), make lock (refresh requirements.lock from
# pyproject.toml; UPGRADE=1 moves every pin to the newest compatible release), make bench, make clean.
#   make mutate mutation testing of the roll-up engine (docs/testing.md; MUTATE_JOBS=2: 2 workers)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SAMPLE  = samples/northwind-op1-2027
OUT    ?= out
LOCK    = requirements.lock
MUTATE_JOBS ?= 1
# -qq: pip prints errors only (a failed install still says why).
PIP     = $(BIN)/python -m pip -qq --disable-pip-version-check

.PHONY: demo test lint lock bench fuzz mutate clean

$(BIN)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r $(LOCK)
	$(PIP) install --no-deps -e .
	touch $@

demo: $(BIN)/.installed
	$(BIN)/opplan check $(SAMPLE)
	$(BIN)/opplan rollup $(SAMPLE)
	$(BIN)/opplan build $(SAMPLE) --out $(OUT)

lint: $(BIN)/.installed
	$(BIN)/ruff check opplan tests benchmarks
	$(BIN)/ruff format --check --quiet opplan tests benchmarks
	$(BIN)/mypy
	@out=$$($(BIN)/lint-imports 2>&1) || { echo "$$out"; exit 1; }; echo "lint-imports: every layer contract kept"

# The OOXML schema validator (tests/test_ooxml_valid.py), pinned in tools/ooxml/package-lock.json.
OOXML = tools/ooxml/node_modules/.installed
$(OOXML): tools/ooxml/package.json tools/ooxml/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tools/ooxml --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the OOXML validation test will skip (CI=true makes it fail)"; fi

test: lint $(OOXML)
	$(BIN)/python -m pytest -q

# The lock: exact versions of every package `make test` installs, resolved for every platform
# from the ranges in pyproject.toml. Commit it with the pyproject.toml change that caused it.
lock: $(BIN)/.installed
	$(PIP) install 'uv==0.13.9'
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
	  --quiet $(if $(UPGRADE),--upgrade,) --custom-compile-command 'make lock' -o $(LOCK)

# The seeded mutation fuzzer (tests/fuzzkit.py) with many cases; `make test` runs a few hundred.
# FUZZ_SEED picks another seed; a failure prints the FUZZ_SEED and FUZZ_ONLY that replay it.
FUZZ_CASES ?= 5000
fuzz: $(BIN)/.installed
	FUZZ_CASES=$(FUZZ_CASES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_hostile_fuzz.py

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py

# Mutants of the roll-up engine (the modules in [tool.mutmut] only_mutate) against its tests; the
# configuration is [tool.mutmut] in pyproject.toml. Lists the mutants no test kills.
mutate: $(BIN)/.installed
	$(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache mutants
