# Caseload: `make run` serves the API locally, `make test` runs the whole suite.
# Each target installs only what is missing (stamp files track the inputs).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# cfn-lint and checkov for tests/infra: their own venv, so their pins never meet the app's.
VENV_INFRA := .venv-infra
ROLE ?= admin
# The staff console (console/: React + Vite + TypeScript), installed and built when it exists.
CONSOLE := $(wildcard console/package.json)
CONSOLE_SOURCES := $(shell find console/src console/public -type f 2>/dev/null) \
	$(wildcard console/index.html console/openapi.json console/vite.config.ts console/tsconfig*.json)

.PHONY: help run test fuzz token install package sweep bench clean console chromium

help:
	@echo "make run      install what is missing, start DynamoDB Local (.data/), seed the demo practice, serve the API on http://127.0.0.1:8000 and the console on http://127.0.0.1:8080"
	@echo "make test     install what is missing (console deps, chromium), lint and type-check the console, run the whole suite (tests/browser drives the console in headless Chromium; tests/infra packages and lints the template)"
	@echo "make fuzz     the state machine, the OpenAPI fuzzer, the edge classes and the production races, much longer (about 45 min)"
	@echo "make token ROLE=admin|practitioner|front_desk|billing   print a bearer token for the demo practice"
	@echo "make package  build the deployable template: build/package/sam.json + deployment.zip (docs/DEPLOY.md)"
	@echo "make sweep    run the daily sweep once against the local stack (emails land in .data/outbox)"
	@echo "make bench    run the benchmarks and print their figures"
	@echo "make clean    delete local data (.data/) and build output (build/, console/dist); keeps .venv, .venv-infra and node_modules"

run: install console
	$(PY) -m devtools.run_local

# Two workers: the suite is CPU-bound (moto, hypothesis) and the machine has two cores.
test: install $(VENV_INFRA)/.stamp console chromium
ifneq ($(CONSOLE),)
	npm --prefix console run --if-present lint
	npm --prefix console run --if-present typecheck
endif
	@# loadgroup: the browser tests share one worker, so one local stack and one Chromium.
	$(PY) -m pytest -n 2 --dist loadgroup

# The same tests as `make test`, with budgets hundreds of times larger and fresh random draws.
fuzz: install
	CASELOAD_STATEFUL_EXAMPLES=400 CASELOAD_STATEFUL_STEPS=50 CASELOAD_STATEFUL_RANDOM=1 \
		$(PY) -m pytest tests/api/test_stateful.py -s -p no:randomly -o timeout=0
	CASELOAD_FUZZ_EXAMPLES=500 $(PY) -m pytest tests/api/test_schemathesis.py -o timeout=0
	CASELOAD_EDGE_EXAMPLES=500 $(PY) -m pytest tests/api/test_edge_calendar.py tests/api/test_edge_inputs.py \
		tests/unit/test_edge_time.py -o timeout=0
	CASELOAD_RACE_ROUNDS=10 CASELOAD_RACE_SERVERS=6 CASELOAD_RACE_ATTENDS=48 \
		$(PY) -m pytest tests/integration/test_production_races.py -s -o timeout=0

token: $(VENV)/.stamp
	@$(PY) -m devtools.token --role $(ROLE)

package: $(VENV)/.stamp
	$(PY) -m devtools.package

sweep: install
	$(PY) -m devtools.sweep

bench: install
	$(PY) -m bench.cold_start
	$(PY) -m bench.api_calls
	$(PY) -m bench.charging
	$(PY) -m bench.group_attendance
	$(PY) -m bench.contention
	$(PY) -m bench.sweep_cost

install: $(VENV)/.stamp node_modules/.stamp

# The runtime exactly as deployed (requirements.lock, by hash), then the tools around it.
$(VENV)/.stamp: requirements.lock requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null || \
		{ echo "Python 3.11 is required (Debian: python3.11 python3.11-venv)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@# The lock without its hashes as constraints: a tool never moves a runtime pin (hashes in a
	@# constraints file would demand hashes for every tool too).
	sed -e '/--hash=/d' -e 's/ *\\$$//' requirements.lock > $(VENV)/runtime-constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -c $(VENV)/runtime-constraints.txt -r requirements-dev.txt
	touch $@

$(VENV_INFRA)/.stamp: requirements-infra.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null || \
		{ echo "Python 3.11 is required (Debian: python3.11 python3.11-venv)"; exit 1; }
	test -x $(VENV_INFRA)/bin/python || $(PYTHON) -m venv $(VENV_INFRA)
	$(VENV_INFRA)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-infra.txt
	touch $@

node_modules/.stamp: package.json package-lock.json
	@command -v java >/dev/null || { echo "java is missing: apt-get install openjdk-17-jre-headless"; exit 1; }
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The console's build (console/dist), redone when a source or the API contract (console/openapi.json) changed.
ifneq ($(CONSOLE),)
console: console/dist/index.html
else
console:
	@echo "console/ does not exist yet: serving the API only"
endif

console/node_modules/.stamp: console/package.json console/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install nodejs npm"; exit 1; }
	npm --prefix console ci --no-audit --no-fund --loglevel=error
	touch $@

console/dist/index.html: console/node_modules/.stamp $(CONSOLE_SOURCES)
	npm --prefix console run build
	touch $@

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y --no-install-recommends chromium; }

clean:
	rm -rf .data build console/dist
