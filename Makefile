# Kith: two commands do all the set-up on a fresh machine.
#   make run   start Kith on http://127.0.0.1:8080/graphql (with a local Neo4j and demo data)
#   make test  vet and run every test against a real Neo4j
# Needs Go; for the local Neo4j (when NEO4J_URI is not set) Java 17+ and Maven.

SHELL := /bin/bash
GO ?= go
# The test database is its own instance, so tests never touch the data `make run` serves.
TEST_NEO4J_PORT ?= 7688
# The research copy (docs/research-copy.md) is a Neo4j of its own: one for make run, one
# for tests. A transaction on it may use at most RESEARCH_TX_MEMORY of heap.
RESEARCH_NEO4J_PORT ?= 7689
TEST_RESEARCH_NEO4J_PORT ?= 7691
RESEARCH_TX_MEMORY ?= 256m
# The whole suite runs one package at a time; the browser and format suites are long.
TEST_TIMEOUT ?= 30m
start_research = KITH_NEO4J_PORT=$(1) KITH_STATE_DIR=$(2) KITH_NEO4J_HEAP=1g KITH_NEO4J_TX_MEMORY=$(RESEARCH_TX_MEMORY) ./dev/localneo4j/start.sh

.PHONY: run test test-faults vet generate check-generated neo4j neo4j-stop build clean bench pyenv nodeenv chromium bench-identity web check-web check-example-dashboard

build:
	$(GO) build -o bin/kith ./cmd/kith

## run: serve the API; starts the local Neo4j unless NEO4J_URI is set, and the research
## copy's unless KITH_RESEARCH_URI is set; loads the demo neighbourhood into an empty
## database, then refreshes the research copy so that /cypher answers researchers.
run: build
	@if [ -z "$$NEO4J_URI" ]; then ./dev/localneo4j/start.sh; fi
	@if [ -z "$$KITH_RESEARCH_URI" ]; then $(call start_research,$(RESEARCH_NEO4J_PORT),.kith/research); fi
	KITH_RESEARCH_URI=$${KITH_RESEARCH_URI:-bolt://127.0.0.1:$(RESEARCH_NEO4J_PORT)} ./bin/kith serve --demo-if-empty --refresh-research-copy

## test: formatting, vet, then unit and integration tests against a real Neo4j: NEO4J_URI
## when set, otherwise a local instance on port $(TEST_NEO4J_PORT) (or, where a Docker
## engine runs and NEO4J_URI is unset, testcontainers); and the same for the research
## copy's: NEO4J_RESEARCH_URI, or a local instance on port $(TEST_RESEARCH_NEO4J_PORT).
test: vet pyenv nodeenv chromium
	@docker=; if [ -n "$$DOCKER_HOST" ] || [ -S /var/run/docker.sock ]; then docker=1; fi; \
	uri="$${NEO4J_URI:-}"; research="$${NEO4J_RESEARCH_URI:-}"; \
	if [ -z "$$uri" ] && [ -z "$$docker" ]; then \
	  KITH_NEO4J_PORT=$(TEST_NEO4J_PORT) KITH_STATE_DIR=.kith/test ./dev/localneo4j/start.sh || exit 1; \
	  uri=bolt://127.0.0.1:$(TEST_NEO4J_PORT); \
	fi; \
	if [ -z "$$research" ] && { [ -n "$$uri" ] || [ -z "$$docker" ]; }; then \
	  $(call start_research,$(TEST_RESEARCH_NEO4J_PORT),.kith/test-research) || exit 1; \
	  research=bolt://127.0.0.1:$(TEST_RESEARCH_NEO4J_PORT); \
	fi; \
	KITH_PYTHON=$(CURDIR)/.kith/venv/bin/python KITH_NODE_TOOLS=$(CURDIR)/dev/node NEO4J_URI=$$uri NEO4J_RESEARCH_URI=$$research $(GO) test -p 1 -count=1 -timeout $(TEST_TIMEOUT) ./...

## pyenv: the independent readers (networkx, icalendar, jsonschema) the format tests use,
## pinned in dev/python/requirements.txt, in .kith/venv.
pyenv:
	./dev/python/venv.sh

## nodeenv: the Node readers the tests use (graphql-http's audit of GraphQL over HTTP),
## pinned in dev/node/package-lock.json, in dev/node/node_modules.
nodeenv:
	cd dev/node && npm ci --no-audit --no-fund --loglevel=error

## chromium: Debian's headless Chromium for the browser tests, when none is installed.
chromium:
	./dev/chromium.sh

## test-faults: the fault and abuse suite (RELIABILITY.md): the real binary on a Neo4j of
## its own on port 7760 (data in .kith/faults), attacked, and killed with SIGKILL under
## write load. Loopback only, bounded; about three minutes.
test-faults:
	$(GO) test -tags faults -count=1 -v -timeout 15m ./internal/faults

## bench: Kith against the raw driver and @neo4j/graphql on the same Neo4j (see BENCHMARKS.md):
## a synthetic community of 10k people (BENCH_FLAGS='--people 100000' for 100k), on NEO4J_URI
## when set, otherwise on a local Neo4j of its own on port 7690 (data in .kith/bench). Needs
## Node 20+ and npm for @neo4j/graphql. Writes internal/bench/results/*.json and BENCHMARKS.md.
BENCH_FLAGS ?=
bench: build
	./bin/kith bench $(BENCH_FLAGS)

## bench-identity: identity matching on generated surveys of 3,000 and 30,000 respondents, and
## Splink (pinned in dev/python/requirements-bench.txt, in .kith/bench-venv) on the 3,000 one,
## scored against the surveys' truth (BENCHMARKS.md). No database needed.
bench-identity: build
	./dev/python/venv-bench.sh
	./bin/kith bench-identity --python .kith/bench-venv/bin/python $(BENCH_IDENTITY_FLAGS)

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## generate: regenerate graph/ and resolver stubs from schema/, then run everything below a
## root field in order on the request's goroutine (graph/inorder.go says why).
generate:
	$(GO) tool gqlgen generate
	$(GO) run ./graph/internal/inorder graph/generated.go
	$(GO) run ./cmd/kith schema > schema.graphql

## check-generated: fail when the committed generated code is not what schema/ gives.
check-generated: generate
	@git diff --exit-code --stat -- graph resolvers || { echo "generated code is stale: run make generate and commit"; exit 1; }
	@git diff --exit-code --stat -- schema.graphql || { echo "schema.graphql is stale: run make generate and commit"; exit 1; }

## web: rebuild the browser bundles the binary embeds. Each app in web/<app>/ has its sources,
## a package.json with a pinned package-lock.json, and an `npm run build` that writes
## web/<app>/dist, which is committed (so make run needs no Node) and embedded by the
## app's Go package.
web:
	@for d in web/*/; do [ -f "$$d/package.json" ] || continue; \
	  echo "web: $$d"; (cd "$$d" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) || exit 1; \
	done

## check-web: fail when a committed bundle is not what its sources build.
check-web: web
	@git diff --exit-code --stat -- web || { echo "a web bundle is stale: run make web and commit"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- web); \
	if [ -n "$$untracked" ]; then echo "web bundle files not committed: $$untracked"; exit 1; fi

## check-example-dashboard: the typed dashboard example (examples/dashboard): graphql-codegen
## types its query from the committed schema.graphql, and tsc checks the code that uses them.
check-example-dashboard:
	cd examples/dashboard && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check

neo4j:
	./dev/localneo4j/start.sh
	$(call start_research,$(RESEARCH_NEO4J_PORT),.kith/research)

neo4j-stop:
	./dev/localneo4j/stop.sh
	KITH_STATE_DIR=.kith/research ./dev/localneo4j/stop.sh
	KITH_STATE_DIR=.kith/test ./dev/localneo4j/stop.sh
	KITH_STATE_DIR=.kith/test-research ./dev/localneo4j/stop.sh
	KITH_STATE_DIR=.kith/bench ./dev/localneo4j/stop.sh
	KITH_STATE_DIR=.kith/faults ./dev/localneo4j/stop.sh

clean: neo4j-stop
	rm -rf bin .kith
