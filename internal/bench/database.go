package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/cypher"
	"kith/seed"
)

// markerLabel labels the one node that records which community the database holds.
const markerLabel = "KithBenchDataset"

// datasetVersion changes when the way the benchmark loads its community changes, so an old
// database is reloaded.
const datasetVersion = 1

// benchPrefix starts the externalId of everything the write workload creates, so that
// cleanup finds it.
const benchPrefix = "bench-"

// database is the Neo4j the run uses, with an administrative driver that bypasses the
// counting proxies.
type database struct {
	uri, user, password, name string
	driver                    neo4j.DriverWithContext
	// cpu measures the Neo4j process when it is the local instance (pid -1 otherwise).
	cpu cpuMeter
	// cannotSettle is set when the user may not list or terminate transactions (settle
	// then does nothing).
	cannotSettle bool
}

// openDatabase starts the local benchmark Neo4j unless a URI is configured, and connects.
func openDatabase(ctx context.Context, cfg *Config, log *slog.Logger) (*database, error) {
	uri := cfg.Neo4jURI
	if uri == "" {
		if err := startLocal(ctx, cfg); err != nil {
			return nil, err
		}
		uri = "bolt://127.0.0.1:" + strconv.Itoa(cfg.LocalPort)
	}
	db := &database{uri: uri, user: cfg.Neo4jUser, password: cfg.Neo4jPassword, name: cfg.Neo4jDatabase, cpu: cpuMeter{pid: -1}}
	if cfg.Neo4jURI == "" {
		if b, err := os.ReadFile(filepath.Join(cfg.LocalStateDir, "neo4j.pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				db.cpu.pid = pid
			}
		}
	}
	d, err := newDriver(ctx, db, time.Minute)
	if err != nil {
		return nil, err
	}
	db.driver = d
	return db, nil
}

// newDriver connects to db.uri, waiting up to wait for Neo4j to answer.
func newDriver(ctx context.Context, db *database, wait time.Duration) (neo4j.DriverWithContext, error) {
	d, err := neo4j.NewDriverWithContext(db.uri, db.auth())
	if err != nil {
		return nil, fmt.Errorf("neo4j driver: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err = d.VerifyConnectivity(ctx)
		if err == nil {
			return d, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = d.Close(context.Background())
			return nil, fmt.Errorf("neo4j at %s does not answer: %w", db.uri, err)
		}
		time.Sleep(time.Second)
	}
}

func (db *database) auth() neo4j.AuthToken {
	if db.user == "" {
		return neo4j.NoAuth()
	}
	return neo4j.BasicAuth(db.user, db.password, "")
}

func (db *database) close() { _ = db.driver.Close(context.Background()) }

// startLocal runs localneo4j/start.sh for the benchmark instance: its own port and data
// folder, so benchmarks never touch development or test data. It is a no-op when the
// instance already runs.
func startLocal(ctx context.Context, cfg *Config) error {
	script := filepath.Join(cfg.Root, "dev", "localneo4j", "start.sh")
	cmd := exec.CommandContext(ctx, script)
	cmd.Env = append(os.Environ(), "KITH_NEO4J_PORT="+strconv.Itoa(cfg.LocalPort), "KITH_STATE_DIR="+cfg.LocalStateDir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("start the local benchmark neo4j (%s): %w", script, err)
	}
	return nil
}

// query runs one statement in its own transaction, directly (not through a proxy).
func (db *database) query(ctx context.Context, q string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := neo4j.ExecuteQuery(ctx, db.driver, q, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.name))
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// settle waits until Neo4j runs no transaction but its own check, so that a statement a
// system left running (its client gave up on it, its server is still retrying it) does
// not run into the next burst. Transactions that have run for more than a second by then
// are terminated: a burst's own work is over when it is called, and the work a server
// defers is short (Kith's audit records). It gives up after settleLimit and returns how
// many transactions it terminated. Where the user may not list or terminate transactions
// (a Neo4j with authentication and a user without the privilege), it does nothing.
func (db *database) settle(ctx context.Context) (int, error) {
	const stale = int64(1000) // ms
	terminated := 0
	for start, quiet := time.Now(), 0; !db.cannotSettle && quiet < 3 && time.Since(start) < settleLimit; {
		recs, err := db.query(ctx, `SHOW TRANSACTIONS YIELD transactionId, currentQuery, elapsedTime
WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS'
RETURN transactionId, elapsedTime.milliseconds`, nil)
		if err != nil {
			return terminated, db.settleFailed(ctx, err)
		}
		if len(recs) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		var old []string
		for _, r := range recs {
			if ms, _ := r.Values[1].(int64); ms > stale {
				old = append(old, r.Values[0].(string))
			}
		}
		if len(old) > 0 {
			if _, err := db.query(ctx, "TERMINATE TRANSACTIONS $ids", map[string]any{"ids": old}); err != nil {
				return terminated, db.settleFailed(ctx, err)
			}
			terminated += len(old)
		}
		select {
		case <-ctx.Done():
			return terminated, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return terminated, nil
}

// settleFailed turns settle off for the rest of the run when Neo4j refused it for lack of
// privilege, and passes any other error on.
func (db *database) settleFailed(ctx context.Context, err error) error {
	var nerr *neo4j.Neo4jError
	if errors.As(err, &nerr) && (strings.HasPrefix(nerr.Code, "Neo.ClientError.Security.") || nerr.Code == "Neo.ClientError.Statement.NotAllowed") {
		db.cannotSettle = true
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("settle: %w", err)
}

// settleLimit bounds how long settle waits for Neo4j to fall quiet.
const settleLimit = 40 * time.Second

// version returns the Neo4j version and edition.
func (db *database) version(ctx context.Context) (string, error) {
	recs, err := db.query(ctx, "CALL dbms.components() YIELD name, versions, edition RETURN versions[0], edition", nil)
	if err != nil || len(recs) == 0 {
		return "", fmt.Errorf("neo4j version: %w", err)
	}
	return fmt.Sprintf("%v %v", recs[0].Values[0], recs[0].Values[1]), nil
}

// ensureDataset makes the database hold seed.Synthetic(people, seed) and nothing else,
// loading it only when the marker node says otherwise. It refuses to wipe a configured
// database that holds data it did not load, unless cfg.Reset.
func (db *database) ensureDataset(ctx context.Context, cfg *Config, log *slog.Logger) (loaded bool, err error) {
	recs, err := db.query(ctx, "OPTIONAL MATCH (m:"+markerLabel+") WITH m LIMIT 1 "+
		"CALL () { MATCH (n) RETURN count(n) AS nodes } RETURN m.people, m.seed, m.version, m.complete, nodes", nil)
	if err != nil {
		return false, fmt.Errorf("read the dataset marker: %w", err)
	}
	v := recs[0].Values
	people, _ := v[0].(int64)
	seedV, _ := v[1].(int64)
	version, _ := v[2].(int64)
	complete, _ := v[3].(bool)
	nodes, _ := v[4].(int64)
	hasMarker := v[0] != nil
	if hasMarker && complete && people == int64(cfg.People) && seedV == int64(cfg.Seed) && version == datasetVersion {
		log.Info("dataset already loaded", "people", people, "seed", seedV)
		return false, db.cleanup(ctx)
	}
	// Only the migrations' bookkeeping may be there besides a benchmark dataset.
	if !hasMarker && nodes > 0 && cfg.Neo4jURI != "" && !cfg.Reset {
		other, err := db.query(ctx, "MATCH (n) WHERE NOT n:KithMigration RETURN count(n)", nil)
		if err != nil {
			return false, err
		}
		if n, _ := other[0].Values[0].(int64); n > 0 {
			return false, fmt.Errorf("the database at %s holds %d nodes that kith bench did not load; "+
				"point NEO4J_URI at an empty database, unset it to use the local benchmark instance, or pass --reset to wipe it", db.uri, n)
		}
	}
	log.Info("loading the synthetic community", "people", cfg.People, "seed", cfg.Seed)
	if err := db.wipe(ctx); err != nil {
		return false, err
	}
	store := cypher.New(db.driver, cypher.Options{Database: db.name})
	if _, err := store.Migrate(ctx); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	if err := seed.Synthetic(cfg.People, cfg.Seed).Load(ctx, store, log); err != nil {
		return false, fmt.Errorf("load the synthetic community: %w", err)
	}
	_, err = db.query(ctx, "CREATE (:"+markerLabel+" {people: $people, seed: $seed, version: $version, complete: true, loadedAt: datetime()})",
		map[string]any{"people": int64(cfg.People), "seed": int64(cfg.Seed), "version": int64(datasetVersion)})
	if err != nil {
		return false, fmt.Errorf("write the dataset marker: %w", err)
	}
	// Let Neo4j settle its indexes and statistics before anything is measured.
	if _, err := db.query(ctx, "CALL db.awaitIndexes(300)", nil); err != nil {
		return false, fmt.Errorf("await indexes: %w", err)
	}
	return true, nil
}

// wipe deletes every node except the migrations' bookkeeping, in batches.
func (db *database) wipe(ctx context.Context) error {
	sess := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.name})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "MATCH (n) WHERE NOT n:KithMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return fmt.Errorf("wipe the benchmark database: %w", err)
	}
	return nil
}

// cleanup deletes what the measured systems added: the people the write workload created
// (externalId starting with benchPrefix, with their ties) and Kith's audit records, so
// that every slice starts from the same database.
func (db *database) cleanup(ctx context.Context) error {
	sess := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.name})
	defer sess.Close(ctx)
	for _, q := range []string{
		"MATCH (p:Person) WHERE p.externalId STARTS WITH $prefix CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 1000 ROWS",
		"MATCH (e:AuditEvent) CALL (e) { DETACH DELETE e } IN TRANSACTIONS OF 5000 ROWS",
	} {
		res, err := sess.Run(ctx, q, map[string]any{"prefix": benchPrefix})
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return fmt.Errorf("clean up: %w", err)
		}
	}
	return nil
}

// inputs are the ids and values the workloads draw their parameters from, read from the
// loaded community so that every system gets the same sequence.
type inputs struct {
	// people are Person ids of residents, in a fixed shuffled order.
	people []string
	// groups are Group ids; areas are leaf Area ids and areaNames their names.
	groups, areas, areaNames []string
	// householdTypes are the values of Person.householdType.
	householdTypes []string
	// runID makes the externalIds of this run's created people unique.
	runID string
}

// readInputs samples the community.
func (db *database) readInputs(ctx context.Context) (*inputs, error) {
	in := &inputs{runID: strconv.FormatInt(time.Now().Unix(), 36)}
	strs := func(q string) ([]string, error) {
		recs, err := db.query(ctx, q, nil)
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, len(recs))
		for _, r := range recs {
			if s, ok := r.Values[0].(string); ok {
				out = append(out, s)
			}
		}
		return out, nil
	}
	var err error
	// Ids are hashes of the externalIds, so the first ids in order are a fixed random sample.
	if in.people, err = strs("MATCH (p:Person) WHERE p.externalId STARTS WITH 'syn-person' RETURN p.id ORDER BY p.id LIMIT 2000"); err != nil {
		return nil, fmt.Errorf("sample people: %w", err)
	}
	if in.groups, err = strs("MATCH (g:Group) RETURN g.id ORDER BY g.id"); err != nil {
		return nil, fmt.Errorf("sample groups: %w", err)
	}
	recs, err := db.query(ctx, "MATCH (a:Area) WHERE EXISTS { (a)<-[:LIVES_IN]-(:Person) } RETURN a.id, a.name ORDER BY a.name", nil)
	if err != nil {
		return nil, fmt.Errorf("sample areas: %w", err)
	}
	for _, r := range recs {
		in.areas = append(in.areas, r.Values[0].(string))
		in.areaNames = append(in.areaNames, r.Values[1].(string))
	}
	if in.householdTypes, err = strs("MATCH (p:Person) WHERE p.householdType IS NOT NULL RETURN DISTINCT p.householdType ORDER BY p.householdType"); err != nil {
		return nil, fmt.Errorf("sample household types: %w", err)
	}
	if len(in.people) == 0 || len(in.groups) == 0 || len(in.areas) == 0 || len(in.householdTypes) == 0 {
		return nil, fmt.Errorf("the benchmark database has no people, groups, areas or household types to draw inputs from")
	}
	return in, nil
}
