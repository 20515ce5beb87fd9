package cypher

import (
	"fmt"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// where translates a where input (PersonWhere, GroupWhere...) on the node in variable v into
// a Cypher predicate, "" when it sets no condition. Keys are checked against the label's
// properties and relation fields; every value becomes a parameter.
func (b *builder) where(v string, label *Label, w map[string]any, path string) (string, error) {
	var conds []string
	for _, k := range sortedKeys(w) {
		val := w[k]
		if val == nil {
			continue
		}
		field := path + "." + k
		var cond string
		var err error
		switch k {
		case "AND", "OR":
			cond, err = b.whereList(v, label, val, field, k)
		case "NOT":
			m, ok := val.(map[string]any)
			if !ok {
				return "", apierr.BadUserInput(field, "expected an object")
			}
			cond, err = b.where(v, label, m, field)
			if cond != "" {
				cond = "NOT (" + cond + ")"
			}
		default:
			if p, ok := label.Prop(k); ok {
				if err := b.checkHiddenFilter(label, k, field); err != nil {
					return "", err
				}
				cond, err = b.propFilter(v, p, val, field)
			} else if rel, ok := label.Rel(k); ok {
				cond, err = b.relFilter(v, rel, val, field)
			} else {
				return "", apierr.BadUserInput(field, "is not a field %s can be filtered on", label.Name)
			}
		}
		if err != nil {
			return "", err
		}
		if cond != "" {
			conds = append(conds, cond)
		}
	}
	return strings.Join(conds, " AND "), nil
}

// whereParts is where in parts, each empty when it sets no condition: the conditions on
// v's own properties; one relation filter asking for some related node (the first in key
// order), as a pattern to match; and the other conditions that follow ties (relation
// filters, and AND, OR and NOT lists that contain one). A list reads them in that order:
// in one WHERE, Neo4j's planner can put a relation filter's subquery before a cheap
// property test that would have ruled the row out, and a relation filter as a subquery
// can only be tested node by node, where as a pattern the planner may start from the
// related node (an area by name, then its residents).
func (b *builder) whereParts(v string, label *Label, w map[string]any, path string) (own string, join *relJoin, related string, err error) {
	ownW, relW := map[string]any{}, map[string]any{}
	for _, k := range sortedKeys(w) {
		val := w[k]
		switch {
		case !followsTies(label, k, val):
			ownW[k] = val
		case join == nil:
			if join, err = b.someJoin(v, label, k, val, path+"."+k); err != nil {
				return "", nil, "", err
			}
			if join == nil {
				relW[k] = val
			}
		default:
			relW[k] = val
		}
	}
	if own, err = b.where(v, label, ownW, path); err != nil {
		return "", nil, "", err
	}
	related, err = b.where(v, label, relW, path)
	return own, join, related, err
}

// relJoin is a relation filter asking for some related node, as a pattern from the node
// and the condition on the related node.
type relJoin struct{ pattern, cond string }

// exists is the join as a predicate on the node.
func (j *relJoin) exists() string {
	if j == nil {
		return ""
	}
	if j.cond == "" {
		return "EXISTS { MATCH " + j.pattern + " }"
	}
	return "EXISTS { MATCH " + j.pattern + " WHERE " + j.cond + " }"
}

// someJoin returns the where entry k: val as a join when it is a relation filter with only
// some, nil otherwise.
func (b *builder) someJoin(v string, label *Label, k string, val any, field string) (*relJoin, error) {
	rel, ok := label.Rel(k)
	f, isMap := val.(map[string]any)
	if !ok || !isMap || f["none"] != nil {
		return nil, nil
	}
	sub, ok := f["some"].(map[string]any)
	if !ok {
		return nil, nil
	}
	pattern, cond, err := b.relMatch(v, rel, sub, field+".some")
	if err != nil {
		return nil, err
	}
	return &relJoin{pattern: pattern, cond: cond}, nil
}

// followsTies reports whether the where entry k: val filters on a relation field.
func followsTies(label *Label, k string, val any) bool {
	switch k {
	case "AND", "OR":
		list, _ := val.([]any)
		for _, e := range list {
			if m, ok := e.(map[string]any); ok && anyFollowsTies(label, m) {
				return true
			}
		}
		return false
	case "NOT":
		m, _ := val.(map[string]any)
		return anyFollowsTies(label, m)
	}
	_, isRel := label.Rel(k)
	return isRel
}

func anyFollowsTies(label *Label, w map[string]any) bool {
	for k, val := range w {
		if followsTies(label, k, val) {
			return true
		}
	}
	return false
}

func (b *builder) whereList(v string, label *Label, val any, field, op string) (string, error) {
	list, ok := val.([]any)
	if !ok {
		return "", apierr.BadUserInput(field, "expected a list")
	}
	if len(list) > MaxListLen {
		return "", apierr.BadUserInput(field, "has %d entries; at most %d are accepted", len(list), MaxListLen)
	}
	var conds []string
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return "", apierr.BadUserInput(fmt.Sprintf("%s[%d]", field, i), "expected an object")
		}
		c, err := b.where(v, label, m, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return "", err
		}
		if c == "" {
			c = "true"
		}
		conds = append(conds, "("+c+")")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "(" + strings.Join(conds, " "+op+" ") + ")", nil
}

// propFilter translates a StringFilter, IntFilter... on one property.
func (b *builder) propFilter(v string, p Prop, val any, field string) (string, error) {
	f, ok := val.(map[string]any)
	if !ok {
		return "", apierr.BadUserInput(field, "expected a filter object")
	}
	target := v + "." + quote(p.Name)
	if p.Default != nil {
		if _, isBool := p.Default.(bool); isBool {
			target = fmt.Sprintf("coalesce(%s, %v)", target, p.Default)
		} else {
			target = fmt.Sprintf("coalesce(%s, [])", target)
		}
	}
	var conds []string
	for _, op := range sortedKeys(f) {
		x := f[op]
		if x == nil {
			continue
		}
		opField := field + "." + op
		one := func() (string, error) {
			if p.Name == "id" {
				s, _ := x.(string)
				if _, ok := nodeid.Label(s); !ok {
					return "", apierr.BadUserInput(opField, "is not a Kith id")
				}
				return b.param(s), nil
			}
			pv, err := paramValue(p, x, opField)
			if err != nil {
				return "", err
			}
			return b.param(pv), nil
		}
		many := func() (string, error) {
			list, ok := x.([]any)
			if !ok {
				return "", apierr.BadUserInput(opField, "expected a list")
			}
			if len(list) > MaxListLen {
				return "", apierr.BadUserInput(opField, "has %d entries; at most %d are accepted", len(list), MaxListLen)
			}
			elem := p
			if p.Kind == KindStringList {
				elem = Prop{Name: p.Name, Kind: KindString}
			}
			out := make([]any, len(list))
			for i, e := range list {
				pv, err := paramValue(elem, e, fmt.Sprintf("%s[%d]", opField, i))
				if err != nil {
					return "", err
				}
				out[i] = pv
			}
			return b.param(out), nil
		}
		str := func() (string, error) {
			s, ok := x.(string)
			if !ok {
				return "", apierr.BadUserInput(opField, "expected a string")
			}
			return b.param(s), nil
		}
		var cond string
		var err error
		var ph string
		switch op {
		case "eq":
			if ph, err = one(); err == nil {
				cond = target + " = " + ph
			}
		case "ne":
			if ph, err = one(); err == nil {
				cond = target + " <> " + ph
			}
		case "gt", "gte", "lt", "lte":
			sym := map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
			if ph, err = one(); err == nil {
				cond = target + " " + sym + " " + ph
			}
		case "in":
			if ph, err = many(); err == nil {
				cond = target + " IN " + ph
			}
		case "notIn":
			if ph, err = many(); err == nil {
				cond = "NOT " + target + " IN " + ph
			}
		case "contains", "startsWith", "endsWith":
			sym := map[string]string{"contains": "CONTAINS", "startsWith": "STARTS WITH", "endsWith": "ENDS WITH"}[op]
			if ph, err = str(); err == nil {
				cond = target + " " + sym + " " + ph
			}
		case "isNull":
			isNull, ok := x.(bool)
			if !ok {
				return "", apierr.BadUserInput(opField, "expected a boolean")
			}
			cond = v + "." + quote(p.Name) + " IS NOT NULL"
			if isNull {
				cond = v + "." + quote(p.Name) + " IS NULL"
			}
		case "includes":
			if ph, err = str(); err == nil {
				cond = ph + " IN " + target
			}
		case "includesAny":
			if ph, err = many(); err == nil {
				cond = fmt.Sprintf("any(x IN %s WHERE x IN %s)", target, ph)
			}
		case "isEmpty":
			empty, ok := x.(bool)
			if !ok {
				return "", apierr.BadUserInput(opField, "expected a boolean")
			}
			cond = "size(" + target + ") > 0"
			if empty {
				cond = "size(" + target + ") = 0"
			}
		default:
			return "", apierr.BadUserInput(opField, "is not a filter operator")
		}
		if err != nil {
			return "", err
		}
		conds = append(conds, cond)
	}
	return strings.Join(conds, " AND "), nil
}

// relFilter translates {some: Where, none: Where} on a relation field into EXISTS subqueries.
func (b *builder) relFilter(v string, rel Rel, val any, field string) (string, error) {
	f, ok := val.(map[string]any)
	if !ok {
		return "", apierr.BadUserInput(field, "expected an object")
	}
	var conds []string
	for _, op := range []string{"none", "some"} {
		x, ok := f[op]
		if !ok || x == nil {
			continue
		}
		sub, ok := x.(map[string]any)
		if !ok {
			return "", apierr.BadUserInput(field+"."+op, "expected an object")
		}
		pattern, c, err := b.relMatch(v, rel, sub, field+"."+op)
		if err != nil {
			return "", err
		}
		exists := "EXISTS { MATCH " + pattern
		if c != "" {
			exists += " WHERE " + c
		}
		exists += " }"
		if op == "none" {
			exists = "NOT " + exists
		}
		conds = append(conds, exists)
	}
	return strings.Join(conds, " AND "), nil
}

// relMatch returns the pattern from v along rel to a fresh variable and the condition the
// far end must meet: the where input sub, and what the scope lets the caller see.
func (b *builder) relMatch(v string, rel Rel, sub map[string]any, field string) (pattern, cond string, err error) {
	m := b.fresh("f")
	pattern = fmt.Sprintf("(%s)-[:%s]->(%s:%s)", v, quote(rel.Type), m, quote(rel.Target))
	if !rel.Out {
		pattern = fmt.Sprintf("(%s)<-[:%s]-(%s:%s)", v, quote(rel.Type), m, quote(rel.Target))
	}
	c, err := b.where(m, b.schema.Labels[rel.Target], sub, field)
	if err != nil {
		return "", "", err
	}
	// Scope: a filter sees only the people and memberships the caller may see.
	if p := b.relPredicate(v, rel, m); p != "" {
		if c != "" {
			c = "(" + c + ") AND "
		}
		c += p
	}
	return pattern, c, nil
}

// orderKey is the first key of an order: the property and whether it runs descending.
type orderKey struct {
	prop string
	desc bool
}

// orderBy translates an orderBy list into ORDER BY terms on v, ending with v.id so that
// pages are stable, and returns the order's first key.
func (b *builder) orderBy(v string, label *Label, orders []map[string]any, path string) ([]sortKey, orderKey, error) {
	var terms []sortKey
	lead := orderKey{prop: "id"}
	for i, o := range orders {
		field, _ := o["field"].(string)
		var prop string
		for _, p := range label.Props {
			if p.Order != "" && p.Order == field {
				prop = p.Name
			}
		}
		if prop == "" {
			return nil, lead, apierr.BadUserInput(fmt.Sprintf("%s[%d].field", path, i), "cannot order %s by %q", label.Name, field)
		}
		if err := b.checkHiddenFilter(label, prop, fmt.Sprintf("%s[%d].field", path, i)); err != nil {
			return nil, lead, err
		}
		dir := "ASC"
		if d, _ := o["direction"].(string); d == "DESC" {
			dir = "DESC"
		}
		if i == 0 {
			lead = orderKey{prop: prop, desc: dir == "DESC"}
		}
		terms = append(terms, sortKey{expr: v + "." + quote(prop), desc: dir == "DESC"})
	}
	if len(terms) == 0 && label.DefaultOrder != "" {
		def := label.DefaultOrder
		if b.scope.Pseudonymise && label.Name == "Person" && hidden[def] {
			def = "id" // the order of names would hint at them
		}
		terms = append(terms, sortKey{expr: v + "." + quote(def)})
		lead = orderKey{prop: def}
	}
	return append(terms, sortKey{expr: v + ".id", required: true}), lead, nil
}
