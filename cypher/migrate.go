package cypher

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

//go:embed migrations/*.cypher
var migrationFiles embed.FS

// Migration is one versioned step of the database schema: a file of Cypher statements,
// each idempotent (IF NOT EXISTS), separated by semicolons at line ends.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.Glob(migrationFiles, "migrations/*.cypher")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	sort.Strings(entries)
	var out []Migration
	for _, path := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "migrations/"), ".cypher")
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migrations: %s: name must start with a version number", path)
		}
		body, err := migrationFiles.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		m := Migration{Version: v, Name: name}
		var stmt strings.Builder
		for _, line := range strings.Split(string(body), "\n") {
			t := strings.TrimSpace(line)
			if t == "" || strings.HasPrefix(t, "//") {
				continue
			}
			stmt.WriteString(t)
			stmt.WriteString(" ")
			if strings.HasSuffix(t, ";") {
				m.Statements = append(m.Statements, strings.TrimSuffix(strings.TrimSpace(stmt.String()), ";"))
				stmt.Reset()
			}
		}
		if strings.TrimSpace(stmt.String()) != "" {
			return nil, fmt.Errorf("migrations: %s: last statement lacks a semicolon", path)
		}
		out = append(out, m)
	}
	return out, nil
}

// Migrate applies the migrations not yet recorded in the database, each statement in its
// own transaction (Neo4j does not mix schema and data changes), then records the version
// and waits for new indexes to come online. It returns the versions it applied. Running it
// again, or from two instances at once, is safe.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	// Every version not yet recorded is applied, in order, not only those above the highest:
	// migrations written in parallel may land out of number order.
	recs, err := neo4j.ExecuteQuery(ctx, s.driver, "MATCH (m:KithMigration) RETURN collect(m.version)", nil,
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.opts.Database))
	if err != nil {
		return nil, fmt.Errorf("migrate: read versions: %w", classify(err))
	}
	done := map[int64]bool{}
	for _, v := range recs.Records[0].Values[0].([]any) {
		done[v.(int64)] = true
	}
	var applied []int
	for _, m := range migrations {
		if done[int64(m.Version)] {
			continue
		}
		for i, stmt := range m.Statements {
			if err := runConsumed(ctx, sess, stmt); err != nil {
				return applied, fmt.Errorf("migrate %s statement %d: %w", m.Name, i+1, classify(err))
			}
		}
		_, err := neo4j.ExecuteQuery(ctx, s.driver,
			"MERGE (m:KithMigration {version: $v}) ON CREATE SET m.name = $name, m.appliedAt = datetime()",
			map[string]any{"v": int64(m.Version), "name": m.Name}, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.opts.Database))
		if err != nil {
			return applied, fmt.Errorf("migrate %s: record: %w", m.Name, classify(err))
		}
		applied = append(applied, m.Version)
	}
	if len(applied) > 0 {
		wait := strconv.Itoa(int((5 * time.Minute).Seconds()))
		if err := runConsumed(ctx, sess, "CALL db.awaitIndexes("+wait+")"); err != nil {
			return applied, fmt.Errorf("migrate: wait for indexes: %w", classify(err))
		}
	}
	return applied, nil
}

// runConsumed runs one statement in its own transaction and waits for its outcome.
func runConsumed(ctx context.Context, sess neo4j.SessionWithContext, stmt string) error {
	res, err := sess.Run(ctx, stmt, nil)
	if err != nil {
		return err
	}
	_, err = res.Consume(ctx)
	return err
}

// SearchIndex is the full-text index behind search (migration 0002).
const SearchIndex = "kith_names"

// RebuildSearchIndex drops the full-text index behind search and creates it again, as
// migration 0002 does, then waits for it to be online. Neo4j deletes a dropped index's
// files; the new one is filled from the nodes that exist now. It is how an operator clears
// an erased person's name from the index, where a deletion otherwise stays in Lucene's
// segment files until Neo4j merges them. Search fails while the index fills (seconds for
// a community of 100,000 people), so it is an operator's step, not part of every erasure.
func (s *Store) RebuildSearchIndex(ctx context.Context) error {
	migrations, err := Migrations()
	if err != nil {
		return err
	}
	var create string
	for _, m := range migrations {
		for _, stmt := range m.Statements {
			if strings.HasPrefix(stmt, "CREATE FULLTEXT INDEX "+SearchIndex+" ") {
				create = stmt
			}
		}
	}
	if create == "" {
		return fmt.Errorf("rebuild search index: no migration creates %s", SearchIndex)
	}
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	wait := strconv.Itoa(int((5 * time.Minute).Seconds()))
	for _, stmt := range []string{"DROP INDEX " + SearchIndex + " IF EXISTS", create,
		"CALL db.awaitIndex('" + SearchIndex + "', " + wait + ")"} {
		if err := runConsumed(ctx, sess, stmt); err != nil {
			return fmt.Errorf("rebuild search index: %w", classify(err))
		}
	}
	return nil
}
