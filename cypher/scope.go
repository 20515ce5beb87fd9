package cypher

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// This file is access control inside the store. A Scope says which people one caller may
// read and write and what of them they may see; the builder turns it into one predicate
// on every Person a statement reaches (a list, node(id:), search, a nested relation, the
// other end of a tie, a relation filter), so a scoped read is still one statement. The
// API layer (resolvers) makes the Scope from the caller's verified token; the GraphQL
// directives (@auth, @sensitive) check the same rules again on the way out.

// areaDepth bounds how far up the IN chain an area is followed to its ancestors.
const areaDepth = 10

// Scope narrows what a caller sees. The zero Scope is unrestricted (an administrator).
type Scope struct {
	// None sees no person at all (a caller whose role reads no people).
	None bool
	// Areas, when not nil, limits people to those who live (LIVES_IN) in one of these areas
	// or in an area inside one (a community worker's areas claim). Writes to people outside
	// them are refused with FORBIDDEN.
	Areas []string
	// Consent, when set, limits people to those who gave consent for this purpose (one of
	// ConsentPurposes), e.g. "analysis" for analysts.
	Consent string
	// Pseudonymise returns the pseudonym where a display name is asked for, null contacts
	// and wellbeing, and refuses filters, orders and search on them (analysts).
	Pseudonymise bool
	// RespectConsent shows a contact only with consent for contact, and wellbeing only with
	// consent for wellbeing (workers).
	RespectConsent bool
	// HideSensitive hides every membership of a sensitive group (analysts, partners). With
	// Areas set, memberships of sensitive groups outside the areas are hidden.
	HideSensitive bool
}

// AnalystScope is what analysts see, and so what the research copy (research.go) holds:
// people who consented to analysis, pseudonymised, without memberships of sensitive groups.
func AnalystScope() Scope {
	return Scope{Consent: ConsentAnalysis, Pseudonymise: true, HideSensitive: true}
}

// Unrestricted reports whether the scope lets everything through.
func (s Scope) Unrestricted() bool {
	return !s.None && s.Areas == nil && s.Consent == "" && !s.Pseudonymise && !s.RespectConsent && !s.HideSensitive
}

// hidden are the Person properties a pseudonymising scope never returns, filters or
// orders on: a caller who could filter on them could read them back one guess at a time.
// The stored pseudonym is among them: workers see it beside the name, so it would join a
// pseudonymised answer to names; such callers get pseudonyms of their role's own.
var hidden = map[string]bool{"displayName": true, "pseudonym": true, "contact": true, "wellbeing": true}

// unlinkable are the properties of every label that a pseudonymising scope never returns,
// filters or orders on: an id from another system would join a pseudonymised answer back
// to the records it came from (the store's own ids reach such callers pseudonymised,
// pseudonym.Codec).
var unlinkable = map[string]bool{"externalId": true}

// newScopedBuilder returns a builder whose projections, filters and relation traversals
// apply the scope.
func newScopedBuilder(s *Schema, scope Scope) *builder {
	b := newBuilder(s)
	b.scope = scope
	return b
}

// areasParam binds the scope's areas once per statement.
func (b *builder) areasParam() string {
	if b.areasPh == "" {
		b.areasPh = b.param(b.scope.Areas)
	}
	return b.areasPh
}

// personPredicate is the condition a Person in variable v must meet to be seen under the
// scope, "" when every person may be seen.
func (b *builder) personPredicate(v string) string {
	return andJoin(b.personPredicates(v))
}

// personPredicates is personPredicate in two parts: the conditions on v's own properties
// and those that follow its ties (see whereParts).
func (b *builder) personPredicates(v string) (own, related string) {
	if b.scope.None {
		return "false", ""
	}
	if b.scope.Areas != nil {
		a := b.fresh("sa")
		related = fmt.Sprintf("EXISTS { MATCH (%s)-[:LIVES_IN]->(:Area)-[:IN*0..%d]->(%s:Area) WHERE %s.id IN %s }",
			v, areaDepth, a, a, b.areasParam())
	}
	if b.scope.Consent != "" {
		own = fmt.Sprintf("%s.%s = true", v, quote(consentProp(b.scope.Consent)))
	}
	return own, related
}

// andJoin joins the non-empty conditions with AND.
func andJoin(conds ...string) string {
	var out []string
	for _, c := range conds {
		if c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, " AND ")
}

// personGuard is personPredicate for a node that may or may not be a Person.
func (b *builder) personGuard(v string) string {
	p := b.personPredicate(v)
	if p == "" {
		return ""
	}
	return fmt.Sprintf("(NOT %s:Person OR (%s))", v, p)
}

// groupPredicate is the condition a Group in variable g must meet for its MEMBER_OF ties
// to be seen under the scope, "" when all may be seen.
func (b *builder) groupPredicate(g string) string {
	notSensitive := fmt.Sprintf("NOT coalesce(%s.sensitive, false)", g)
	switch {
	case b.scope.None || b.scope.HideSensitive:
		return notSensitive
	case b.scope.Areas != nil:
		a := b.fresh("sa")
		return fmt.Sprintf("(%s OR EXISTS { MATCH (%s)-[:IN]->(:Area)-[:IN*0..%d]->(%s:Area) WHERE %s.id IN %s })",
			notSensitive, g, areaDepth, a, a, b.areasParam())
	}
	return ""
}

// eventPredicate is the condition an Event in variable e must meet for its ATTENDED ties
// to be seen under the scope, "" when all may be seen: attending an event says what
// membership of the group that runs it says, so it is hidden where that membership would
// be (an event of a sensitive group).
func (b *builder) eventPredicate(e string) string {
	g := b.fresh("eg")
	gp := b.groupPredicate(g)
	if gp == "" {
		return ""
	}
	return fmt.Sprintf("NOT EXISTS { MATCH (%s:Group)-[:RUNS]->(%s) WHERE NOT (%s) }", g, e, gp)
}

// relPredicate is the condition on the far end m of a typed relation of v
// (Group.members, Person.memberships, Area.residents...) under the scope.
func (b *builder) relPredicate(v string, rel Rel, m string) string {
	var conds []string
	if rel.Type == "MEMBER_OF" && rel.Target == "Person" {
		if p := b.groupPredicate(v); p != "" {
			conds = append(conds, p)
		}
	}
	if rel.Target == "Person" {
		if p := b.personPredicate(m); p != "" {
			conds = append(conds, p)
		}
	}
	if rel.Type == "MEMBER_OF" && rel.Target == "Group" {
		if p := b.groupPredicate(m); p != "" {
			conds = append(conds, p)
		}
	}
	if rel.Type == "ATTENDED" {
		ev := m
		if rel.Target == "Person" {
			ev = v
		}
		if p := b.eventPredicate(ev); p != "" {
			conds = append(conds, p)
		}
	}
	return strings.Join(conds, " AND ")
}

// tiePredicate is the condition on a tie r between v and the other end m, reached from
// v: the other end must be a person the scope sees, and a membership (MEMBER_OF) of a
// sensitive group must be one the scope may see.
func (b *builder) tiePredicate(v, r, m string) string {
	var conds []string
	if p := b.personGuard(m); p != "" {
		conds = append(conds, p)
	}
	if gm, gv := b.groupPredicate(m), b.groupPredicate(v); gm != "" {
		conds = append(conds, fmt.Sprintf("(type(%s) <> 'MEMBER_OF' OR ((NOT %s:Group OR %s) AND (NOT %s:Group OR %s)))", r, m, gm, v, gv))
		conds = append(conds, fmt.Sprintf("(type(%s) <> 'ATTENDED' OR ((NOT %s:Event OR %s) AND (NOT %s:Event OR %s)))", r, m, b.eventPredicate(m), v, b.eventPredicate(v)))
	}
	return strings.Join(conds, " AND ")
}

// scopedProp is the projection entry of a property under the scope: ".name", or
// "name: expr" when the scope replaces it.
func (b *builder) scopedProp(v string, labels []string, name string) string {
	if b.scope.Pseudonymise && unlinkable[name] {
		return quote(name) + ": null"
	}
	if !contains(labels, "Person") {
		return "." + quote(name)
	}
	var expr string
	switch {
	case b.scope.Pseudonymise && hidden[name]:
		expr = "null"
	case b.scope.RespectConsent && name == "contact":
		expr = fmt.Sprintf("CASE WHEN %s.%s = true THEN %s.contact END", v, quote(consentProp("contact")), v)
	case b.scope.RespectConsent && name == "wellbeing":
		expr = fmt.Sprintf("CASE WHEN %s.%s = true THEN %s.wellbeing END", v, quote(consentProp("wellbeing")), v)
	default:
		return "." + quote(name)
	}
	if len(labels) > 1 {
		expr = fmt.Sprintf("CASE WHEN %s:Person THEN %s ELSE %s.%s END", v, expr, v, quote(name))
	}
	return quote(name) + ": " + expr
}

// checkHiddenFilter refuses a filter or order on a property the scope hides.
func (b *builder) checkHiddenFilter(label *Label, prop, field string) error {
	if b.scope.Pseudonymise && label.Name == "Person" && hidden[prop] {
		return apierr.Forbidden(field, "your role sees pseudonymised data and cannot filter or order people by %s", prop)
	}
	if b.scope.Pseudonymise && unlinkable[prop] {
		return apierr.Forbidden(field, "your role sees pseudonymised data and cannot filter or order by %s", prop)
	}
	return nil
}

// checkPeopleInScope fails with FORBIDDEN, naming the input, when a person among ids is
// outside the scope (a worker writing to someone outside their areas). ids and paths run
// in step; ids that are not people are skipped.
func (s *Store) checkPeopleInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, ids, paths []string) error {
	if scope.Unrestricted() || len(ids) == 0 {
		return nil
	}
	b := newScopedBuilder(s.schema, scope)
	pred := b.personPredicate("n")
	if pred == "" {
		return nil
	}
	q := fmt.Sprintf("UNWIND %s AS id MATCH (n:Person {id: id}) WHERE NOT (%s) RETURN collect(DISTINCT id)", b.param(ids), pred)
	return s.denyListed(ctx, tx, q, b.params, ids, paths, "names a person outside the areas you cover")
}

// checkAreasInScope fails with FORBIDDEN when an input puts a person in an area outside
// the scope's areas, or (on create) in no area at all.
func (s *Store) checkAreasInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, l *Label, items []nodeItem, create bool) error {
	if scope.Areas == nil || l.Name != "Person" {
		return nil
	}
	var ids, paths []string
	for _, it := range items {
		field := fmt.Sprintf("input[%d].%s", it.I, l.AreaField)
		id, named := it.Area.(string)
		switch {
		case named:
			ids, paths = append(ids, id), append(paths, field)
		case it.hasArea || create:
			return apierr.Forbidden(field, "a person you record must live in one of the areas you cover")
		}
	}
	if len(ids) == 0 {
		return nil
	}
	b := newScopedBuilder(s.schema, scope)
	a := b.fresh("sa")
	q := fmt.Sprintf("UNWIND %s AS id MATCH (n:Area {id: id}) WHERE NOT EXISTS { MATCH (n)-[:IN*0..%d]->(%s:Area) WHERE %s.id IN %s } RETURN collect(id)",
		b.param(ids), areaDepth, a, a, b.areasParam())
	return s.denyListed(ctx, tx, q, b.params, ids, paths, "is not one of the areas you cover")
}

// denyListed runs q, which answers one list of ids, and fails with FORBIDDEN (reason) on
// the path of the first of ids it lists.
func (s *Store) denyListed(ctx context.Context, tx neo4j.ManagedTransaction, q string, params map[string]any,
	ids, paths []string, reason string) error {
	recs, err := s.run(ctx, tx, q, params)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, v := range recs[0].Values[0].([]any) {
		listed[v.(string)] = true
	}
	for i, id := range ids {
		if listed[id] {
			return apierr.Forbidden(paths[i], "%s", reason)
		}
	}
	return nil
}
