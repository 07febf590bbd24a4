# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs opplan, checks, rolls up and builds the sample cycle
#   make test   creates .venv, installs opplan with test extras, runs the tests
#   make mutate mutation run over the roll-up engine (docs/testing.md; MUTATE_JOBS=2: 2 workers)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SAMPLE  = samples/northwind-op1-2027
OUT    ?= out
MUTATE_JOBS ?= 1

.PHONY: demo test bench mutate clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/opplan check $(SAMPLE)
	$(BIN)/opplan rollup $(SAMPLE)
	$(BIN)/opplan build $(SAMPLE) --out $(OUT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py

# Mutants of opplan/{stack,coverage,costing,rollup}.py against the engine tests; the
# configuration is [tool.mutmut] in pyproject.toml. Lists the mutants no test kills.
mutate: $(BIN)/.installed
	$(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache mutants
