# Kith: two commands do all the set-up on a fresh machine.
#   make run   start Kith on http://127.0.0.1:8080/graphql (with a local Neo4j and demo data)
#   make test  vet and run every test against a real Neo4j
# Needs Go; for the local Neo4j (when NEO4J_URI is not set) Java 17+ and Maven.

SHELL := /bin/bash
GO ?= go
# The test database is its own instance, so tests never touch the data `make run` serves.
TEST_NEO4J_PORT ?= 7688

.PHONY: run test test-faults vet generate check-generated neo4j neo4j-stop build clean bench

build:
	$(GO) build -o bin/kith ./cmd/kith

## run: serve the API; starts the local Neo4j unless NEO4J_URI is set, loads the demo
## neighbourhood into an empty database.
run: build
	@if [ -z "$$NEO4J_URI" ]; then ./localneo4j/start.sh; fi
	./bin/kith serve --demo-if-empty

## test: formatting, vet, then unit and integration tests against a real Neo4j: NEO4J_URI
## when set, otherwise a local instance on port $(TEST_NEO4J_PORT) (or, where a Docker
## engine runs and NEO4J_URI is unset, testcontainers).
test: vet
	@if [ -z "$$NEO4J_URI" ] && [ -z "$$DOCKER_HOST" ] && [ ! -S /var/run/docker.sock ]; then \
	  KITH_NEO4J_PORT=$(TEST_NEO4J_PORT) KITH_STATE_DIR=.kith/test ./localneo4j/start.sh; \
	fi
	@uri="$${NEO4J_URI:-}"; \
	if [ -z "$$uri" ] && [ -z "$$DOCKER_HOST" ] && [ ! -S /var/run/docker.sock ]; then uri=bolt://127.0.0.1:$(TEST_NEO4J_PORT); fi; \
	NEO4J_URI=$$uri $(GO) test -p 1 -count=1 ./...

## test-faults: the fault and abuse suite (RELIABILITY.md): the real binary on a Neo4j of
## its own on port 7760 (data in .kith/faults), attacked, and killed with SIGKILL under
## write load. Loopback only, bounded; about three minutes.
test-faults:
	$(GO) test -tags faults -count=1 -v -timeout 15m ./faults

## bench: Kith against the raw driver and @neo4j/graphql on the same Neo4j (see BENCHMARKS.md):
## a synthetic community of 10k people (BENCH_FLAGS='--people 100000' for 100k), on NEO4J_URI
## when set, otherwise on a local Neo4j of its own on port 7690 (data in .kith/bench). Needs
## Node 20+ and npm for @neo4j/graphql. Writes bench/results/*.json and BENCHMARKS.md.
BENCH_FLAGS ?=
bench: build
	./bin/kith bench $(BENCH_FLAGS)

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## generate: regenerate graph/ and resolver stubs from schema/, then run everything below a
## root field in order on the request's goroutine (graph/inorder.go says why).
generate:
	$(GO) tool gqlgen generate
	$(GO) run ./graph/internal/inorder graph/generated.go

## check-generated: fail when the committed generated code is not what schema/ gives.
check-generated: generate
	@git diff --exit-code --stat -- graph resolvers || { echo "generated code is stale: run make generate and commit"; exit 1; }

neo4j:
	./localneo4j/start.sh

neo4j-stop:
	./localneo4j/stop.sh
	KITH_STATE_DIR=.kith/test ./localneo4j/stop.sh
	KITH_STATE_DIR=.kith/bench ./localneo4j/stop.sh
	KITH_STATE_DIR=.kith/faults ./localneo4j/stop.sh

clean: neo4j-stop
	rm -rf bin .kith
