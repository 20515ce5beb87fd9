// Package neo4jtest gives tests a real Neo4j: the one NEO4J_URI names (make test starts the
// local one), or else a neo4j:5.26-community container through testcontainers-go when a
// Docker engine is reachable. With neither, tests fail with a sentence saying what to do:
// Kith's tests never replace the database by a fake.
package neo4jtest

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	tcneo4j "github.com/testcontainers/testcontainers-go/modules/neo4j"
)

// container is a Neo4j started at most once per test binary and reused by every test in it.
type container struct {
	once sync.Once
	uri  string
	err  error
}

// live is the tests' live database; research the research copy's.
var live, research container

// URI returns the Bolt URI of the Neo4j the tests use.
func URI(t testing.TB) string {
	t.Helper()
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		return uri
	}
	return live.start(t)
}

// ResearchURI returns the Bolt URI of a second Neo4j, the tests' research copy: the one
// NEO4J_RESEARCH_URI names (make test starts a second local instance), or else a second
// container. It is never the live database's.
func ResearchURI(t testing.TB) string {
	t.Helper()
	if uri := os.Getenv("NEO4J_RESEARCH_URI"); uri != "" {
		return uri
	}
	if os.Getenv("NEO4J_URI") != "" {
		t.Fatal("no research copy for tests: with NEO4J_URI set, set NEO4J_RESEARCH_URI to a second Neo4j 5 (make test starts one)")
	}
	return research.start(t)
}

func (c *container) start(t testing.TB) string {
	t.Helper()
	c.once.Do(func() {
		if !dockerAvailable() {
			c.err = errNoDatabase
			return
		}
		ctx := context.Background()
		n, err := tcneo4j.Run(ctx, "neo4j:5.26-community", tcneo4j.WithoutAuthentication())
		if err != nil {
			c.err = err
			return
		}
		c.uri, c.err = n.BoltUrl(ctx)
	})
	if c.err != nil {
		t.Fatalf("no Neo4j for tests: %v", c.err)
	}
	return c.uri
}

type noDatabase struct{}

func (noDatabase) Error() string {
	return "set NEO4J_URI to a Neo4j 5 (bolt://127.0.0.1:7687 after dev/localneo4j/start.sh), or run `make test`, which starts one; " +
		"with a Docker engine a container is started instead"
}

var errNoDatabase = noDatabase{}

func dockerAvailable() bool {
	if os.Getenv("DOCKER_HOST") != "" {
		return true
	}
	_, err := os.Stat("/var/run/docker.sock")
	return err == nil
}

// Driver returns a driver to the test Neo4j (authenticated with NEO4J_USER and
// NEO4J_PASSWORD when set), closed when the test ends.
func Driver(t testing.TB, uri string) neo4j.DriverWithContext {
	t.Helper()
	auth := neo4j.NoAuth()
	if u := os.Getenv("NEO4J_USER"); u != "" {
		auth = neo4j.BasicAuth(u, os.Getenv("NEO4J_PASSWORD"), "")
	}
	d, err := neo4j.NewDriverWithContext(uri, auth)
	if err != nil {
		t.Fatalf("neo4j driver: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.VerifyConnectivity(ctx); err != nil {
		t.Fatalf("neo4j at %s does not answer: %v", uri, err)
	}
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	return d
}

// Reset deletes every node and tie, leaving constraints and indexes in place.
func Reset(t testing.TB, d neo4j.DriverWithContext) {
	t.Helper()
	ctx := context.Background()
	sess := d.NewSession(ctx, neo4j.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "MATCH (n) WHERE NOT n:KithMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatalf("reset database: %v", err)
	}
}

// Count returns the number of nodes and ties in the database, to check that a refused
// write changed nothing. Audit records (:AuditEvent, written for every request that
// writes or reads sensitive data) and what instances share (:KithState, :KithRevocation)
// are not counted.
func Count(t testing.TB, d neo4j.DriverWithContext) (nodes, ties int64) {
	t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), d,
		"CALL () { MATCH (n) WHERE NOT (n:AuditEvent OR n:KithState OR n:KithRevocation) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n, r",
		nil, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return res.Records[0].Values[0].(int64), res.Records[0].Values[1].(int64)
}

// BenchDatabase returns the Bolt URI of the Neo4j a benchmark may fill, from
// KITH_BENCH_NEO4J_URI, and the size of community to load into it, from KITH_BENCH_PEOPLE
// (default 10,000). It skips b when KITH_BENCH_NEO4J_URI is unset.
func BenchDatabase(b *testing.B) (uri string, people int) {
	b.Helper()
	uri = os.Getenv("KITH_BENCH_NEO4J_URI")
	if uri == "" {
		b.Skip("set KITH_BENCH_NEO4J_URI to a Neo4j the benchmark may fill")
	}
	people = 10_000
	if n, err := strconv.Atoi(os.Getenv("KITH_BENCH_PEOPLE")); err == nil && n > 0 {
		people = n
	}
	return uri, people
}

// EnsurePeople keeps a benchmark's community between runs: unless the database holds
// exactly people Person nodes, it empties it and calls load.
func EnsurePeople(b *testing.B, d neo4j.DriverWithContext, people int, load func() error) {
	b.Helper()
	ctx := context.Background()
	res, err := neo4j.ExecuteQuery(ctx, d, "MATCH (p:Person) RETURN count(p)", nil, neo4j.EagerResultTransformer)
	if err != nil {
		b.Fatal(err)
	}
	if res.Records[0].Values[0].(int64) == int64(people) {
		return
	}
	Reset(b, d)
	start := time.Now()
	if err := load(); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded a community of %d people in %s", people, time.Since(start).Round(time.Millisecond))
}
