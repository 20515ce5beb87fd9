package cypher

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// Stored analysis runs: runAnalysis writes each measure's score onto the nodes it scored
// (score_<measure>, with score_<measure>_run naming the run), so dashboards and Cypher
// read them without recomputing, and records the run as an (:AnalysisRun) node with its
// parameters, time, graph version and best scores. AnalysisRun is not in the closed table
// and carries no Entity label: node(id:) does not find it, and it does not change the
// graph version analyses are cached against. Writing scores does not touch updatedAt for
// the same reason.

// AnalysisRunLabel is the label of stored runs.
const AnalysisRunLabel = "AnalysisRun"

// MaxRunTop is how many best scores per measure a run keeps on its node.
const MaxRunTop = 100

// runBatch is how many nodes one transaction of SaveAnalysisRun scores.
const runBatch = 5_000

// runIDPrefix starts every run id.
const runIDPrefix = "run_"

// measureName is the form a measure name must have to become part of a property name.
var measureName = regexp.MustCompile(`^[a-z][a-z_]{0,30}$`)

// RunScore is one node's score in a stored run.
type RunScore struct {
	ID    string
	Value float64
}

// AnalysisRun is one stored run of measures.
type AnalysisRun struct {
	ID string
	At time.Time
	// Parameters describes the scope and options of the run, as JSON.
	Parameters string
	// Measures are the measures scored, as lower-case names (e.g. "pagerank").
	Measures []string
	// Version is the graph version the run was computed on.
	Version string
	// Nodes and Ties count the projection the run was computed on.
	Nodes, Ties int
	// Top holds each measure's best scores, best first, at most MaxRunTop.
	Top map[string][]RunScore
}

// NewAnalysisRunID returns a fresh id for a run.
func NewAnalysisRunID() string { return runIDPrefix + nodeid.New("Tie")[len("tie_"):] }

// IsAnalysisRunID reports whether id has the shape of a run id.
func IsAnalysisRunID(id string) bool {
	body, ok := strings.CutPrefix(id, runIDPrefix)
	if !ok {
		return false
	}
	_, ok = nodeid.Label("tie_" + body)
	return ok
}

// ScoreProperty returns the node property a measure's latest score is stored in.
func ScoreProperty(measure string) string { return "score_" + measure }

// SaveAnalysisRun stores a run: for every measure and every node scores[measure] holds,
// the score in ScoreProperty(measure) and the run id in ScoreProperty(measure)+"_run",
// then the run node with the best MaxRunTop scores of each measure (top, best first). A
// node that is gone by then is skipped.
//
// The scores are written in write transactions of runBatch nodes each, not in one: a run
// over 100,000 nodes and eight measures sets 1.6 million properties, and one transaction
// holding them all outgrew the 1.4 GiB Neo4j lets transactions take of a 2 GiB heap
// (dbms.memory.transaction.total.max; it failed with MemoryPoolOutOfMemoryError). The
// run node and its audit record come last, in a transaction of their own, so a run is
// found (AnalysisRunByID) only once every score is written. A failure in between leaves
// the nodes of the batches already written with the failed run's scores and its id in
// score_<measure>_run, an id no run node has: read a node's score together with its run
// id, and trust it when that run is stored. Each batch is idempotent, so the driver's
// retries of a batch are safe.
func (s *Store) SaveAnalysisRun(ctx context.Context, run AnalysisRun, scores map[string]map[string]float64, top map[string][]RunScore) error {
	if !IsAnalysisRunID(run.ID) {
		return fmt.Errorf("save analysis run: bad id %q", run.ID)
	}
	for _, m := range run.Measures {
		if !measureName.MatchString(m) {
			return fmt.Errorf("save analysis run: bad measure name %q", m)
		}
	}
	ids := map[string]bool{}
	for _, m := range run.Measures {
		for id := range scores[m] {
			ids[id] = true
		}
	}
	rows := make([]any, 0, len(ids))
	for _, id := range sortedKeys(ids) {
		vals := make([]any, len(run.Measures))
		for i, m := range run.Measures {
			if v, ok := scores[m][id]; ok {
				vals[i] = v
			}
		}
		rows = append(rows, map[string]any{"id": id, "v": vals})
	}
	var sets []string
	for i, m := range run.Measures {
		p := ScoreProperty(m)
		sets = append(sets, fmt.Sprintf("n.%s = row.v[%d], n.%s = CASE WHEN row.v[%d] IS NULL THEN null ELSE $run END",
			quote(p), i, quote(p+"_run"), i))
	}
	score := fmt.Sprintf("UNWIND $rows AS row MATCH (n:%s {id: row.id}) SET %s", EntityLabel, strings.Join(sets, ", "))
	props := map[string]any{
		"id": run.ID, "at": run.At.UTC(), "parameters": run.Parameters, "measures": run.Measures,
		"version": run.Version, "nodes": int64(run.Nodes), "ties": int64(run.Ties),
	}
	for _, m := range run.Measures {
		list := top[m]
		if len(list) > MaxRunTop {
			list = list[:MaxRunTop]
		}
		tids, tvals := make([]string, len(list)), make([]float64, len(list))
		for i, t := range list {
			tids[i], tvals[i] = t.ID, t.Value
		}
		props["top_"+m+"_ids"], props["top_"+m+"_scores"] = tids, tvals
	}
	for start := 0; start < len(rows); start += runBatch {
		batch := rows[start:min(start+runBatch, len(rows))]
		_, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			return s.run(ctx, tx, score, map[string]any{"rows": batch, "run": run.ID})
		})
		if err != nil {
			return fmt.Errorf("save analysis run: scores of nodes %d to %d of %d: %w", start+1, start+len(batch), len(rows), err)
		}
	}
	_, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if _, err := s.run(ctx, tx, "CREATE (r:"+AnalysisRunLabel+") SET r = $props", map[string]any{"props": props}); err != nil {
			return nil, err
		}
		return nil, s.auditWrite(ctx, tx, []string{run.ID}, map[string]any{"nodesScored": int64(len(rows))})
	})
	if err != nil {
		return fmt.Errorf("save analysis run: %w", err)
	}
	return nil
}

// AnalysisRunByID returns the stored run with the given id, or nil when there is none. It
// fails with BAD_USER_INPUT when id is not a run id.
func (s *Store) AnalysisRunByID(ctx context.Context, id string) (*AnalysisRun, error) {
	if !IsAnalysisRunID(id) {
		return nil, apierr.BadUserInput("id", "is not the id of an analysis run")
	}
	recs, err := s.query(ctx, "MATCH (r:"+AnalysisRunLabel+" {id: $id}) RETURN properties(r)", map[string]any{"id": id})
	if err != nil {
		return nil, fmt.Errorf("analysis run: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	p, _ := recs[0].Values[0].(map[string]any)
	run := &AnalysisRun{ID: id, Top: map[string][]RunScore{}}
	run.At, _ = p["at"].(time.Time)
	run.Parameters, _ = p["parameters"].(string)
	run.Version, _ = p["version"].(string)
	run.Measures = stringsOf(p["measures"])
	n, _ := p["nodes"].(int64)
	t, _ := p["ties"].(int64)
	run.Nodes, run.Ties = int(n), int(t)
	for _, m := range run.Measures {
		tids := stringsOf(p["top_"+m+"_ids"])
		tvals, _ := p["top_"+m+"_scores"].([]any)
		list := make([]RunScore, 0, len(tids))
		for i, tid := range tids {
			if i < len(tvals) {
				v, _ := tvals[i].(float64)
				list = append(list, RunScore{ID: tid, Value: v})
			}
		}
		run.Top[m] = list
	}
	return run, nil
}
