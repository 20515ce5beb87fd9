package cypher

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kith/apierr"
	"kith/nodeid"
)

// MaxNested is the most items a nested list field (ties, memberships...) returns.
const MaxNested = 500

// builder assembles one Cypher query: it names variables and parameters, and turns
// selections into map projections whose relation fields are COLLECT subqueries, so that a
// nested read is a single statement and a single round trip.
type builder struct {
	schema *Schema
	params map[string]any
	nvar   int
	// scope narrows the people the statement reaches (scope.go); the zero Scope does not.
	scope   Scope
	areasPh string
}

func newBuilder(s *Schema) *builder {
	return &builder{schema: s, params: map[string]any{}}
}

// param binds a value and returns its placeholder.
func (b *builder) param(v any) string {
	// A time goes as UTC: the driver sends a time's zone by name, and a time.Now() carries
	// Go's "Local", which Neo4j refuses as no zone it knows.
	if t, ok := v.(time.Time); ok {
		v = t.UTC()
	}
	name := "p" + strconv.Itoa(len(b.params))
	b.params[name] = v
	return "$" + name
}

// fresh returns a new variable name.
func (b *builder) fresh(prefix string) string {
	b.nvar++
	return prefix + strconv.Itoa(b.nvar)
}

// quote makes a name from the closed table safe as a Cypher identifier.
func quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// nodeProjection returns a map projection of the node in variable v, which has one of the
// given labels (one for a concrete type, all of them for Node).
func (b *builder) nodeProjection(v string, labels []string, sel *Selection) (string, error) {
	parts := []string{typenameKey + ": " + b.typename(v, labels), ".id"}
	seen := map[string]bool{"id": true, typenameKey: true}
	if sel == nil {
		sel = &Selection{}
	}
	for _, f := range sel.Fields {
		if f.Name == "ties" {
			key := relPrefix + f.Alias
			if seen[key] {
				continue
			}
			seen[key] = true
			expr, err := b.tiesField(v, f)
			if err != nil {
				return "", err
			}
			parts = append(parts, quote(key)+": "+expr)
			continue
		}
		if special, ok := map[string]string{"observations": "Person", "respondents": "Wave"}[f.Name]; ok && contains(labels, special) {
			key := relPrefix + f.Alias
			if seen[key] {
				continue
			}
			seen[key] = true
			expr, otherwise := b.respondentsField(v), "null"
			if f.Name == "observations" {
				var err error
				if expr, err = b.observationsField(v, f); err != nil {
					return "", err
				}
				otherwise = "[]"
			}
			if len(labels) > 1 {
				expr = fmt.Sprintf("CASE WHEN %s:%s THEN %s ELSE %s END", v, special, expr, otherwise)
			}
			parts = append(parts, quote(key)+": "+expr)
			continue
		}
		if f.Name == "label" {
			// The properties the label is made of, each as the scope lets the caller see it.
			for _, l := range labels {
				for _, name := range b.schema.Labels[l].LabelProps {
					if !seen[name] {
						seen[name] = true
						parts = append(parts, b.scopedProp(v, labels, name))
					}
				}
			}
			continue
		}
		if b.isProp(labels, f.Name) {
			if !seen[f.Name] {
				seen[f.Name] = true
				parts = append(parts, b.scopedProp(v, labels, f.Name))
			}
			continue
		}
		if names, ok := b.composite(labels, f.Name); ok {
			for _, name := range names {
				if !seen[name] {
					seen[name] = true
					parts = append(parts, "."+quote(name))
				}
			}
			continue
		}
		key := relPrefix + f.Alias
		if seen[key] {
			continue
		}
		var cases []string
		var list bool
		for _, l := range labels {
			rel, ok := b.schema.Labels[l].Rel(f.Name)
			if !ok {
				continue
			}
			expr, err := b.relField(v, rel, f)
			if err != nil {
				return "", err
			}
			list = rel.Shape != ShapeNode
			if len(labels) == 1 {
				cases = append(cases, expr)
			} else {
				cases = append(cases, fmt.Sprintf("WHEN %s:%s THEN %s", v, quote(l), expr))
			}
		}
		if len(cases) == 0 {
			continue // a field the store does not serve (computed elsewhere)
		}
		seen[key] = true
		expr := cases[0]
		if len(labels) > 1 {
			otherwise := "null"
			if list {
				otherwise = "[]"
			}
			expr = "CASE " + strings.Join(cases, " ") + " ELSE " + otherwise + " END"
		}
		parts = append(parts, quote(key)+": "+expr)
	}
	if contains(labels, "Group") && !seen["sensitive"] {
		// Always fetched: the API's @sensitive rule withholds a sensitive group's members.
		parts = append(parts, ".sensitive")
	}
	return v + " {" + strings.Join(parts, ", ") + "}", nil
}

// typename is the expression giving the GraphQL type of node v.
func (b *builder) typename(v string, labels []string) string {
	if len(labels) == 1 {
		return "'" + labels[0] + "'"
	}
	return fmt.Sprintf("head([l IN labels(%s) WHERE l <> '%s'])", v, EntityLabel)
}

// composite returns the stored properties behind a composite field (Person.consent).
func (b *builder) composite(labels []string, field string) ([]string, bool) {
	for _, l := range labels {
		if names, ok := compositeProps(b.schema.Labels[l], field); ok {
			return names, true
		}
	}
	return nil, false
}

func (b *builder) isProp(labels []string, name string) bool {
	for _, l := range labels {
		if _, ok := b.schema.Labels[l].Prop(name); ok {
			return true
		}
	}
	return false
}

// allLabels lists every node label, for Node-typed fields.
func (b *builder) allLabels() []string { return b.schema.LabelOrder }

func (b *builder) firstArg(f Field, def int) (int, error) {
	n, ok, err := intArg(f.Args["first"], f.Alias+".first", MaxNested)
	if err != nil {
		return 0, err
	}
	if !ok {
		return def, nil
	}
	return n, nil
}

// relField is the expression for a typed relation field (Group.meetsAt, Person.memberships).
func (b *builder) relField(v string, rel Rel, f Field) (string, error) {
	m := b.fresh("m")
	pattern := fmt.Sprintf("(%s)-[r_%s:%s]->(%s:%s)", v, m, quote(rel.Type), m, quote(rel.Target))
	if !rel.Out {
		pattern = fmt.Sprintf("(%s)<-[r_%s:%s]-(%s:%s)", v, m, quote(rel.Type), m, quote(rel.Target))
	}
	// Scope: only the people (and memberships) the caller may see; a wave: only the ties
	// it recorded.
	var conds []string
	if p := b.relPredicate(v, rel, m); p != "" {
		conds = append(conds, p)
	}
	wave, err := b.waveCond(f, "r_"+m)
	if err != nil {
		return "", err
	}
	if wave != "" {
		conds = append(conds, wave)
	}
	if len(conds) > 0 {
		pattern += " WHERE " + strings.Join(conds, " AND ")
	}
	switch rel.Shape {
	case ShapeNode:
		proj, err := b.nodeProjection(m, []string{rel.Target}, f.Sub)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("head(COLLECT { MATCH %s WITH %s ORDER BY %s.id LIMIT 1 RETURN %s })", pattern, m, m, proj), nil
	case ShapeNodes:
		first, err := b.firstArg(f, 50)
		if err != nil {
			return "", err
		}
		proj, err := b.nodeProjection(m, []string{rel.Target}, f.Sub)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("COLLECT { MATCH %s WITH DISTINCT %s ORDER BY %s.%s, %s.id LIMIT %s RETURN %s }",
			pattern, m, m, quote(rel.OrderBy), m, b.param(int64(first)), proj), nil
	case ShapeMembership:
		first, err := b.firstArg(f, 50)
		if err != nil {
			return "", err
		}
		ends := tieEnds{r: "r_" + m, from: "a_" + m, to: "z_" + m, other: m}
		proj, err := b.tieProjection(ends, "Membership", f.Sub)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("COLLECT { MATCH %s WITH %s, %s ORDER BY %s.%s, %s.id, %s.id LIMIT %s %s RETURN %s }",
			pattern, ends.r, m, m, quote(rel.OrderBy), m, ends.r, b.param(int64(first)), ends.bind(), proj), nil
	}
	return "", fmt.Errorf("relation %s: unknown shape %d", rel.Field, rel.Shape)
}

// tiesField is the expression for the generic ties(kinds, direction, first) field.
func (b *builder) tiesField(v string, f Field) (string, error) {
	first, err := b.firstArg(f, 50)
	if err != nil {
		return "", err
	}
	types, err := b.tieTypes(f.Args["kinds"], f.Alias+".kinds")
	if err != nil {
		return "", err
	}
	m := b.fresh("m")
	ends := tieEnds{r: "r_" + m, from: "a_" + m, to: "z_" + m, other: m}
	r := ends.r
	rel := r
	if len(types) > 0 {
		rel += ":" + strings.Join(types, "|")
	}
	// The far end is a node of the closed table (Entity): never a survey's Observation or
	// SourceKey, which hang off people by relationships that are not ties.
	var pattern string
	switch dir, _ := f.Args["direction"].(string); dir {
	case "OUT":
		pattern = fmt.Sprintf("(%s)-[%s]->(%s:%s)", v, rel, m, EntityLabel)
	case "IN":
		pattern = fmt.Sprintf("(%s)<-[%s]-(%s:%s)", v, rel, m, EntityLabel)
	default:
		pattern = fmt.Sprintf("(%s)-[%s]-(%s:%s)", v, rel, m, EntityLabel)
	}
	// Scope: no tie to a person the caller may not see, no hidden membership; a wave: only
	// the ties it recorded.
	var conds []string
	if p := b.tiePredicate(v, r, m); p != "" {
		conds = append(conds, p)
	}
	wave, err := b.waveCond(f, r)
	if err != nil {
		return "", err
	}
	if wave != "" {
		conds = append(conds, wave)
	}
	if len(conds) > 0 {
		pattern += " WHERE " + strings.Join(conds, " AND ")
	}
	proj, err := b.tieProjection(ends, "Tie", f.Sub)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("COLLECT { MATCH %s WITH %s, %s ORDER BY type(%s), %s.id, %s.id LIMIT %s %s RETURN %s }",
		pattern, r, m, r, m, r, b.param(int64(first)), ends.bind(), proj), nil
}

// tieTypes checks a list of tie kinds against the closed table and returns them quoted.
func (b *builder) tieTypes(v any, field string) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: unexpected %T", field, v)
	}
	var out []string
	for _, k := range list {
		s, _ := k.(string)
		if _, ok := b.schema.Ties[s]; !ok {
			return nil, fmt.Errorf("%s: unknown tie kind %q", field, s)
		}
		out = append(out, quote(s))
	}
	sort.Strings(out)
	return out, nil
}

// tieEnds names the variables of a tie being projected: the relationship, its start and
// end nodes, and the node it was reached at (other).
type tieEnds struct{ r, from, to, other string }

// bind is the WITH clause that binds from and to, after r and other are bound.
func (t tieEnds) bind() string {
	return fmt.Sprintf("WITH %s, %s, startNode(%s) AS %s, endNode(%s) AS %s", t.r, t.other, t.r, t.from, t.r, t.to)
}

// tieProjection projects a relationship as a Tie or a Membership.
func (b *builder) tieProjection(t tieEnds, typ string, sel *Selection) (string, error) {
	parts := []string{typenameKey + ": '" + typ + "'", ".id"}
	seen := map[string]bool{"id": true}
	if typ == "Tie" {
		parts = append(parts, "kind: type("+t.r+")")
		seen["kind"] = true
	}
	if typ == "Membership" {
		// Always fetched: the API's @sensitive rule withholds memberships of sensitive groups.
		parts = append(parts, fmt.Sprintf("groupSensitive: coalesce(%s.sensitive, false)", t.to))
	}
	if sel == nil {
		sel = &Selection{}
	}
	for _, f := range sel.Fields {
		var expr string
		var err error
		switch f.Name {
		case "from", "to", "other", "person", "group":
			v := map[string]string{"from": t.from, "person": t.from, "to": t.to, "group": t.to, "other": t.other}[f.Name]
			labels := b.allLabels()
			if f.Name == "person" {
				labels = []string{"Person"}
			} else if f.Name == "group" {
				labels = []string{"Group"}
			}
			expr, err = b.nodeProjection(v, labels, f.Sub)
		case "wave", "waves":
			// The waves that recorded the tie, earliest first; wave is the latest of them.
			w := b.fresh("w")
			var proj string
			proj, err = b.nodeProjection(w, []string{"Wave"}, f.Sub)
			order := "ASC"
			if f.Name == "wave" {
				order = "DESC"
			}
			expr = fmt.Sprintf("COLLECT { MATCH (%[1]s:Wave) WHERE %[1]s.id IN coalesce(%[2]s.waves, []) WITH %[1]s ORDER BY %[1]s.collectedOn %[4]s, %[1]s.id %[4]s RETURN %[3]s }", w, t.r, proj, order)
			if f.Name == "wave" {
				expr = "head(" + expr + ")"
			}
		default:
			if !seen[f.Name] && b.isTieProp(f.Name) {
				seen[f.Name] = true
				parts = append(parts, "."+quote(f.Name))
			}
			continue
		}
		if err != nil {
			return "", err
		}
		key := relPrefix + f.Alias
		if !seen[key] {
			seen[key] = true
			parts = append(parts, quote(key)+": "+expr)
		}
	}
	return t.r + " {" + strings.Join(parts, ", ") + "}", nil
}

func (b *builder) isTieProp(name string) bool {
	for _, k := range b.schema.Ties {
		if _, ok := k.Prop(name); ok {
			return true
		}
	}
	return false
}

// routeProjection projects the path in variable p as a Route: its length and its steps,
// each the node reached and the tie walked, shaped by sel.
func (b *builder) routeProjection(p string, sel *Selection) (string, error) {
	parts := []string{typenameKey + ": 'Route'", "length: length(" + p + ")", "nodeIds: [x IN nodes(" + p + ") | x.id]"}
	if sel == nil {
		sel = &Selection{}
	}
	for _, f := range sel.Fields {
		if f.Name != "steps" {
			continue
		}
		k := b.fresh("")
		i, n, r := "i"+k, "n"+k, "r"+k
		ends := tieEnds{r: r, from: "a" + k, to: "z" + k, other: n}
		var stepParts []string
		stepParts = append(stepParts, typenameKey+": 'RouteStep'",
			fmt.Sprintf("forward: CASE WHEN %s IS NULL THEN null ELSE %s = %s[%s - 1] END", r, ends.from, "nodes("+p+")", i))
		if f.Sub != nil {
			for _, sf := range f.Sub.Fields {
				key := quote(relPrefix + sf.Alias)
				switch sf.Name {
				case "node":
					proj, err := b.nodeProjection(n, b.allLabels(), sf.Sub)
					if err != nil {
						return "", err
					}
					stepParts = append(stepParts, key+": "+proj)
				case "tie":
					proj, err := b.tieProjection(ends, "Tie", sf.Sub)
					if err != nil {
						return "", err
					}
					stepParts = append(stepParts, key+": "+proj)
				case "why":
					if slices.ContainsFunc(stepParts, func(s string) bool { return strings.HasPrefix(s, "kind: ") }) {
						continue
					}
					stepParts = append(stepParts, fmt.Sprintf("kind: type(%[1]s), for: %[1]s.for, strength: %[1]s.strength, frequency: %[1]s.frequency", r))
				}
			}
		}
		parts = append(parts, quote(relPrefix+f.Alias)+": "+fmt.Sprintf(
			"COLLECT { UNWIND range(0, length(%[1]s)) AS %[2]s WITH %[2]s, nodes(%[1]s)[%[2]s] AS %[3]s, "+
				"CASE WHEN %[2]s = 0 THEN null ELSE relationships(%[1]s)[%[2]s - 1] END AS %[4]s "+
				"WITH %[2]s, %[3]s, %[4]s, startNode(%[4]s) AS %[5]s, endNode(%[4]s) AS %[6]s ORDER BY %[2]s "+
				"RETURN {%[7]s} }",
			p, i, n, r, ends.from, ends.to, strings.Join(stepParts, ", ")))
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}

// waveCond is the condition that relationship r was recorded in the wave the field's wave
// argument names, "" without one. A pair and kind is one relationship whatever waves
// recorded it, so without it each appears once.
func (b *builder) waveCond(f Field, r string) (string, error) {
	id, _ := f.Args["wave"].(string)
	if id == "" {
		return "", nil
	}
	if l, ok := nodeid.Label(id); !ok || l != "Wave" {
		return "", apierr.BadUserInput(f.Alias+".wave", "is not the id of a Wave")
	}
	return b.param(id) + " IN coalesce(" + r + ".waves, [])", nil
}
