package cypher

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// This file reads an export (package export writes it): the nodes and ties of an analysis
// projection (projection.go) with what analysts' tools show of them, streamed to a sink as
// Neo4j sends the rows. Nodes come first, in one statement, then ties, in a second, so a
// writer can finish its node section before the first tie arrives; a tie is read only
// when both its ends are in the export (the far end meets the same conditions as the
// node statement), so neither side holds the graph in memory.

// ExportSpec selects what an export reads: a projection, and the stored scores (the
// measures of analysis runs, ScoreProperty) to give each node.
type ExportSpec struct {
	ProjectionSpec
	// Scores are the measures (e.g. DEGREE) whose stored score each node carries.
	Scores []string
}

// ExportWave is a survey wave, for the spells of ties.
type ExportWave struct {
	ID, Name string
	// CollectedOn is the wave's date, YYYY-MM-DD ("" when not recorded).
	CollectedOn string
}

// ExportNode is one node of an export, as the scope lets the caller see it.
type ExportNode struct {
	ID, Label string
	// Name is a person's display name, or another node's name (title, role); "" for a
	// person when the scope pseudonymises.
	Name string
	// HouseholdType, AgeBand and Employment are a person's attributes (see ProjectedNode).
	HouseholdType, AgeBand, Employment string
	// AreaID and AreaName are the node's area, "" when none.
	AreaID, AreaName string
	IsAuthority      bool
	// Community is the node's community (1 for the largest), 0 when none was computed; the
	// store leaves it to the caller (the server's analysis).
	Community int
	// Scores hold the stored score of each of ExportSpec.Scores, nil when none is stored.
	Scores []*float64
}

// ExportTie is one stored tie of an export, from one node of the export to another.
type ExportTie struct {
	From, To, Kind string
	// Strength is a KNOWS tie's strength, Purpose a TRUSTS tie's; "" otherwise.
	Strength, Purpose string
	// Waves are the ids of the waves the tie was recorded in.
	Waves []string
}

// ExportHeader is what an export knows before its first node.
type ExportHeader struct {
	// Waves are every survey wave, by date, for the spells of ties.
	Waves []ExportWave
	// AreaName and WaveName name the spec's area and wave ("" when it has none).
	AreaName, WaveName string
}

// ExportSink receives an export as it is read: the header, every node, NodesDone, then
// every tie. An error stops the export and is returned by Store.Export.
type ExportSink interface {
	Begin(h ExportHeader) error
	Node(n ExportNode) error
	NodesDone() error
	Tie(t ExportTie) error
}

// ExportCounts are the nodes and ties an export held.
type ExportCounts struct{ Nodes, Ties int }

// errExportRetry stops a read transaction the driver retries after the sink has
// received rows: what it wrote cannot be taken back.
var errExportRetry = errors.New("the read was interrupted by a transient database error after rows were sent; run it again")

// streamOnce runs work in one read transaction that the driver may not retry: work hands
// rows on as they arrive, and what it handed on cannot be taken back (errExportRetry).
func (s *Store) streamOnce(ctx context.Context, work func(tx neo4j.ManagedTransaction) error) error {
	attempts := 0
	_, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		attempts++
		if attempts > 1 {
			return nil, errExportRetry
		}
		return nil, work(tx)
	})
	return err
}

// checkExportArea fails with FORBIDDEN when a scope limited to areas asks for an area
// outside them.
func (s *Store) checkExportArea(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, p ProjectionSpec) error {
	if scope.Areas == nil || p.AreaID == "" {
		return nil
	}
	q := fmt.Sprintf("RETURN EXISTS { MATCH (:Area {id: $area})-[:IN*0..%d]->(a:Area) WHERE a.id IN $areas } AS inside", areaDepth)
	recs, err := s.run(ctx, tx, q, map[string]any{"area": p.AreaID, "areas": scope.Areas})
	if err != nil {
		return err
	}
	if inside, _ := recs[0].Values[0].(bool); !inside {
		return apierr.Forbidden(p.field("areaId"), "is not one of the areas you cover")
	}
	return nil
}

// exportQueries builds the node and tie statements of an export, which share params.
func (s *Store) exportQueries(scope Scope, spec ExportSpec) (nodes, ties string, params map[string]any, err error) {
	for _, m := range spec.Scores {
		if !measureName.MatchString(m) {
			return "", "", nil, fmt.Errorf("export: %q is not a measure name", m)
		}
	}
	p := spec.ProjectionSpec
	b := newScopedBuilder(s.schema, scope)
	labels := p.labels()
	match := s.projectionMatch(b, p)
	household, ageBand, _, employment := personAttributes(b, p)
	name := "coalesce(n.name, n.title, n.displayName, n.role)"
	if scope.Pseudonymise {
		name = "CASE WHEN n:Person THEN null ELSE " + name + " END"
	}
	var q strings.Builder
	q.WriteString(match)
	fmt.Fprintf(&q, "\nRETURN n.id AS id, %s AS label, %s AS name, %s AS householdType, %s AS ageBand,"+
		" CASE WHEN n:Person THEN %s END AS employment, coalesce(n.isAuthority, false) AS authority,"+
		" CASE WHEN n:Area THEN [n.id, n.name] ELSE head(COLLECT { MATCH (n)-[:LIVES_IN|IN]->(a:Area) RETURN [a.id, a.name] ORDER BY a.id LIMIT 1 }) END AS area",
		b.typename("n", labels), name, household, ageBand, employment)
	scores := make([]string, len(spec.Scores))
	for i, m := range spec.Scores {
		scores[i] = "n." + quote(ScoreProperty(m))
	}
	fmt.Fprintf(&q, ", [%s] AS scores", strings.Join(scores, ", "))
	nodes = q.String()

	q.Reset()
	q.WriteString(match)
	q.WriteString("\nRETURN n.id AS id")
	wave := ""
	if p.WaveID != "" {
		wave = " AND " + b.param(p.WaveID) + " IN r.waves"
	}
	for i, k := range p.kinds() {
		kind := s.schema.Ties[k]
		from, to := kind.ends(labels)
		if len(from) == 0 || len(to) == 0 {
			continue // this kind joins none of the labels read
		}
		cond := "true" + wave
		if c := s.projectionCond(b, p, "m", to); c != "" {
			cond += " AND " + c
		}
		if k == "TRUSTS" && len(p.TrustPurposes) > 0 {
			cond += " AND r.`for` IN " + b.param(p.TrustPurposes)
		}
		if k == "MEMBER_OF" {
			if gp := b.groupPredicate("m"); gp != "" {
				cond += " AND " + gp
			}
		}
		if k == "ATTENDED" {
			if ep := b.eventPredicate("m"); ep != "" {
				cond += " AND " + ep
			}
		}
		fmt.Fprintf(&q, ",\n COLLECT { MATCH (n)-[r:%s]->(m:%s) WHERE m <> n AND %s RETURN [m.id, '%s', r.strength, r.`for`, r.waves] } AS t%d",
			quote(k), labelExpr(to), cond, k, i)
	}
	return nodes, q.String(), b.params, nil
}

// Export reads the export the spec selects, as the scope lets the caller see it, and
// hands it to sink as the rows arrive: in one read transaction, the graph version check
// (NOT_FOUND for an unknown area or wave), the caller's area (FORBIDDEN outside a worker's
// areas), the waves, the nodes, then the ties between them. It fails with BAD_USER_INPUT
// for a spec outside the closed table.
func (s *Store) Export(ctx context.Context, scope Scope, spec ExportSpec, sink ExportSink) (ExportCounts, error) {
	if err := s.checkProjection(spec.ProjectionSpec); err != nil {
		return ExportCounts{}, err
	}
	nodesQ, tiesQ, params, err := s.exportQueries(scope, spec)
	if err != nil {
		return ExportCounts{}, err
	}
	var counts ExportCounts
	err = s.streamOnce(ctx, func(tx neo4j.ManagedTransaction) error {
		if _, err := s.readVersion(ctx, tx, spec.ProjectionSpec); err != nil {
			return err
		}
		if err := s.checkExportArea(ctx, tx, scope, spec.ProjectionSpec); err != nil {
			return err
		}
		recs, err := s.run(ctx, tx, "RETURN head(COLLECT { MATCH (a:Area {id: $area}) RETURN a.name }) AS area,"+
			" COLLECT { MATCH (w:Wave) RETURN [w.id, w.name, w.collectedOn] ORDER BY w.collectedOn, w.id } AS waves",
			map[string]any{"area": spec.AreaID})
		if err != nil {
			return err
		}
		h := ExportHeader{AreaName: exportString(recs[0].Values[0])}
		waves, _ := recs[0].Values[1].([]any)
		for _, v := range waves {
			f, _ := v.([]any)
			if len(f) != 3 {
				continue
			}
			w := ExportWave{ID: exportString(f[0]), Name: exportString(f[1])}
			if d, ok := f[2].(neo4j.Date); ok {
				w.CollectedOn = d.Time().Format("2006-01-02")
			}
			if w.ID == spec.WaveID {
				h.WaveName = w.Name
			}
			h.Waves = append(h.Waves, w)
		}
		if err := sink.Begin(h); err != nil {
			return err
		}
		if err := s.streamExportNodes(ctx, tx, nodesQ, params, len(spec.Scores), sink, &counts); err != nil {
			return err
		}
		if err := sink.NodesDone(); err != nil {
			return err
		}
		return s.streamExportTies(ctx, tx, tiesQ, params, sink.Tie, &counts)
	})
	if err != nil {
		return counts, fmt.Errorf("export: %w", err)
	}
	return counts, nil
}

func (s *Store) streamExportNodes(ctx context.Context, tx neo4j.ManagedTransaction, q string, params map[string]any,
	scores int, sink ExportSink, counts *ExportCounts) error {
	s.roundTrips.Add(1)
	result, err := tx.Run(ctx, q, params)
	if err != nil {
		return err
	}
	for result.Next(ctx) {
		v := result.Record().Values
		n := ExportNode{ID: exportString(v[0]), Label: exportString(v[1]), Name: exportString(v[2]), HouseholdType: exportString(v[3]), AgeBand: exportString(v[4]),
			Employment: exportString(v[5]), Scores: make([]*float64, scores)}
		n.IsAuthority, _ = v[6].(bool)
		if a, ok := v[7].([]any); ok && len(a) == 2 {
			n.AreaID, n.AreaName = exportString(a[0]), exportString(a[1])
		}
		if sc, ok := v[8].([]any); ok {
			for i := range min(len(sc), scores) {
				switch x := sc[i].(type) {
				case float64:
					n.Scores[i] = &x
				case int64:
					f := float64(x)
					n.Scores[i] = &f
				}
			}
		}
		if err := sink.Node(n); err != nil {
			return err
		}
		counts.Nodes++
	}
	return result.Err()
}

func (s *Store) streamExportTies(ctx context.Context, tx neo4j.ManagedTransaction, q string, params map[string]any,
	each func(ExportTie) error, counts *ExportCounts) error {
	s.roundTrips.Add(1)
	result, err := tx.Run(ctx, q, params)
	if err != nil {
		return err
	}
	for result.Next(ctx) {
		v := result.Record().Values
		from := exportString(v[0])
		for _, col := range v[1:] {
			ties, _ := col.([]any)
			for _, t := range ties {
				f, _ := t.([]any)
				if len(f) != 5 {
					continue
				}
				tie := ExportTie{From: from, To: exportString(f[0]), Kind: exportString(f[1]), Strength: exportString(f[2]), Purpose: exportString(f[3])}
				if ws, ok := f[4].([]any); ok {
					for _, w := range ws {
						tie.Waves = append(tie.Waves, exportString(w))
					}
				}
				if err := each(tie); err != nil {
					return err
				}
				counts.Ties++
			}
		}
	}
	return result.Err()
}

// ProjectionTies reads the ties between nodes of the given labels, of the given kinds, as
// an export reads them and as the scope lets the caller see them (both ends in view, no
// membership the scope hides), and hands each to each as Neo4j sends the rows: one
// statement in a read transaction. It is the community map's read of the ties (docs/map.md),
// which reads the nodes through the API's lists. It returns how many ties it handed on, and
// fails with BAD_USER_INPUT for labels or kinds outside the closed table.
func (s *Store) ProjectionTies(ctx context.Context, scope Scope, labels, kinds []string, each func(ExportTie) error) (int, error) {
	spec := ExportSpec{ProjectionSpec: ProjectionSpec{Labels: labels, Kinds: kinds}}
	if err := s.checkProjection(spec.ProjectionSpec); err != nil {
		return 0, err
	}
	_, tiesQ, params, err := s.exportQueries(scope, spec)
	if err != nil {
		return 0, err
	}
	var counts ExportCounts
	err = s.streamOnce(ctx, func(tx neo4j.ManagedTransaction) error {
		return s.streamExportTies(ctx, tx, tiesQ, params, each, &counts)
	})
	if err != nil {
		return counts.Ties, fmt.Errorf("projection ties: %w", err)
	}
	return counts.Ties, nil
}

// exportString is a string value of a record, "" for anything else.
func exportString(v any) string {
	s, _ := v.(string)
	return s
}
