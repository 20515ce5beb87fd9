package cypher

// The questions community workers ask, each one Cypher statement (trustedRoutes in
// DISJOINT mode is one statement per route). Paths use Neo4j's GQL path selectors (SHORTEST,
// ALL SHORTEST) over quantified path patterns, with every filter written inline so that it
// prunes the search rather than the results.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// Limits of the questions.
const (
	MaxRouteHops = 6
	MaxRoutes    = 10
	MaxEgoHops   = 3
	MaxEgoNodes  = 2000
	MaxReachHops = 4
	MaxReachFrom = 100
	// routesPerQuery caps the paths one statement returns before they are ranked.
	routesPerQuery = 500
)

// RouteSpec says which ties a route may follow.
type RouteSpec struct {
	// Kinds are the tie kinds a route may follow between people.
	Kinds []string
	// StrongOnly makes KNOWS ties count only when strong.
	StrongOnly bool
	// Direction is OUT, IN or BOTH.
	Direction string
	// MaxHops is the most ties a route may have.
	MaxHops int
}

// Target is where a route ends: exactly one field is set.
type Target struct {
	GroupID, Activity, PersonID, Interest string
}

// DefaultRouteKinds are the trust ties routes follow unless told otherwise.
var defaultRouteKinds = []string{"TRUSTS", "KNOWS"}

// check validates a spec and fills its defaults; nodes are the labels a route may pass.
func (s *Store) checkSpec(spec *RouteSpec, nodes []string, field string) error {
	if spec.Kinds == nil {
		spec.Kinds = defaultRouteKinds
	}
	if len(spec.Kinds) == 0 {
		return apierr.BadInput(field+".kinds", "is empty: a route must follow some kind of tie")
	}
	for _, k := range spec.Kinds {
		kind, ok := s.schema.Ties[k]
		if !ok {
			return apierr.BadInput(field+".kinds", "%q is not a tie kind", k)
		}
		joins := false
		for _, a := range nodes {
			for _, b := range nodes {
				joins = joins || kind.Allows(a, b)
			}
		}
		if !joins {
			return apierr.BadInput(field+".kinds", "%s ties do not join %s, so a route cannot follow them", k, strings.Join(nodes, " or "))
		}
	}
	switch spec.Direction {
	case "":
		spec.Direction = "BOTH"
	case "OUT", "IN", "BOTH":
	default:
		return apierr.BadInput(field+".direction", "must be OUT, IN or BOTH")
	}
	if spec.MaxHops < 1 || spec.MaxHops > MaxRouteHops {
		return apierr.BadInput(field+".maxHops", "must be between 1 and %d", MaxRouteHops)
	}
	if spec.StrongOnly && !contains(spec.Kinds, "KNOWS") {
		return apierr.BadInput(field+".minStrength", "applies to KNOWS ties, which the route does not follow")
	}
	return nil
}

// arrow returns the relationship pattern of one hop, with its inline filters.
func (b *builder) arrow(r string, spec RouteSpec) string {
	types := make([]string, len(spec.Kinds))
	for i, k := range spec.Kinds {
		types[i] = quote(k)
	}
	sort.Strings(types)
	rel := r + ":" + strings.Join(types, "|")
	if spec.StrongOnly {
		rel += fmt.Sprintf(" WHERE type(%s) <> 'KNOWS' OR %s.strength = 'STRONG'", r, r)
	}
	switch spec.Direction {
	case "OUT":
		return "-[" + rel + "]->"
	case "IN":
		return "<-[" + rel + "]-"
	}
	return "-[" + rel + "]-"
}

// hops returns a quantified path pattern of between lo and hi hops through nodes with the
// given label expression, none of whose ids is in the parameter excl (when not empty), and
// only through people the builder's scope may see.
func (b *builder) hops(spec RouteSpec, labels, excl string, lo, hi int) string {
	x, y, r := b.fresh("x"), b.fresh("y"), b.fresh("r")
	node := func(v string) string {
		var conds []string
		if excl != "" {
			conds = append(conds, "NOT "+v+".id IN "+excl)
		}
		guard := b.personPredicate(v)
		if labels != "Person" {
			guard = b.personGuard(v)
		}
		if guard != "" {
			conds = append(conds, guard)
		}
		if len(conds) == 0 {
			return "(" + v + ":" + labels + ")"
		}
		return "(" + v + ":" + labels + " WHERE " + strings.Join(conds, " AND ") + ")"
	}
	return fmt.Sprintf("(%s%s%s){%d,%d}", node(x), b.arrow(r, spec), node(y), lo, hi)
}

// scopedPerson returns "OPTIONAL MATCH (v:Person {id: $id})", keeping only a person the
// builder's scope may see: one outside it reads as one that does not exist.
func (b *builder) scopedPerson(v, id string) string {
	q := fmt.Sprintf("OPTIONAL MATCH (%s:Person {id: %s})", v, b.param(id))
	if pred := b.personPredicate(v); pred != "" {
		q += " WHERE " + pred
	}
	return q
}

// targetPattern returns the pattern from the last person of a route to the target, the
// pattern that counts targets, and the range of person-to-person hops before it.
func (b *builder) targetPattern(to Target, spec RouteSpec, from string) (tail, count string, lo, hi int, err error) {
	set := 0
	for _, v := range []string{to.GroupID, to.Activity, to.PersonID, to.Interest} {
		if strings.TrimSpace(v) != "" {
			set++
		}
	}
	if set != 1 {
		return "", "", 0, 0, apierr.BadInput("to", "give exactly one of groupId, activity, personId and interest")
	}
	lower := func(s string) string { return b.param(strings.ToLower(strings.TrimSpace(s))) }
	switch {
	case to.GroupID != "":
		if l, ok := nodeid.Label(to.GroupID); !ok || l != "Group" {
			return "", "", 0, 0, apierr.BadInput("to.groupId", "is not the id of a Group")
		}
		node := fmt.Sprintf("(t:Group {id: %s})", b.param(to.GroupID))
		return "(mb:Person)-[tie:MEMBER_OF]->" + node, node, 0, spec.MaxHops - 1, nil
	case to.Activity != "":
		p := lower(to.Activity)
		node := fmt.Sprintf("(t:Group WHERE toLower(trim(t.activity)) = %s OR toLower(trim(t.name)) = %s)", p, p)
		return "(mb:Person)-[tie:MEMBER_OF]->" + node, node, 0, spec.MaxHops - 1, nil
	case to.Interest != "":
		node := fmt.Sprintf("(t:Interest WHERE toLower(trim(t.name)) = %s)", lower(to.Interest))
		return "(mb:Person)-[tie:INTERESTED_IN]->" + node, node, 0, spec.MaxHops - 1, nil
	default:
		if l, ok := nodeid.Label(to.PersonID); !ok || l != "Person" {
			return "", "", 0, 0, apierr.BadInput("to.personId", "is not the id of a Person")
		}
		if to.PersonID == from {
			return "", "", 0, 0, apierr.BadInput("to.personId", "is the person the route starts from")
		}
		node := fmt.Sprintf("(t:Person {id: %s})", b.param(to.PersonID))
		if pred := b.personPredicate("t"); pred != "" {
			node = fmt.Sprintf("(t:Person {id: %s} WHERE %s)", b.param(to.PersonID), pred)
		}
		return node, node, 1, spec.MaxHops, nil
	}
}

// Routes finds routes from a person to a target. mode is SHORTEST (at most one route),
// ALL_SHORTEST (every route of the shortest length, at most k) or DISJOINT (up to k routes,
// each the shortest sharing no intermediary with those before). sel shapes each Route.
func (s *Store) Routes(ctx context.Context, scope Scope, from string, to Target, spec RouteSpec, mode string, k int, sel *Selection) ([]*Record, error) {
	if l, ok := nodeid.Label(from); !ok || l != "Person" {
		return nil, apierr.BadInput("from", "is not the id of a Person")
	}
	if k < 1 || k > MaxRoutes {
		return nil, apierr.BadInput("k", "must be between 1 and %d", MaxRoutes)
	}
	if err := s.checkSpec(&spec, []string{"Person"}, "options"); err != nil {
		return nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	tail, count, lo, hi, err := b.targetPattern(to, spec, from)
	if err != nil {
		return nil, err
	}
	excl := b.param([]string{})
	selector, limit := "SHORTEST 1", 1
	if mode == "ALL_SHORTEST" {
		selector, limit = "ALL SHORTEST", routesPerQuery
	}
	proj, err := b.routeProjection("p", sel)
	if err != nil {
		return nil, err
	}
	// The targets are counted only when there is no route, to tell "nothing matches the
	// target" from "no route to it": counting every group that matches an activity costs a
	// quarter of the statement at 100k people.
	q := fmt.Sprintf(`%s
WITH a, COLLECT { MATCH p = %s (a)%s%s WITH p ORDER BY length(p) LIMIT %d RETURN %s } AS routes
RETURN a IS NOT NULL AS found, CASE WHEN size(routes) = 0 THEN COUNT { MATCH %s } ELSE -1 END AS targets, routes`,
		b.scopedPerson("a", from), selector, b.hops(spec, "Person", excl, lo, hi), tail, limit, proj, count)
	// Only disjoint routes take more than one statement, which must see one state of the
	// graph: they run in one read transaction, the others as a single read.
	find := func(run func(params map[string]any) ([]*neo4j.Record, error)) ([]*Record, error) {
		var out []*Record
		var used []string
		for {
			params := copyParams(b.params)
			params[excl[1:]] = used
			recs, err := run(params)
			if err != nil {
				return nil, err
			}
			row := recs[0]
			if found, _ := row.Values[0].(bool); !found {
				return nil, apierr.Missing("from", "no Person has id %s", from)
			}
			if n, _ := row.Values[1].(int64); n == 0 {
				return nil, apierr.Missing("to", "nothing matches the target")
			}
			routes, _ := row.Values[2].([]any)
			if len(routes) == 0 {
				return out, nil
			}
			first := decodeRecord(routes[0])
			switch mode {
			case "ALL_SHORTEST":
				for _, r := range routes {
					rec := decodeRecord(r)
					if rec.Props["length"] != first.Props["length"] || len(out) == k {
						break
					}
					out = append(out, rec)
				}
				return out, nil
			case "DISJOINT":
				out = append(out, first)
				ids, _ := first.Props["nodeIds"].([]any)
				if len(out) == k || len(ids) <= 2 {
					return out, nil // a route with no intermediary cannot be avoided
				}
				for _, id := range ids[1 : len(ids)-1] {
					used = append(used, id.(string))
				}
			default:
				return []*Record{first}, nil
			}
		}
	}
	if mode != "DISJOINT" {
		return find(func(params map[string]any) ([]*neo4j.Record, error) { return s.query(ctx, q, params) })
	}
	res, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return find(func(params map[string]any) ([]*neo4j.Record, error) { return s.run(ctx, tx, q, params) })
	})
	if err != nil {
		return nil, err
	}
	return res.([]*Record), nil
}

// AuthorityLink is someone on the routes from a person to authority.
type AuthorityLink struct {
	Record        *Record
	Hops          int
	ShortestRoute int
	RouteCount    int
	Authorities   int
}

// Reached is a node and the ties it takes to reach it.
type Reached struct {
	Record *Record
	Hops   int
}

// AuthorityLinks is the answer to linksToAuthority.
type AuthorityLinks struct {
	Authorities []Reached
	Links       []AuthorityLink
	Routes      []*Record
}

// LinksToAuthority finds every shortest route from a person to each authority person or
// organisation within spec.MaxHops, and ranks the people and organisations on them.
// nodeSel shapes the nodes of links and authorities, routeSel the routes (nil: none).
func (s *Store) LinksToAuthority(ctx context.Context, scope Scope, person string, spec RouteSpec, nodeSel, routeSel *Selection) (*AuthorityLinks, error) {
	if l, ok := nodeid.Label(person); !ok || l != "Person" {
		return nil, apierr.BadInput("person", "is not the id of a Person")
	}
	if spec.Kinds == nil {
		spec.Kinds = []string{"KNOWS", "TRUSTS", "WORKS_FOR"}
	}
	if err := s.checkSpec(&spec, []string{"Person", "Organisation"}, "options"); err != nil {
		return nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	find := b.scopedPerson("a", person)
	id := b.param(person)
	authority := "t.isAuthority = true AND t.id <> " + id
	if guard := b.personGuard("t"); guard != "" {
		authority += " AND " + guard
	}
	nodeProj, err := b.nodeProjection("n", b.allLabels(), nodeSel)
	if err != nil {
		return nil, err
	}
	routes := "[]"
	if routeSel != nil {
		proj, err := b.routeProjection("p", routeSel)
		if err != nil {
			return nil, err
		}
		routes = fmt.Sprintf(`COLLECT { UNWIND ps AS p WITH p ORDER BY length(p) WITH last(nodes(p)) AS t, head(collect(p)) AS p
  WITH p ORDER BY length(p), last(nodes(p)).id LIMIT 50 RETURN %s }`, proj)
	}
	q := fmt.Sprintf(`%[1]s
CALL (a) {
  MATCH p = ALL SHORTEST (a)%[2]s(t:Person|Organisation WHERE %[6]s)
  WITH p LIMIT %[3]d
  RETURN collect(p) AS ps
}
RETURN a IS NOT NULL AS found, [p IN ps | [n IN nodes(p) | n.id]] AS paths,
  COLLECT { UNWIND ps AS p UNWIND tail(nodes(p)) AS n WITH DISTINCT n RETURN %[4]s } AS nodes,
  %[5]s AS routes`,
		find, b.hops(spec, "Person|Organisation", "", 1, spec.MaxHops), routesPerQuery, nodeProj, routes, authority)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		return nil, apierr.Missing("person", "no Person has id %s", person)
	}
	nodes := map[string]*Record{}
	for _, n := range row.Values[2].([]any) {
		rec := decodeRecord(n)
		nodes[rec.Props["id"].(string)] = rec
	}
	out := &AuthorityLinks{}
	for _, r := range row.Values[3].([]any) {
		out.Routes = append(out.Routes, decodeRecord(r))
	}
	type tally struct {
		hops, shortest, routes int
		auth                   map[string]bool
	}
	links := map[string]*tally{}
	authHops := map[string]int{}
	for _, p := range row.Values[1].([]any) {
		ids := p.([]any)
		length := len(ids) - 1
		auth := ids[length].(string)
		if h, ok := authHops[auth]; !ok || length < h {
			authHops[auth] = length
		}
		for i, x := range ids[1:length] {
			id := x.(string)
			t := links[id]
			if t == nil {
				t = &tally{hops: i + 1, shortest: length, auth: map[string]bool{}}
				links[id] = t
			}
			t.hops, t.shortest = min(t.hops, i+1), min(t.shortest, length)
			t.routes++
			t.auth[auth] = true
		}
	}
	for id, h := range authHops {
		out.Authorities = append(out.Authorities, Reached{Record: nodes[id], Hops: h})
	}
	sort.Slice(out.Authorities, func(i, j int) bool {
		a, b := out.Authorities[i], out.Authorities[j]
		return a.Hops < b.Hops || a.Hops == b.Hops && a.Record.Props["id"].(string) < b.Record.Props["id"].(string)
	})
	for id, t := range links {
		out.Links = append(out.Links, AuthorityLink{Record: nodes[id], Hops: t.hops, ShortestRoute: t.shortest, RouteCount: t.routes, Authorities: len(t.auth)})
	}
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		if a.ShortestRoute != b.ShortestRoute {
			return a.ShortestRoute < b.ShortestRoute
		}
		if a.RouteCount != b.RouteCount {
			return a.RouteCount > b.RouteCount
		}
		if a.Hops != b.Hops {
			return a.Hops < b.Hops
		}
		return a.Record.Props["id"].(string) < b.Record.Props["id"].(string)
	})
	return out, nil
}

// DefaultIsolationKinds are the ties whose absence makes someone isolated.
var defaultIsolationKinds = []string{"KNOWS", "TRUSTS", "GETS_INFO_FROM", "ENCOURAGES", "MEMBER_OF"}

// IsolatesArgs select isolated people.
type IsolatesArgs struct {
	PageArgs
	Kinds   []string
	Measure string // ALL_TIES, NAMED_NOBODY, NAMED_BY_NOBODY
	MaxTies int
	AreaID  string
	WaveID  string
}

func (s *Store) tieKinds(kinds []string, def []string, field string) ([]string, error) {
	if kinds == nil {
		return def, nil
	}
	if len(kinds) == 0 {
		return nil, apierr.BadInput(field, "is empty")
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		if _, ok := s.schema.Ties[k]; !ok {
			return nil, apierr.BadInput(field, "%q is not a tie kind", k)
		}
		out[i] = quote(k)
	}
	sort.Strings(out)
	return out, nil
}

// inArea is a predicate: node v lives in (people) or is in the area, or an area inside it.
func inArea(v, tie, areaParam string) string {
	return fmt.Sprintf("EXISTS { MATCH (%s)-[:%s]->(:Area)-[:IN]->{0,6}(:Area {id: %s}) }", v, tie, areaParam)
}

// Isolates pages through people with at most args.MaxTies ties of the chosen kinds, fewest
// first. Each record is an IsolateEdge: ties, outTies, inTies and the person under "node".
func (s *Store) Isolates(ctx context.Context, scope Scope, args IsolatesArgs, sel *Selection, wantTotal bool) (*Page, error) {
	types, err := s.tieKinds(args.Kinds, quoteAll(defaultIsolationKinds), "kinds")
	if err != nil {
		return nil, err
	}
	if args.MaxTies < 0 {
		return nil, apierr.BadInput("maxTies", "must not be negative")
	}
	b := newScopedBuilder(s.schema, scope)
	var conds []string
	if pred := b.personPredicate("n"); pred != "" {
		conds = append(conds, pred)
	}
	if args.AreaID != "" {
		if l, ok := nodeid.Label(args.AreaID); !ok || l != "Area" {
			return nil, apierr.BadInput("areaId", "is not the id of an Area")
		}
		conds = append(conds, inArea("n", "LIVES_IN", b.param(args.AreaID)))
	}
	wave := ""
	if args.WaveID != "" {
		if l, ok := nodeid.Label(args.WaveID); !ok || l != "Wave" {
			return nil, apierr.BadInput("waveId", "is not the id of a Wave")
		}
		wave = " WHERE r.wave = " + b.param(args.WaveID)
	}
	measure := map[string]string{"": "o + i", "ALL_TIES": "o + i", "NAMED_NOBODY": "o", "NAMED_BY_NOBODY": "i"}[args.Measure]
	if measure == "" {
		return nil, apierr.BadInput("measure", "must be ALL_TIES, NAMED_NOBODY or NAMED_BY_NOBODY")
	}
	rel := "r:" + strings.Join(types, "|")
	match := "MATCH (n:Person)"
	if len(conds) > 0 {
		match += " WHERE " + strings.Join(conds, " AND ")
	}
	match += fmt.Sprintf(" WITH n, COUNT { (n)-[%[1]s]->()%[2]s } AS o, COUNT { (n)<-[%[1]s]-()%[2]s } AS i"+
		" WITH n, o, i, %[3]s AS ties WHERE ties <= %[4]s", rel, wave, measure, b.param(int64(args.MaxTies)))
	proj, err := b.nodeProjection("n", []string{"Person"}, sel)
	if err != nil {
		return nil, err
	}
	item := fmt.Sprintf("{%s: 'IsolateEdge', ties: ties, outTies: o, inTies: i, %s: %s}", typenameKey, quote(relPrefix+"node"), proj)
	return s.page(ctx, b, match, "n, o, i, ties", "ties ASC, n.displayName ASC, n.id ASC", item, args.PageArgs, wantTotal, nil)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}

// contactKinds are the ties through which someone or something could reach a person, in
// the order a worker would try them (KNOWS is split by strength in the ranking).
var contactKinds = []string{"TRUSTS", "KNOWS", "SEES", "MEMBER_OF", "USES", "GETS_INFO_FROM", "ENCOURAGES"}

// TrustedContacts returns the ties through which a person could be reached, each a Contact
// record with "out" (the person made the tie), the node under "node" and the tie under
// "tie". One per kind, node, direction and purpose: the most recently recorded.
func (s *Store) TrustedContacts(ctx context.Context, scope Scope, person string, first int, nodeSel, tieSel *Selection) ([]*Record, error) {
	if l, ok := nodeid.Label(person); !ok || l != "Person" {
		return nil, apierr.BadInput("person", "is not the id of a Person")
	}
	if first < 0 || first > MaxNested {
		return nil, apierr.BadInput("first", "must be between 0 and %d", MaxNested)
	}
	b := newScopedBuilder(s.schema, scope)
	find := b.scopedPerson("p", person)
	visible := ""
	if pred := b.tiePredicate("p", "r", "m"); pred != "" {
		visible = " WHERE " + pred
	}
	nodeProj, err := b.nodeProjection("m", b.allLabels(), nodeSel)
	if err != nil {
		return nil, err
	}
	tieProj, err := b.tieProjection(tieEnds{r: "r", from: "ra", to: "rz", other: "m"}, "Tie", tieSel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`%s
RETURN p IS NOT NULL AS found, COLLECT {
  MATCH (p)-[r:%s]-(m)%s
  WITH p, r, m ORDER BY coalesce(r.recordedAt, r.createdAt) DESC
  WITH p, m, type(r) AS kind, startNode(r) = p AS out, r.for AS purpose, head(collect(r)) AS r
  WITH m, out, r, startNode(r) AS ra, endNode(r) AS rz,
    CASE type(r) WHEN 'TRUSTS' THEN 0 WHEN 'KNOWS' THEN CASE r.strength WHEN 'STRONG' THEN 1 ELSE 6 END
      WHEN 'SEES' THEN 2 WHEN 'MEMBER_OF' THEN 3 WHEN 'USES' THEN 4 WHEN 'GETS_INFO_FROM' THEN 5 ELSE 7 END AS rank
  ORDER BY rank, out DESC, coalesce(m.displayName, m.name, m.role), m.id
  LIMIT %s
  RETURN {%s: 'Contact', out: out, %s: %s, %s: %s}
} AS contacts`, find, strings.Join(quoteAll(contactKinds), "|"), visible, b.param(int64(first)),
		typenameKey, quote(relPrefix+"node"), nodeProj, quote(relPrefix+"tie"), tieProj)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		return nil, apierr.Missing("person", "no Person has id %s", person)
	}
	var out []*Record
	for _, c := range row.Values[1].([]any) {
		out = append(out, decodeRecord(c))
	}
	return out, nil
}

// FamiliarStrangers ranks familiar strangers by how many people with at most maxTies ties
// of the isolation kinds they see. Each record is a FamiliarStrangerReach: seen,
// isolatedSeen, the familiar stranger under "familiarStranger" and people under "isolated".
func (s *Store) FamiliarStrangers(ctx context.Context, scope Scope, areaID string, maxTies, first int, fsSel, personSel *Selection) ([]*Record, error) {
	if maxTies < 0 {
		return nil, apierr.BadInput("maxTies", "must not be negative")
	}
	if first < 0 || first > MaxNested {
		return nil, apierr.BadInput("first", "must be between 0 and %d", MaxNested)
	}
	b := newScopedBuilder(s.schema, scope)
	seen := ""
	if pred := b.personPredicate("p"); pred != "" {
		seen = " WHERE " + pred
	}
	where := ""
	if areaID != "" {
		if l, ok := nodeid.Label(areaID); !ok || l != "Area" {
			return nil, apierr.BadInput("areaId", "is not the id of an Area")
		}
		where = " WHERE " + inArea("f", "IN", b.param(areaID))
	}
	fsProj, err := b.nodeProjection("f", []string{"FamiliarStranger"}, fsSel)
	if err != nil {
		return nil, err
	}
	pProj, err := b.nodeProjection("q", []string{"Person"}, personSel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`MATCH (f:FamiliarStranger)%s
CALL (f) {
  MATCH (f)-[:SEES]->(p:Person)%s
  WITH DISTINCT p
  WITH p, COUNT { (p)-[:%s]-() } AS deg
  RETURN count(p) AS seen, collect(CASE WHEN deg <= %s THEN {p: p, deg: deg} END) AS lonely
}
WITH f, seen, lonely ORDER BY size(lonely) DESC, seen DESC, f.id LIMIT %s
RETURN {%s: 'FamiliarStrangerReach', seen: seen, isolatedSeen: size(lonely), %s: %s,
  %s: COLLECT { UNWIND lonely AS x WITH x ORDER BY x.deg, x.p.id LIMIT 50 WITH x.p AS q RETURN %s }}`,
		where, seen, strings.Join(quoteAll(defaultIsolationKinds), "|"), b.param(int64(maxTies)), b.param(int64(first)),
		typenameKey, quote(relPrefix+"familiarStranger"), fsProj, quote(relPrefix+"isolated"), pProj)
	return s.readRecords(ctx, q, b.params)
}

// readRow runs a read that answers one row, and returns it.
func (s *Store) readRow(ctx context.Context, q string, params map[string]any) (*neo4j.Record, error) {
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// readRecords runs a read whose rows are one projected record each.
func (s *Store) readRecords(ctx context.Context, q string, params map[string]any) ([]*Record, error) {
	recs, err := s.query(ctx, q, params)
	if err != nil {
		return nil, err
	}
	out := make([]*Record, len(recs))
	for i, r := range recs {
		out[i] = decodeRecord(r.Values[0])
	}
	return out, nil
}

// Ego is the network around a node.
type Ego struct {
	Nodes     []Reached
	Ties      []*Record
	Truncated bool
}

// EgoNetwork returns the nodes within hops of a node over the given kinds (all when nil),
// nearest first and at most maxNodes, and the ties of those kinds between them.
func (s *Store) EgoNetwork(ctx context.Context, scope Scope, id string, hops int, kinds []string, maxNodes int, nodeSel, tieSel *Selection) (*Ego, error) {
	label, ok := nodeid.Label(id)
	if !ok || label == "Tie" {
		return nil, apierr.BadInput("id", "is not a Kith node id")
	}
	if hops < 1 || hops > MaxEgoHops {
		return nil, apierr.BadInput("hops", "must be between 1 and %d", MaxEgoHops)
	}
	if maxNodes < 1 || maxNodes > MaxEgoNodes {
		return nil, apierr.BadInput("maxNodes", "must be between 1 and %d", MaxEgoNodes)
	}
	types, err := s.tieKinds(kinds, quoteAll(s.schema.TieOrder), "kinds")
	if err != nil {
		return nil, err
	}
	rel := strings.Join(types, "|")
	b := newScopedBuilder(s.schema, scope)
	centre := ""
	if guard := b.personGuard("c"); guard != "" {
		centre = " WHERE " + guard
	}
	hop, between := "", ""
	if pred := b.tiePredicate("x", "r", "y"); pred != "" {
		hop, between = " WHERE "+pred, " AND "+pred
	}
	nodeProj, err := b.nodeProjection("n", b.allLabels(), nodeSel)
	if err != nil {
		return nil, err
	}
	tieProj, err := b.tieProjection(tieEnds{r: "r", from: "x", to: "y", other: "y"}, "Tie", tieSel)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`OPTIONAL MATCH (c:%[1]s {id: %[2]s})%[9]s
CALL (c) {
  MATCH p = ANY SHORTEST (c)((x)-[r:%[3]s]-(y)%[10]s){1,%[4]d}(m)
  WITH m, length(p) AS d ORDER BY d, m.id LIMIT %[5]s
  RETURN collect({n: m, d: d}) AS reached
}
WITH c, [{n: c, d: 0}] + reached AS reached
WITH c, reached[0..%[6]s] AS kept, size(reached) > %[6]s AS truncated
WITH c, kept, truncated, [x IN kept | x.n.id] AS ids
RETURN c IS NOT NULL AS found, truncated,
  COLLECT { UNWIND kept AS x WITH x.n AS n, x.d AS d RETURN {d: d, node: %[7]s} } AS nodes,
  COLLECT { UNWIND kept AS k WITH k.n AS x, ids MATCH (x)-[r:%[3]s]->(y) WHERE y.id IN ids%[11]s RETURN %[8]s } AS ties`,
		quote(label), b.param(id), rel, hops, b.param(int64(maxNodes+1)), b.param(int64(maxNodes)), nodeProj, tieProj, centre, hop, between)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return nil, err
	}
	if found, _ := row.Values[0].(bool); !found {
		return nil, apierr.Missing("id", "no node has id %s", id)
	}
	out := &Ego{Truncated: row.Values[1].(bool)}
	for _, n := range row.Values[2].([]any) {
		m := n.(map[string]any)
		out.Nodes = append(out.Nodes, Reached{Record: decodeRecord(m["node"]), Hops: int(m["d"].(int64))})
	}
	for _, t := range row.Values[3].([]any) {
		out.Ties = append(out.Ties, decodeRecord(t))
	}
	return out, nil
}

// defaultReachKinds are the ties along which an idea spreads between people.
var defaultReachKinds = []string{"KNOWS", "TRUSTS", "ENCOURAGES", "GETS_INFO_FROM"}

// Reach counts the distinct people within hops of a set of people, by distance.
func (s *Store) Reach(ctx context.Context, scope Scope, people []string, hops int, kinds []string) (total int, byHops []int, err error) {
	if len(people) == 0 || len(people) > MaxReachFrom {
		return 0, nil, apierr.BadInput("people", "must name between 1 and %d people", MaxReachFrom)
	}
	for i, id := range people {
		if l, ok := nodeid.Label(id); !ok || l != "Person" {
			return 0, nil, apierr.BadInput(fmt.Sprintf("people[%d]", i), "is not the id of a Person")
		}
	}
	if hops < 1 || hops > MaxReachHops {
		return 0, nil, apierr.BadInput("hops", "must be between 1 and %d", MaxReachHops)
	}
	types, err := s.tieKinds(kinds, quoteAll(defaultReachKinds), "kinds")
	if err != nil {
		return 0, nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	ids := b.param(people)
	visible := ""
	if pred := b.personPredicate("s"); pred != "" {
		visible = " AND " + pred
	}
	q := fmt.Sprintf(`MATCH (s:Person) WHERE s.id IN %[1]s%[4]s
WITH collect(s) AS sources
RETURN [s IN sources | s.id] AS found, COLLECT {
  UNWIND sources AS s
  MATCH p = ANY SHORTEST (s)-[:%[2]s]-{1,%[3]d}(m:Person WHERE NOT m.id IN %[1]s)
  WITH m, min(length(p)) AS d
  RETURN d
} AS distances`, ids, strings.Join(types, "|"), hops, visible)
	row, err := s.readRow(ctx, q, b.params)
	if err != nil {
		return 0, nil, err
	}
	found := map[string]bool{}
	for _, id := range row.Values[0].([]any) {
		found[id.(string)] = true
	}
	for i, id := range people {
		if !found[id] {
			return 0, nil, apierr.Missing(fmt.Sprintf("people[%d]", i), "no Person has id %s", id)
		}
	}
	byHops = make([]int, hops)
	for _, d := range row.Values[1].([]any) {
		byHops[d.(int64)-1]++
		total++
	}
	return total, byHops, nil
}
