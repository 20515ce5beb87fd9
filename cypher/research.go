package cypher

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
	"kith/pseudonym"
)

// The research copy: a second Neo4j that holds only what researchers and analysts may see,
// so that their ad-hoc Cypher (POST /cypher) can read anything in it. What it holds is
// derived from the closed table (schema.go) and the analyst's scope (AnalystScope):
//
//   - every label of the table, each node only when the scope would show it: people who
//     consented to analysis, groups that are not sensitive, and a node that belongs to one
//     person (a gift, through Gift.offeredBy) only when that person is copied or it has none;
//   - every property of the table but the Personal ones (names, contacts, wellbeing,
//     consent, externalId);
//   - every tie kind of the table between two copied nodes, with the kind's own properties;
//   - every id (of nodes, ties, and ids held in properties, such as a tie's wave) replaced
//     by the researcher role's pseudonymous id (pseudonym.Keys.Encode).
//
// Nothing else is copied: no audit record, no analysis run, no score, no property outside
// the table. One node of its own, (:ResearchCopy {key: 'state'}), says when the copy was
// taken and whether it is ready; readers check it before and after their query, so that
// no answer mixes two copies or reads a half-loaded one (Query).

// ResearchRole is the role whose pseudonymous ids the research copy holds.
const ResearchRole = "researcher"

// researchStateLabel labels the one node that describes the copy.
const researchStateLabel = "ResearchCopy"

// researchBatch is how many nodes or ties one statement reads from the live graph and one
// transaction writes to the copy.
const researchBatch = 5_000

// staleRefresh is how long a refresh that never finished (its process died) blocks
// another: after it, a new refresh takes over.
const staleRefresh = 15 * time.Minute

// Research copy states.
const (
	stateRefreshing = "refreshing"
	stateReady      = "ready"
	stateFailed     = "failed"
)

// ResearchCopy makes and reads the research copy.
type ResearchCopy struct {
	live, copy *Store
	keys       *pseudonym.Keys
	batch      int
	// refreshing lets one refresh run at a time in this process; the state node does the
	// same across processes.
	refreshing sync.Mutex
}

// NewResearchCopy returns the research copy of the live store's graph, kept in copy, with
// ids encoded by keys for ResearchRole.
func NewResearchCopy(live, copy *Store, keys *pseudonym.Keys) *ResearchCopy {
	return &ResearchCopy{live: live, copy: copy, keys: keys, batch: researchBatch}
}

// ResearchCopyStatus describes a finished copy.
type ResearchCopyStatus struct {
	// CopiedAt is when the refresh that made it started reading the live graph.
	CopiedAt time.Time
	// People, Nodes (people included) and Ties count what it holds.
	People, Nodes, Ties int
	// Generation names this copy; a refresh makes a new one.
	Generation string
}

// Refresh replaces the copy with a new one from the live graph, in batches: the live graph
// is read in pages of the id index, so memory holds one batch whatever the graph's size.
// While it runs, readers are told the copy is being refreshed (Query). Refreshing the same
// live graph twice gives the same copy. It records itself in the live graph's audit trail,
// with counts only; the actor comes from ctx (WithActor), or is the command line.
func (rc *ResearchCopy) Refresh(ctx context.Context) (ResearchCopyStatus, error) {
	if !rc.refreshing.TryLock() {
		return ResearchCopyStatus{}, apierr.Conflict("", "a refresh of the research copy is already running")
	}
	defer rc.refreshing.Unlock()
	st := ResearchCopyStatus{CopiedAt: time.Now().UTC().Truncate(time.Millisecond), Generation: newGeneration()}
	if err := rc.ensureSchema(ctx); err != nil {
		return st, fmt.Errorf("research copy: schema: %w", err)
	}
	if err := rc.begin(ctx, st.Generation); err != nil {
		return st, err
	}
	if err := rc.load(ctx, &st); err != nil {
		rc.fail(ctx, st.Generation)
		return st, err
	}
	if err := rc.finish(ctx, st); err != nil {
		rc.fail(ctx, st.Generation)
		return st, err
	}
	ev := AuditEvent{Subject: "kith research-copy", Operation: "refresh research copy", Kind: "research-copy",
		Detail: map[string]any{"people": int64(st.People), "nodes": int64(st.Nodes), "ties": int64(st.Ties)}}
	if a, ok := ActorFrom(ctx); ok {
		ev.Subject, ev.Roles, ev.Operation, ev.RequestID = a.Subject, a.Roles, a.Operation, a.RequestID
	}
	if err := rc.live.RecordAudit(ctx, ev); err != nil {
		return st, err
	}
	return st, nil
}

func newGeneration() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ensureSchema creates the copy's constraints and indexes: ids are unique and looked up by
// label, and there is one state node.
func (rc *ResearchCopy) ensureSchema(ctx context.Context) error {
	stmts := []string{
		fmt.Sprintf("CREATE CONSTRAINT research_copy_state IF NOT EXISTS FOR (n:%s) REQUIRE n.key IS UNIQUE", researchStateLabel),
		fmt.Sprintf("CREATE CONSTRAINT research_entity_id IF NOT EXISTS FOR (n:%s) REQUIRE n.id IS UNIQUE", EntityLabel),
	}
	for _, l := range rc.copy.schema.LabelOrder {
		stmts = append(stmts, fmt.Sprintf("CREATE INDEX %s IF NOT EXISTS FOR (n:%s) ON (n.id)",
			quote("research_"+strings.ToLower(l)+"_id"), quote(l)))
	}
	for _, q := range stmts {
		if err := rc.copy.autoCommit(ctx, q, nil); err != nil {
			return err
		}
	}
	return nil
}

// autoCommit runs one statement in its own implicit transaction (schema changes, CALL IN
// TRANSACTIONS).
func (s *Store) autoCommit(ctx context.Context, q string, params map[string]any) error {
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	s.roundTrips.Add(1)
	res, err := sess.Run(ctx, q, params)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return classify(err)
}

// begin marks the copy as being refreshed, unless another process is refreshing it.
func (rc *ResearchCopy) begin(ctx context.Context, gen string) error {
	_, err := rc.copy.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		// The first SET locks the state node, so two refreshes cannot both begin.
		recs, err := rc.copy.run(ctx, tx, fmt.Sprintf(`MERGE (m:%s {key: 'state'})
SET m.lock = $gen
RETURN m.state, m.startedAt`, researchStateLabel), map[string]any{"gen": gen})
		if err != nil {
			return nil, err
		}
		state, _ := recs[0].Values[0].(string)
		started, _ := recs[0].Values[1].(time.Time)
		if state == stateRefreshing && time.Since(started) < staleRefresh {
			return nil, apierr.Conflict("", "a refresh of the research copy is already running (started %s)", started.UTC().Format(time.RFC3339))
		}
		_, err = rc.copy.run(ctx, tx, fmt.Sprintf(`MATCH (m:%s {key: 'state'})
SET m.state = $state, m.startedAt = datetime(), m.generation = $gen
REMOVE m.lock`, researchStateLabel), map[string]any{"state": stateRefreshing, "gen": gen})
		return nil, err
	})
	return err
}

// finish marks the copy as ready, with its counts and age.
func (rc *ResearchCopy) finish(ctx context.Context, st ResearchCopyStatus) error {
	_, err := rc.copy.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return rc.copy.run(ctx, tx, fmt.Sprintf(`MATCH (m:%s {key: 'state'}) WHERE m.generation = $gen
SET m.state = $state, m.copiedAt = $at, m.people = $people, m.nodes = $nodes, m.ties = $ties
REMOVE m.startedAt`, researchStateLabel), map[string]any{"gen": st.Generation, "state": stateReady, "at": st.CopiedAt,
			"people": int64(st.People), "nodes": int64(st.Nodes), "ties": int64(st.Ties)})
	})
	return err
}

// fail marks a refresh that could not finish, so readers are told to ask for another
// rather than that one is running. It is best effort: the refresh's own error is what
// the caller reports.
func (rc *ResearchCopy) fail(ctx context.Context, gen string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = rc.copy.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return rc.copy.run(ctx, tx, fmt.Sprintf("MATCH (m:%s {key: 'state'}) WHERE m.generation = $gen SET m.state = $state",
			researchStateLabel), map[string]any{"gen": gen, "state": stateFailed})
	})
}

// load empties the copy, then copies every label's nodes and every kind's ties.
func (rc *ResearchCopy) load(ctx context.Context, st *ResearchCopyStatus) error {
	// Ties first, then nodes, each in transactions of one batch: a batch of nodes deleted
	// with all their ties could outgrow the copy's memory for one transaction.
	for _, q := range []string{
		"MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF %[2]d ROWS",
		"MATCH (n) WHERE NOT n:%[1]s CALL (n) { DELETE n } IN TRANSACTIONS OF %[2]d ROWS",
	} {
		if err := rc.copy.autoCommit(ctx, fmt.Sprintf(q, researchStateLabel, rc.batch), nil); err != nil {
			return fmt.Errorf("research copy: empty: %w", err)
		}
	}
	b := newScopedBuilder(rc.live.schema, AnalystScope())
	for _, name := range rc.live.schema.LabelOrder {
		n, err := rc.copyNodes(ctx, b, rc.live.schema.Labels[name])
		if err != nil {
			return fmt.Errorf("research copy: %s: %w", name, err)
		}
		st.Nodes += n
		if name == "Person" {
			st.People = n
		}
	}
	for _, name := range rc.live.schema.TieOrder {
		n, err := rc.copyTies(ctx, b, rc.live.schema.Ties[name])
		if err != nil {
			return fmt.Errorf("research copy: %s: %w", name, err)
		}
		st.Ties += n
	}
	n, err := rc.copyObservations(ctx, b)
	if err != nil {
		return fmt.Errorf("research copy: observations: %w", err)
	}
	st.Nodes += n
	st.Ties += 2 * n
	return nil
}

// observationCopied are the properties of an Observation the copy keeps: what a wave
// recorded about a person's circumstances and how. Wellbeing scores are health data and
// stay out, as do the interview's key and its timestamp.
var observationCopied = []string{"method", "employment", "household", "ageBand"}

// copyObservations copies the observations of the people in the copy, each as
// (:Person)-[:OBSERVED]->(:Observation)-[:IN_WAVE]->(:Wave), so that a researcher can ask
// per wave what the API's wave questions answer (isolates by employment status, say).
func (rc *ResearchCopy) copyObservations(ctx context.Context, b *builder) (int, error) {
	read := fmt.Sprintf(`MATCH (p:Person)-[:OBSERVED]->(o:%s)-[:IN_WAVE]->(w:Wave) WHERE o.id > $after AND %s
RETURN o.id, p.id, w.id, %s ORDER BY o.id LIMIT $batch`, ObservationLabel, b.personPredicate("p"), projection("o", observationCopied))
	write := fmt.Sprintf(`UNWIND $rows AS row
MATCH (p:%[1]s {id: row.person})
MATCH (w:%[1]s {id: row.wave})
CREATE (p)-[:OBSERVED]->(o:%[2]s)-[:IN_WAVE]->(w) SET o = row.props`, EntityLabel, ObservationLabel)
	return rc.pages(ctx, read, b.params, write, func(r *neo4j.Record) map[string]any {
		props := rc.encodeProps(r.Values[3])
		person, wave := rc.keys.Encode(ResearchRole, r.Values[1].(string)), rc.keys.Encode(ResearchRole, r.Values[2].(string))
		// An observation's id is composed of its person's and wave's, as in the live graph,
		// from their pseudonymous ids.
		props["id"], props["personId"], props["waveId"] = observationID(person, wave), person, wave
		return map[string]any{"person": person, "wave": wave, "props": props}
	})
}

// copiedProps returns the properties the copy keeps of a label or tie kind: all but the
// personal ones.
func copiedProps(props []Prop) []string {
	var out []string
	for _, p := range props {
		if !p.Personal && p.Name != "id" {
			out = append(out, p.Name)
		}
	}
	return out
}

// projection is a map projection of the properties named, e.g. n{.a, .b}.
func projection(v string, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "." + quote(n)
	}
	return v + "{" + strings.Join(parts, ", ") + "}"
}

// nodeFilter is the condition a node of the label in variable v meets to be copied, ""
// when every node of the label is.
func nodeFilter(b *builder, l *Label, v string) string {
	var conds []string
	switch l.Name {
	case "Person":
		conds = append(conds, b.personPredicate(v))
	case "Group":
		conds = append(conds, b.groupPredicate(v))
	case "Event":
		conds = append(conds, b.eventPredicate(v))
	}
	// A node that belongs to one person (a gift they offer) says something about them: it
	// is copied only with them, or when it belongs to nobody.
	for _, r := range l.Rels {
		if r.Target == "Person" && r.Shape == ShapeNode {
			o := b.fresh("o")
			pattern := fmt.Sprintf("(%s)%s(%s:Person)", v, arrow(r), o)
			conds = append(conds, fmt.Sprintf("(NOT EXISTS { MATCH %s } OR EXISTS { MATCH %s WHERE %s })",
				pattern, pattern, b.personPredicate(o)))
		}
	}
	return andJoin(conds...)
}

// arrow is the relationship pattern of a relation field, from its owner.
func arrow(r Rel) string {
	if r.Out {
		return "-[:" + quote(r.Type) + "]->"
	}
	return "<-[:" + quote(r.Type) + "]-"
}

// inCopy is the condition a node in variable v, which carries one of labels, meets to be
// in the copy.
func inCopy(b *builder, s *Schema, v string, labels []string) string {
	var alts []string
	for _, name := range labels {
		c := v + ":" + quote(name)
		if f := nodeFilter(b, s.Labels[name], v); f != "" {
			c += " AND " + f
		}
		alts = append(alts, "("+c+")")
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// copyNodes copies the nodes of one label, a page of the id index at a time.
func (rc *ResearchCopy) copyNodes(ctx context.Context, b *builder, l *Label) (int, error) {
	where := "n.id > $after"
	if f := nodeFilter(b, l, "n"); f != "" {
		where += " AND " + f
	}
	read := fmt.Sprintf("MATCH (n:%s) WHERE %s RETURN n.id, %s ORDER BY n.id LIMIT $batch",
		quote(l.Name), where, projection("n", copiedProps(l.Props)))
	write := fmt.Sprintf("UNWIND $rows AS row CREATE (n:%s:%s) SET n = row", EntityLabel, quote(l.Name))
	return rc.pages(ctx, read, b.params, write, func(r *neo4j.Record) map[string]any {
		live := r.Values[0].(string)
		props := rc.encodeProps(r.Values[1])
		props["id"] = rc.keys.Encode(ResearchRole, live)
		if l.Name == "Person" {
			// The researchers' own pseudonym: the stored one, which workers see beside the
			// name, is not copied.
			props["pseudonym"] = rc.keys.Name(ResearchRole, live)
		}
		return props
	})
}

// copyTies copies the ties of one kind whose two ends are in the copy.
func (rc *ResearchCopy) copyTies(ctx context.Context, b *builder, k *TieKind) (int, error) {
	read := fmt.Sprintf(`MATCH (a)-[r:%s]->(z) WHERE r.id > $after AND %s AND %s
RETURN r.id, a.id, z.id, %s ORDER BY r.id LIMIT $batch`, quote(k.Name),
		inCopy(b, rc.live.schema, "a", k.From), inCopy(b, rc.live.schema, "z", k.To), projection("r", copiedProps(k.Props)))
	write := fmt.Sprintf(`UNWIND $rows AS row
MATCH (a:%s {id: row.from})
MATCH (z:%s {id: row.to})
CREATE (a)-[r:%s]->(z) SET r = row.props`, EntityLabel, EntityLabel, quote(k.Name))
	return rc.pages(ctx, read, b.params, write, func(r *neo4j.Record) map[string]any {
		props := rc.encodeProps(r.Values[3])
		props["id"] = rc.keys.Encode(ResearchRole, r.Values[0].(string))
		return map[string]any{
			"from": rc.keys.Encode(ResearchRole, r.Values[1].(string)), "to": rc.keys.Encode(ResearchRole, r.Values[2].(string)),
			"props": props,
		}
	})
}

// pages reads the live graph with read (which takes $after and $batch and returns the id
// it pages by first) and writes each page to the copy with write (which takes $rows), one
// transaction a page. It returns how many rows it read.
func (rc *ResearchCopy) pages(ctx context.Context, read string, params map[string]any, write string,
	row func(*neo4j.Record) map[string]any) (int, error) {
	params = copyParams(params)
	params["batch"] = int64(rc.batch)
	params["after"] = ""
	total := 0
	for {
		recs, err := rc.live.query(ctx, read, params)
		if err != nil {
			return total, err
		}
		if len(recs) == 0 {
			return total, nil
		}
		rows := make([]any, len(recs))
		for i, r := range recs {
			rows[i] = row(r)
		}
		if _, err := rc.copy.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			return rc.copy.run(ctx, tx, write, map[string]any{"rows": rows})
		}); err != nil {
			return total, err
		}
		total += len(recs)
		params["after"] = recs[len(recs)-1].Values[0]
		if len(recs) < rc.batch {
			return total, nil
		}
	}
}

// encodeProps returns a copied map projection with every id in it (a tie's wave, say)
// encoded, and without the absent (null) properties.
func (rc *ResearchCopy) encodeProps(v any) map[string]any {
	m, _ := v.(map[string]any)
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		if x != nil {
			out[k] = rc.encodeValue(x)
		}
	}
	return out
}

func (rc *ResearchCopy) encodeValue(v any) any {
	switch x := v.(type) {
	case string:
		if _, ok := nodeid.Label(x); ok {
			return rc.keys.Encode(ResearchRole, x)
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rc.encodeValue(e)
		}
		return out
	}
	return v
}

// researchState is the copy's state as a reader sees it.
type researchState struct {
	state, generation string
	copiedAt          time.Time
}

// readState reads the copy's state node inside a reader's transaction.
func (rc *ResearchCopy) readState(ctx context.Context, tx neo4j.ManagedTransaction) (researchState, error) {
	recs, err := rc.copy.run(ctx, tx, fmt.Sprintf("OPTIONAL MATCH (m:%s {key: 'state'}) RETURN m.state, m.generation, m.copiedAt",
		researchStateLabel), nil)
	if err != nil {
		return researchState{}, err
	}
	var st researchState
	st.state, _ = recs[0].Values[0].(string)
	st.generation, _ = recs[0].Values[1].(string)
	st.copiedAt, _ = recs[0].Values[2].(time.Time)
	return st, nil
}

// ready fails with UNAVAILABLE unless the state is that of a finished copy.
func (st researchState) ready() error {
	switch st.state {
	case stateReady:
		return nil
	case stateRefreshing:
		return apierr.Unavailable("the research copy is being refreshed; ask again in a minute", nil)
	case stateFailed:
		return apierr.Unavailable("the last refresh of the research copy failed: an admin must refresh it (refreshResearchCopy or kith research-copy)", nil)
	}
	return apierr.Unavailable("there is no research copy yet: an admin must refresh it (refreshResearchCopy or kith research-copy)", nil)
}

// Query runs a researcher's or analyst's Cypher on the copy, as Store.ReadOnly does on
// the live graph, and says the copy's age (AdHocResult.CopiedAt). It reads the copy's
// state before the query and again after it, in the same transaction: a refresh marks
// the copy before it deletes anything, so a query that saw any of a refresh's work sees
// the mark when it looks again, and its answer is dropped (UNAVAILABLE, ask again).
func (rc *ResearchCopy) Query(ctx context.Context, query string, params map[string]any, opts AdHocOptions) (*AdHocResult, error) {
	var before researchState
	return rc.copy.adHoc(ctx, query, params, opts, func(tx neo4j.ManagedTransaction) error {
		var err error
		if before, err = rc.readState(ctx, tx); err != nil {
			return err
		}
		return before.ready()
	}, func(tx neo4j.ManagedTransaction, res *AdHocResult) error {
		after, err := rc.readState(ctx, tx)
		if err != nil {
			return err
		}
		if after.state != before.state || after.generation != before.generation || !after.copiedAt.Equal(before.copiedAt) {
			return apierr.Unavailable("the research copy was refreshed while the query ran; ask again", nil)
		}
		at := before.copiedAt
		res.CopiedAt = &at
		return nil
	})
}

// Status returns the finished copy's status, or UNAVAILABLE when there is none.
func (rc *ResearchCopy) Status(ctx context.Context) (ResearchCopyStatus, error) {
	recs, err := rc.copy.query(ctx, fmt.Sprintf("OPTIONAL MATCH (m:%s {key: 'state'}) RETURN m.state, m.generation, m.copiedAt, m.people, m.nodes, m.ties",
		researchStateLabel), nil)
	if err != nil {
		return ResearchCopyStatus{}, err
	}
	v := recs[0].Values
	st := researchState{}
	st.state, _ = v[0].(string)
	if err := st.ready(); err != nil {
		return ResearchCopyStatus{}, err
	}
	out := ResearchCopyStatus{}
	out.Generation, _ = v[1].(string)
	out.CopiedAt, _ = v[2].(time.Time)
	for i, dst := range []*int{&out.People, &out.Nodes, &out.Ties} {
		n, _ := v[3+i].(int64)
		*dst = int(n)
	}
	return out, nil
}
