package cypher

// Trusted routes: shortestTrustedPath and trustedRoutes, and the route patterns
// linksToAuthority shares.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// RouteSpec says which ties a route may follow. Callers start from a question's defaults
// (TrustedRouteDefaults, AuthorityRouteDefaults) and change what the caller set.
type RouteSpec struct {
	// Kinds are the tie kinds a route may follow between people.
	Kinds []string
	// MinStrength is STRONG (KNOWS ties count only when strong) or WEAK (any KNOWS tie).
	MinStrength string
	// Direction is OUT, IN or BOTH.
	Direction string
	// MaxHops is the most ties a route may have.
	MaxHops int
	// Wave, when set, is the id of the survey wave whose ties alone a route may follow
	// (and, to a group or an interest, whose memberships and interests).
	Wave string
}

// TrustedRouteDefaults are what a trusted route follows unless told otherwise: trust, and
// close (strong) ties, each in the direction the person on the route named it, so that
// every step is someone the one before goes to or is close to.
var TrustedRouteDefaults = RouteSpec{Kinds: []string{"TRUSTS", "KNOWS"}, MinStrength: "STRONG", Direction: "OUT", MaxHops: 4}

// AuthorityRouteDefaults are what linksToAuthority follows unless told otherwise: any
// acquaintance, trust or employment, in either direction.
var AuthorityRouteDefaults = RouteSpec{Kinds: []string{"KNOWS", "TRUSTS", "WORKS_FOR"}, MinStrength: "WEAK", Direction: "BOTH", MaxHops: 3}

// strongOnly reports whether KNOWS ties count only when strong.
func (spec RouteSpec) strongOnly() bool { return spec.MinStrength == "STRONG" }

// Target is where a route ends: exactly one field is set.
type Target struct {
	GroupID, Activity, PersonID, Interest string
}

// checkSpec validates a spec; nodes are the labels a route may pass, field the input errors
// name and maxHopsField the one errors about maxHops name.
func (s *Store) checkSpec(spec RouteSpec, nodes []string, field, maxHopsField string) error {
	if len(spec.Kinds) == 0 {
		return apierr.BadUserInput(field+".kinds", "is empty: a route must follow some kind of tie")
	}
	for _, k := range spec.Kinds {
		kind, ok := s.schema.Ties[k]
		if !ok {
			return apierr.BadUserInput(field+".kinds", "%q is not a tie kind", k)
		}
		joins := false
		for _, a := range nodes {
			for _, b := range nodes {
				joins = joins || kind.Allows(a, b)
			}
		}
		if !joins {
			return apierr.BadUserInput(field+".kinds", "%s ties do not join %s, so a route cannot follow them", k, strings.Join(nodes, " or "))
		}
	}
	switch spec.Direction {
	case "OUT", "IN", "BOTH":
	default:
		return apierr.BadUserInput(field+".direction", "must be OUT, IN or BOTH")
	}
	switch spec.MinStrength {
	case "STRONG", "WEAK":
	default:
		return apierr.BadUserInput(field+".minStrength", "must be STRONG or WEAK")
	}
	if spec.MaxHops < 1 || spec.MaxHops > MaxRouteHops {
		return apierr.BadUserInput(maxHopsField, "must be between 1 and %d", MaxRouteHops)
	}
	if spec.Wave != "" {
		if l, ok := nodeid.Label(spec.Wave); !ok || l != "Wave" {
			return apierr.BadUserInput(field+".wave", "is not the id of a Wave")
		}
	}
	return nil
}

// inWave is the condition that relationship r was recorded in the spec's wave; "" when
// the spec has none.
func (b *builder) inWave(r string, spec RouteSpec) string {
	if spec.Wave == "" {
		return ""
	}
	return b.param(spec.Wave) + " IN coalesce(" + r + ".waves, [])"
}

// lastTie is the pattern of a route's last tie to a group or an interest.
func (b *builder) lastTie(kind string, spec RouteSpec) string {
	if w := b.inWave("tie", spec); w != "" {
		return "-[tie:" + kind + " WHERE " + w + "]->"
	}
	return "-[tie:" + kind + "]->"
}

// arrow returns the relationship pattern of one hop, with its inline filters.
func (b *builder) arrow(r string, spec RouteSpec) string {
	types := make([]string, len(spec.Kinds))
	for i, k := range spec.Kinds {
		types[i] = quote(k)
	}
	sort.Strings(types)
	rel := r + ":" + strings.Join(types, "|")
	var conds []string
	if spec.strongOnly() && contains(spec.Kinds, "KNOWS") {
		conds = append(conds, fmt.Sprintf("(type(%s) <> 'KNOWS' OR %s.strength = 'STRONG')", r, r))
	}
	if w := b.inWave(r, spec); w != "" {
		conds = append(conds, w)
	}
	if len(conds) > 0 {
		rel += " WHERE " + strings.Join(conds, " AND ")
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

// targetPattern returns the pattern from the start of a route to the target (after the
// start node, "(a)"), and the pattern that counts targets. Routes pass through people only;
// to a group or an interest the last step is the MEMBER_OF or INTERESTED_IN tie of the last
// person, who may be the start itself (a member of the group is one tie from it).
func (b *builder) targetPattern(to Target, spec RouteSpec, from, excl string) (route, count string, err error) {
	set := 0
	for _, v := range []string{to.GroupID, to.Activity, to.PersonID, to.Interest} {
		if strings.TrimSpace(v) != "" {
			set++
		}
	}
	if set != 1 {
		return "", "", apierr.BadUserInput("to", "give exactly one of groupId, activity, personId and interest")
	}
	lower := func(s string) string { return b.param(strings.ToLower(strings.TrimSpace(s))) }
	// through returns the route to the last person, then the tie to the target node.
	through := func(tie, node string) string {
		if spec.MaxHops == 1 {
			return tie + node
		}
		return b.hops(spec, "Person", excl, 0, spec.MaxHops-1) + "(mb:Person)" + tie + node
	}
	// A group whose memberships the caller may not see is not a target: it reads as one
	// that does not exist.
	visibleGroup := func(cond string) string {
		return andJoin(cond, b.groupPredicate("t"))
	}
	switch {
	case to.GroupID != "":
		if l, ok := nodeid.Label(to.GroupID); !ok || l != "Group" {
			return "", "", apierr.BadUserInput("to.groupId", "is not the id of a Group")
		}
		node := fmt.Sprintf("(t:Group WHERE %s)", visibleGroup("t.id = "+b.param(to.GroupID)))
		return through(b.lastTie("MEMBER_OF", spec), node), node, nil
	case to.Activity != "":
		p := lower(to.Activity)
		node := fmt.Sprintf("(t:Group WHERE %s)", visibleGroup(fmt.Sprintf("(toLower(trim(t.activity)) = %s OR toLower(trim(t.name)) = %s)", p, p)))
		return through(b.lastTie("MEMBER_OF", spec), node), node, nil
	case to.Interest != "":
		node := fmt.Sprintf("(t:Interest WHERE toLower(trim(t.name)) = %s)", lower(to.Interest))
		return through(b.lastTie("INTERESTED_IN", spec), node), node, nil
	default:
		if l, ok := nodeid.Label(to.PersonID); !ok || l != "Person" {
			return "", "", apierr.BadUserInput("to.personId", "is not the id of a Person")
		}
		if to.PersonID == from {
			return "", "", apierr.BadUserInput("to.personId", "is the person the route starts from")
		}
		node := fmt.Sprintf("(t:Person WHERE %s)", andJoin("t.id = "+b.param(to.PersonID), b.personPredicate("t")))
		return b.hops(spec, "Person", excl, 1, spec.MaxHops) + node, node, nil
	}
}

// Routes finds routes from a person to a target. mode is SHORTEST (at most one route),
// ALL_SHORTEST (every route of the shortest length, at most k) or DISJOINT (up to k routes,
// each the shortest sharing no intermediary with those before). sel shapes each Route.
func (s *Store) Routes(ctx context.Context, scope Scope, from string, to Target, spec RouteSpec, mode string, k int, sel *Selection) ([]*Record, error) {
	if l, ok := nodeid.Label(from); !ok || l != "Person" {
		return nil, apierr.BadUserInput("from", "is not the id of a Person")
	}
	if k < 1 || k > MaxRoutes {
		return nil, apierr.BadUserInput("k", "must be between 1 and %d", MaxRoutes)
	}
	if err := s.checkSpec(spec, []string{"Person"}, "options", "options.maxHops"); err != nil {
		return nil, err
	}
	b := newScopedBuilder(s.schema, scope)
	excl := b.param([]string{})
	route, count, err := b.targetPattern(to, spec, from, excl)
	if err != nil {
		return nil, err
	}
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
WITH a, COLLECT { MATCH p = %s (a)%s WITH p ORDER BY length(p) LIMIT %d RETURN %s } AS routes
RETURN a IS NOT NULL AS found, CASE WHEN size(routes) = 0 THEN COUNT { MATCH %s } ELSE -1 END AS targets, routes`,
		b.scopedPerson("a", from), selector, route, limit, proj, count)
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
				return nil, apierr.NotFound("from", "no Person has id %s", from)
			}
			if n, _ := row.Values[1].(int64); n == 0 {
				return nil, apierr.NotFound("to", "nothing matches the target")
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
