# The two commands of the README. Each one sets everything up on a fresh machine, then runs.
#   make quickstart   create .venv, install mathlm, run the end-to-end sample job offline
#   make test         create .venv, install mathlm with test extras and the Debian packages the tests need, run pytest

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WORKDIR ?= runs/quickstart
# torch==2.13.0 resolves to the local CPU wheel on CPU machines and to the CUDA build on GPU clusters.
EXTRAS_RUN := data,train,eval
# bench: the peers benchmarks/ runs; the suite smoke-tests the training benchmark against torchtitan.
EXTRAS_TEST := data,train,eval,bench,test

.PHONY: quickstart test install install-test system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[$(EXTRAS_RUN)]"
	bash scripts/install_extras.sh $(VENV) run
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-run
	DS_BUILD_OPS=0 $(BIN)/pip install -q -e ".[$(EXTRAS_TEST)]"
	bash scripts/install_extras.sh $(VENV) test
	touch $@

install: $(VENV)/.installed-run

install-test: $(VENV)/.installed-test

# Debian packages the tests need (Slurm + munge, gcc, bubblewrap, Coq); a no-op when present.
system-deps:
	bash scripts/install_system_deps.sh

# The quickstart needs Coq (its prove stage) and bubblewrap (the tool-use sandbox of its eval stage):
# installed from Debian like `make test` does, if missing.
quickstart: install
	bash scripts/install_system_deps.sh quickstart
	HF_HUB_OFFLINE=1 $(BIN)/mathlm quickstart --workdir $(WORKDIR)

test: install-test system-deps
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) runs .pytest_cache
