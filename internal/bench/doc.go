// Package bench is `kith bench`: it measures Kith against the floor (the same Cypher sent
// through neo4j-go-driver directly) and against @neo4j/graphql (the Neo4j GraphQL Library
// on Node, with Kith's model as its type definitions), on the same Neo4j, in one run.
//
// A run:
//
//  1. starts the benchmark Neo4j (NEO4J_URI when set, otherwise localneo4j/start.sh on port
//     7690 with its data in .kith/bench, apart from the development and test instances) and
//     loads a synthetic community from package seed, unless a marker node says that the
//     database already holds exactly that community;
//  2. starts the systems, each behind its own boltcount proxy so that the statements it
//     sends to Neo4j are counted (by text, too): Kith as a subprocess (`kith serve`, so its
//     peak memory and CPU are its own) with authentication on (a secret made for the run
//     and an admin token) and the per-token rate limit off, @neo4j/graphql as a Node
//     subprocess (bench/neo4jgraphql, installed with `npm ci`), and the raw driver inside
//     this process;
//  3. runs every workload of the table in workloads.go on every system that has it, in
//     rounds: each round gives every (workload, system) pair one slice of its request and
//     time budget, rotating the order of the systems, so that drift (caches, the JIT,
//     background work in Neo4j) falls on all of them alike. Each pair warms up before its
//     first slice. After each slice the harness waits until the system's proxy has been
//     quiet for a quarter of a second, so work a server defers (Kith's audit records) is
//     counted, with its time, in that system's slice; then it deletes what the slice
//     created (people of the write workload, audit records). The first request of each
//     workload is compared across the systems (checks in the results) to show that they do
//     the same work. Nested reads also run one request at a time, for latency without
//     queueing;
//  4. writes the results as JSON (bench/results/) and as a Markdown section of
//     BENCHMARKS.md, between markers, leaving the rest of that file alone.
//
// Every request goes to a loopback address, with a fixed number of concurrent workers
// and a bound on both requests and time.
package bench
