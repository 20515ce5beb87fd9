package cypher

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// This file loads a projection of the graph for network analysis (package analysis): the
// nodes of some labels, the ties of some kinds between them, and the few node attributes
// analyses group by. It streams one row per node, so memory on both sides grows with the
// graph, never with one giant list, and it applies the caller's Scope like every read.

// DefaultProjectionLabels are the node labels an analysis reads unless told otherwise.
var defaultProjectionLabels = []string{"Person"}

// DefaultProjectionKinds are the tie kinds an analysis reads unless told otherwise: the
// person-to-person ties of the survey.
var defaultProjectionKinds = []string{"KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES"}

// DefaultProjectionLabels returns the labels a ProjectionSpec without Labels reads.
func DefaultProjectionLabels() []string { return slices.Clone(defaultProjectionLabels) }

// DefaultProjectionKinds returns the tie kinds a ProjectionSpec without Kinds reads.
func DefaultProjectionKinds() []string { return slices.Clone(defaultProjectionKinds) }

// areaLevels is how many IN steps below an area a node's area may be and still count as
// inside it.
const areaLevels = 6

// ProjectionSpec selects the part of the graph an analysis reads. Its zero value reads
// every Person and their KNOWS, TRUSTS, GETS_INFO_FROM and ENCOURAGES ties in all waves.
type ProjectionSpec struct {
	// Labels are the node labels to read; nil means Person, empty is an error.
	Labels []string
	// Kinds are the tie kinds to read; nil means the default kinds, empty is an error. A
	// kind is read only from a node of a label it may start from to one it may reach.
	Kinds []string
	// TrustPurposes, when not empty, keeps only the TRUSTS ties for these purposes
	// (HELP, ADVICE, SUPPORT).
	TrustPurposes []string
	// AreaID, when set, keeps only the nodes in that area or an area inside it (up to six
	// levels down): people who live there, places, groups, organisations and familiar
	// strangers in it, events held at such a place or run by such a group, and the areas
	// themselves. Interests, gifts and waves have no area and are left out.
	AreaID string
	// WaveID, when set, keeps only ties recorded in that wave.
	WaveID string
	// Field is the input path errors name for the spec ("scope" when empty); WaveField,
	// when set, is the one they name for WaveID.
	Field, WaveField string
}

// Key returns a canonical text of the spec with its defaults applied, for cache keys.
func (p ProjectionSpec) Key() string {
	labels, kinds := p.labels(), p.kinds()
	purposes := slices.Clone(p.TrustPurposes)
	slices.Sort(labels)
	slices.Sort(kinds)
	slices.Sort(purposes)
	return fmt.Sprintf("labels=%s;kinds=%s;trusts=%s;area=%s;wave=%s",
		strings.Join(labels, ","), strings.Join(kinds, ","), strings.Join(purposes, ","), p.AreaID, p.WaveID)
}

func (p ProjectionSpec) labels() []string {
	if p.Labels == nil {
		return DefaultProjectionLabels()
	}
	return slices.Compact(slices.Sorted(slices.Values(p.Labels)))
}

func (p ProjectionSpec) kinds() []string {
	if p.Kinds == nil {
		return DefaultProjectionKinds()
	}
	return slices.Compact(slices.Sorted(slices.Values(p.Kinds)))
}

func (p ProjectionSpec) field(name string) string {
	if name == "waveId" && p.WaveField != "" {
		return p.WaveField
	}
	f := p.Field
	if f == "" {
		f = "scope"
	}
	return f + "." + name
}

// check validates the spec against the closed table.
func (s *Store) checkProjection(p ProjectionSpec) error {
	if p.Labels != nil && len(p.Labels) == 0 {
		return apierr.BadUserInput(p.field("labels"), "is empty: name at least one node type, or leave it out for people")
	}
	if p.Kinds != nil && len(p.Kinds) == 0 {
		return apierr.BadUserInput(p.field("kinds"), "is empty: name at least one tie kind, or leave it out for the default kinds")
	}
	for _, l := range p.labels() {
		if _, ok := s.schema.Label(l); !ok {
			return apierr.BadUserInput(p.field("labels"), "%q is not a node type", l)
		}
	}
	for _, k := range p.kinds() {
		if _, ok := s.schema.Ties[k]; !ok {
			return apierr.BadUserInput(p.field("kinds"), "%q is not a tie kind", k)
		}
	}
	trusts := s.schema.Ties["TRUSTS"]
	purpose, _ := trusts.Prop("for")
	for _, t := range p.TrustPurposes {
		if !contains(purpose.Enum, t) {
			return apierr.BadUserInput(p.field("trustPurposes"), "%q is not a trust purpose", t)
		}
	}
	if p.AreaID != "" {
		if l, ok := nodeid.Label(p.AreaID); !ok || l != "Area" {
			return apierr.BadUserInput(p.field("areaId"), "is not the id of an Area")
		}
	}
	if p.WaveID != "" {
		if l, ok := nodeid.Label(p.WaveID); !ok || l != "Wave" {
			return apierr.BadUserInput(p.field("waveId"), "is not the id of a Wave")
		}
	}
	return nil
}

// ProjectedNode is one node of a Projection with the attributes analyses group by.
type ProjectedNode struct {
	ID, Label string
	// HouseholdType, AgeBand and Employment are a person's attributes ("" when not
	// recorded): as the scope's wave observed them, or as last observed without a wave.
	HouseholdType, AgeBand, Employment string
	// AreaID and AreaName are the area a person lives in, or another node is in (an
	// area's own for an Area); "" when none is recorded.
	AreaID, AreaName string
	// Groups are the ids of the groups a person is a member of that the scope may see.
	Groups []string
	// Wellbeing is a person's score when HasWellbeing; it is read only where the scope
	// may use it (with consent for wellbeing, for workers), and only for aggregates.
	Wellbeing    int
	HasWellbeing bool
	// IsAuthority is set for authority people and organisations.
	IsAuthority bool
}

// ProjectedTie is one stored tie of a Projection, between node indexes.
type ProjectedTie struct {
	From, To int32
	// Kind indexes Projection.Kinds.
	Kind uint8
	// Strong is set for a KNOWS tie of strength STRONG.
	Strong bool
}

// Projection is the part of the graph an analysis reads. Nodes are sorted by id; every tie
// joins two of them and appears as stored, once per wave (and per trust purpose) it was
// recorded in.
type Projection struct {
	// Version identifies the state of the graph the projection was read from (see
	// ProjectionVersion).
	Version string
	Nodes   []ProjectedNode
	Ties    []ProjectedTie
	// Kinds are the tie kinds read, indexed by ProjectedTie.Kind.
	Kinds []string
	// GroupNames maps the group ids in ProjectedNode.Groups to the groups' names.
	GroupNames map[string]string
}

// versionQuery builds the statement that reads a projection's graph version and checks
// that its area and wave exist. The version counts the nodes of every label and the ties
// of every kind the projection depends on (from Neo4j's count store: no scan) and takes
// the latest updatedAt among them (from the updatedAt indexes of migration 0003): every
// write through the store sets updatedAt, and a delete changes a count, so any write that
// can change the projection changes the version. Writes elsewhere (audit records, analysis runs)
// do not.
func (s *Store) versionQuery(p ProjectionSpec) (string, map[string]any) {
	labels := append(p.labels(), "Area", "Group")
	slices.Sort(labels)
	labels = slices.Compact(labels)
	kinds := append(p.kinds(), "LIVES_IN", "IN", "MEMBER_OF")
	if contains(kinds, "ATTENDED") {
		// Who runs an event decides whether its attendance is seen (eventPredicate).
		kinds = append(kinds, "RUNS")
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	var q strings.Builder
	var counts, maxes []string
	for i, l := range labels {
		fmt.Fprintf(&q, "CALL () { MATCH (n:%s) RETURN count(n) AS nc%d }\n", quote(l), i)
		fmt.Fprintf(&q, "CALL () { MATCH (n:%s) RETURN max(n.updatedAt) AS nm%d }\n", quote(l), i)
		counts, maxes = append(counts, fmt.Sprintf("nc%d", i)), append(maxes, fmt.Sprintf("nm%d", i))
	}
	for i, k := range kinds {
		fmt.Fprintf(&q, "CALL () { MATCH ()-[r:%s]->() RETURN count(r) AS tc%d }\n", quote(k), i)
		fmt.Fprintf(&q, "CALL () { MATCH ()-[r:%s]->() RETURN max(r.updatedAt) AS tm%d }\n", quote(k), i)
		counts, maxes = append(counts, fmt.Sprintf("tc%d", i)), append(maxes, fmt.Sprintf("tm%d", i))
	}
	fmt.Fprintf(&q, "RETURN [%s] AS counts, [%s] AS latest, "+
		"$area IS NULL OR EXISTS { MATCH (a:Area {id: $area}) } AS areaFound, "+
		"$wave IS NULL OR EXISTS { MATCH (w:Wave {id: $wave}) } AS waveFound",
		strings.Join(counts, ", "), strings.Join(maxes, ", "))
	params := map[string]any{"area": nil, "wave": nil}
	if p.AreaID != "" {
		params["area"] = p.AreaID
	}
	if p.WaveID != "" {
		params["wave"] = p.WaveID
	}
	return q.String(), params
}

// readVersion runs the version statement in tx and fails with NOT_FOUND when the area or
// wave does not exist.
func (s *Store) readVersion(ctx context.Context, tx neo4j.ManagedTransaction, p ProjectionSpec) (string, error) {
	q, params := s.versionQuery(p)
	recs, err := s.run(ctx, tx, q, params)
	if err != nil {
		return "", err
	}
	if len(recs) != 1 {
		return "", fmt.Errorf("graph version: %d rows", len(recs))
	}
	vals := recs[0].Values
	if found, _ := vals[2].(bool); !found {
		return "", apierr.NotFound(p.field("areaId"), "there is no area with this id")
	}
	if found, _ := vals[3].(bool); !found {
		return "", apierr.NotFound(p.field("waveId"), "there is no wave with this id")
	}
	var v strings.Builder
	for _, c := range vals[0].([]any) {
		n, _ := c.(int64)
		v.WriteString(strconv.FormatInt(n, 36))
		v.WriteByte('.')
	}
	for _, m := range vals[1].([]any) {
		if t, ok := m.(time.Time); ok {
			v.WriteString(strconv.FormatInt(t.UnixNano(), 36))
		}
		v.WriteByte('.')
	}
	return v.String(), nil
}

// ProjectionVersion returns the version of the graph a projection with the spec would
// read, in one read statement, so a cached analysis can be checked without loading the
// projection again. It fails with BAD_USER_INPUT for a spec outside the closed table and
// NOT_FOUND when its area or wave does not exist.
func (s *Store) ProjectionVersion(ctx context.Context, p ProjectionSpec) (string, error) {
	if err := s.checkProjection(p); err != nil {
		return "", err
	}
	res, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return s.readVersion(ctx, tx, p)
	})
	if err != nil {
		return "", fmt.Errorf("projection version: %w", err)
	}
	return res.(string), nil
}

// projectionMatch is the MATCH of a projection's nodes (variable n) with the spec's area
// and the scope's person guard.
func (s *Store) projectionMatch(b *builder, p ProjectionSpec) string {
	q := fmt.Sprintf("MATCH (n:%s)", labelExpr(p.labels()))
	if c := s.projectionCond(b, p, "n", p.labels()); c != "" {
		q += " WHERE " + c
	}
	return q
}

// projectionCond is the condition a node in variable v of one of labels must meet to be
// in the projection: in the spec's area, and a person the scope sees; "" when none.
func (s *Store) projectionCond(b *builder, p ProjectionSpec, v string, labels []string) string {
	var conds []string
	if p.AreaID != "" {
		area := b.param(p.AreaID)
		var alts []string
		for _, l := range labels {
			lab := s.schema.Labels[l]
			switch {
			case l == "Area":
				alts = append(alts, fmt.Sprintf("(%s:Area AND EXISTS { MATCH (%s)-[:IN]->{0,%d}(:Area {id: %s}) })", v, v, areaLevels+1, area))
			case l == "Event":
				// An event is where it is held, and where the group that runs it is.
				alts = append(alts, fmt.Sprintf("(%s:Event AND (EXISTS { MATCH (%s)-[:HELD_AT]->(:Place)-[:IN]->(:Area)-[:IN]->{0,%d}(:Area {id: %s}) } OR EXISTS { MATCH (%s)<-[:RUNS]-(:Group)-[:IN]->(:Area)-[:IN]->{0,%d}(:Area {id: %s}) }))",
					v, v, areaLevels, area, v, areaLevels, area))
			case lab.AreaTie != "":
				alts = append(alts, fmt.Sprintf("(%s:%s AND EXISTS { MATCH (%s)-[:%s]->(:Area)-[:IN]->{0,%d}(:Area {id: %s}) })",
					v, quote(l), v, quote(lab.AreaTie), areaLevels, area))
			}
		}
		if len(alts) == 0 {
			alts = []string{"false"}
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	if g := b.personGuard(v); g != "" {
		conds = append(conds, g)
	}
	return strings.Join(conds, " AND ")
}

// personAttributes are the expressions of a person n's attributes and wellbeing score:
// without a wave, as last observed (the person's own properties, and the latest
// observation's employment); in a wave, as that wave observed them, so a person it did
// not survey has none (docs/waves.md).
func personAttributes(b *builder, p ProjectionSpec) (household, ageBand, score, employment string) {
	household, ageBand, score = "n.householdType", "n.ageBand", "n.wellbeing"
	employment = fmt.Sprintf("head(COLLECT { MATCH (n)-[:OBSERVED]->(o:%s)-[:IN_WAVE]->(ow:Wave) WHERE o.employment IS NOT NULL RETURN o.employment ORDER BY ow.collectedOn DESC, ow.id DESC LIMIT 1 })", ObservationLabel)
	if p.WaveID != "" {
		obs := func(prop string) string {
			return fmt.Sprintf("head(COLLECT { MATCH (n)-[:OBSERVED]->(o:%s {waveId: %s}) RETURN o.%s })", ObservationLabel, b.param(p.WaveID), prop)
		}
		household, ageBand, score, employment = obs("household"), obs("ageBand"), obs("swemwbsRaw"), obs("employment")
	}
	return household, ageBand, score, employment
}

// projectionQuery builds the streaming statement: one row per node in scope with its
// attributes and, per tie kind, the ids of the nodes its ties of that kind point to.
func (s *Store) projectionQuery(scope Scope, p ProjectionSpec) (string, map[string]any, []string) {
	b := newScopedBuilder(s.schema, scope)
	labels := p.labels()
	var q strings.Builder
	q.WriteString(s.projectionMatch(b, p))
	household, ageBand, score, employment := personAttributes(b, p)
	wellbeing := score
	if scope.RespectConsent {
		wellbeing = fmt.Sprintf("CASE WHEN n.%s = true THEN %s END", quote(consentProp(ConsentWellbeing)), score)
	}
	groups := "[]"
	if contains(labels, "Person") {
		cond := "n:Person"
		if gp := b.groupPredicate("g"); gp != "" {
			cond += " AND " + gp
		}
		groups = fmt.Sprintf("COLLECT { MATCH (n)-[:MEMBER_OF]->(g:Group) WHERE %s RETURN [g.id, g.name] }", cond)
	}
	fmt.Fprintf(&q, "\nRETURN n.id AS id, %s AS label, %s AS householdType, %s AS ageBand,"+
		" %s AS wellbeing, coalesce(n.isAuthority, false) AS authority,"+
		" CASE WHEN n:Area THEN [n.id, n.name] ELSE head(COLLECT { MATCH (n)-[:LIVES_IN|IN]->(a:Area) RETURN [a.id, a.name] ORDER BY a.id LIMIT 1 }) END AS area,"+
		" %s AS groups, CASE WHEN n:Person THEN %s END AS employment", b.typename("n", labels), household, ageBand, wellbeing, groups, employment)
	var kinds []string
	wave := ""
	if p.WaveID != "" {
		wave = " AND " + b.param(p.WaveID) + " IN r.waves"
	}
	for _, k := range p.kinds() {
		kind := s.schema.Ties[k]
		from, to := kind.ends(labels)
		if len(from) == 0 || len(to) == 0 {
			continue // this kind joins none of the labels read
		}
		cond := "true" + wave
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
		i := len(kinds)
		kinds = append(kinds, k)
		pattern := fmt.Sprintf("(n)-[r:%s]->(m:%s)", quote(k), labelExpr(to))
		if k == "KNOWS" {
			fmt.Fprintf(&q, ",\n COLLECT { MATCH %s WHERE %s AND coalesce(r.strength, '') <> 'STRONG' RETURN m.id } AS t%d", pattern, cond, i)
			fmt.Fprintf(&q, ",\n COLLECT { MATCH %s WHERE %s AND r.strength = 'STRONG' RETURN m.id } AS s%d", pattern, cond, i)
		} else {
			fmt.Fprintf(&q, ",\n COLLECT { MATCH %s WHERE %s RETURN m.id } AS t%d", pattern, cond, i)
		}
	}
	return q.String(), b.params, kinds
}

// labelExpr is a label expression matching any of the labels: `A`|`B`.
func labelExpr(labels []string) string {
	quoted := make([]string, len(labels))
	for i, l := range labels {
		quoted[i] = quote(l)
	}
	return strings.Join(quoted, "|")
}

// pendingTie is a tie read before its far end is known to be in the projection.
type pendingTie struct {
	from   int32
	to     string
	kind   uint8
	strong bool
}

// Projection reads the projection the spec selects, as the scope lets the caller see it:
// nodes the scope hides are left out, with their ties. It runs in one read transaction of
// two statements: the graph version (see ProjectionVersion, which also checks the area
// and wave) and the projection itself, streamed one node at a time. It fails with
// BAD_USER_INPUT for a spec outside the closed table and NOT_FOUND when its area or wave
// does not exist.
func (s *Store) Projection(ctx context.Context, scope Scope, p ProjectionSpec) (*Projection, error) {
	if err := s.checkProjection(p); err != nil {
		return nil, err
	}
	q, params, kinds := s.projectionQuery(scope, p)
	res, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		version, err := s.readVersion(ctx, tx, p)
		if err != nil {
			return nil, err
		}
		out := &Projection{Version: version, Kinds: kinds, GroupNames: map[string]string{}}
		s.roundTrips.Add(1)
		result, err := tx.Run(ctx, q, params)
		if err != nil {
			return nil, err
		}
		intern := map[string]string{}
		str := func(v any) string {
			x, _ := v.(string)
			if y, ok := intern[x]; ok {
				return y
			}
			intern[x] = x
			return x
		}
		var pending []pendingTie
		for result.Next(ctx) {
			vals := result.Record().Values
			n := ProjectedNode{ID: str(vals[0]), Label: str(vals[1]), HouseholdType: str(vals[2]), AgeBand: str(vals[3]), Employment: str(vals[8])}
			if w, ok := vals[4].(int64); ok {
				n.Wellbeing, n.HasWellbeing = int(w), true
			}
			n.IsAuthority, _ = vals[5].(bool)
			if a, ok := vals[6].([]any); ok && len(a) == 2 {
				n.AreaID, n.AreaName = str(a[0]), str(a[1])
			}
			if gs, ok := vals[7].([]any); ok {
				for _, g := range gs {
					if pair, ok := g.([]any); ok && len(pair) == 2 {
						id := str(pair[0])
						n.Groups = append(n.Groups, id)
						out.GroupNames[id] = str(pair[1])
					}
				}
			}
			from := int32(len(out.Nodes))
			col := 9
			for k, kind := range kinds {
				lists := 1
				if kind == "KNOWS" {
					lists = 2
				}
				for l := range lists {
					ids, _ := vals[col].([]any)
					col++
					for _, id := range ids {
						to, _ := id.(string)
						pending = append(pending, pendingTie{from: from, to: to, kind: uint8(k), strong: l == 1})
					}
				}
			}
			out.Nodes = append(out.Nodes, n)
		}
		if err := result.Err(); err != nil {
			return nil, err
		}
		out.Ties = sortProjection(out, pending)
		return out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	return res.(*Projection), nil
}

// sortProjection sorts the nodes by id and resolves the pending ties to node indexes,
// dropping those whose far end is not in the projection, sorted by ends and kind.
func sortProjection(p *Projection, pending []pendingTie) []ProjectedTie {
	order := make([]int32, len(p.Nodes))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(p.Nodes[a].ID, p.Nodes[b].ID) })
	sorted := make([]ProjectedNode, len(p.Nodes))
	newIndex := make([]int32, len(p.Nodes))
	index := make(map[string]int32, len(p.Nodes))
	for i, old := range order {
		sorted[i] = p.Nodes[old]
		newIndex[old] = int32(i)
		index[sorted[i].ID] = int32(i)
	}
	p.Nodes = sorted
	ties := make([]ProjectedTie, 0, len(pending))
	for _, t := range pending {
		to, ok := index[t.to]
		if !ok || to == newIndex[t.from] {
			continue
		}
		ties = append(ties, ProjectedTie{From: newIndex[t.from], To: to, Kind: t.kind, Strong: t.strong})
	}
	slices.SortFunc(ties, func(a, b ProjectedTie) int {
		if a.From != b.From {
			return int(a.From - b.From)
		}
		if a.To != b.To {
			return int(a.To - b.To)
		}
		return int(a.Kind) - int(b.Kind)
	})
	return ties
}
