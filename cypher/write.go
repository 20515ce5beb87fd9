package cypher

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// MaxBatch is the most items one mutation may carry.
const MaxBatch = 1_000

// nodeItem is one validated node input.
type nodeItem struct {
	I          int            `json:"i"`
	ID         string         `json:"id"`
	ExternalID any            `json:"externalId"`
	Props      map[string]any `json:"props"`
	// Area is the area id to tie the node to; hasArea says whether the input named one
	// (an explicit null removes the tie on update).
	Area    any
	hasArea bool
	// Links are the ids the input named for its label's Links (nil: remove the tie), by
	// input field; a link left out is not in the map.
	Links map[string]any
}

func (it nodeItem) param() map[string]any {
	return map[string]any{"i": int64(it.I), "id": it.ID, "externalId": it.ExternalID, "props": it.Props}
}

// checkNodeInput validates one create or update input against the label's table.
func (s *Store) checkNodeInput(l *Label, in map[string]any, path string, create bool) (nodeItem, error) {
	it := nodeItem{Props: map[string]any{}}
	for k, v := range in {
		field := path + "." + k
		switch {
		case k == "id":
			if create {
				continue // documented: ignored on create
			}
			if v != nil {
				id, _ := v.(string)
				if got, ok := nodeid.Label(id); !ok || got != l.Name {
					return it, apierr.BadUserInput(field, "is not the id of a %s", l.Name)
				}
				it.ID = id
			}
		case l.Name == "Person" && k == consentField:
			if err := consentInput(v, field, it.Props); err != nil {
				return it, err
			}
		case l.Name == "Event" && k == "exceptions":
			pv, err := eventExceptions(v, field)
			if err != nil {
				return it, err
			}
			it.Props[k] = pv
		case hasLink(l, k):
			link, _ := l.Link(k)
			if it.Links == nil {
				it.Links = map[string]any{}
			}
			it.Links[k] = nil
			if v != nil {
				id, _ := v.(string)
				if got, ok := nodeid.Label(id); !ok || got != link.Target {
					return it, apierr.BadUserInput(field, "is not the id of a %s", link.Target)
				}
				it.Links[k] = id
			}
		case l.AreaField != "" && k == l.AreaField:
			it.hasArea = true
			if v != nil {
				id, _ := v.(string)
				if got, ok := nodeid.Label(id); !ok || got != "Area" {
					return it, apierr.BadUserInput(field, "is not the id of an Area")
				}
				it.Area = id
			}
		default:
			p, ok := l.Prop(k)
			if !ok || k == "createdAt" || k == "updatedAt" || (l.Name == "Person" && isConsentProp(k)) {
				return it, apierr.BadUserInput(field, "is not a field of %s", l.Name)
			}
			pv, err := paramValue(p, v, field)
			if err != nil {
				return it, err
			}
			if pv == nil && contains(l.Required, k) {
				return it, apierr.BadUserInput(field, "is required and cannot be null")
			}
			if k == "externalId" {
				if pv == "" {
					return it, apierr.BadUserInput(field, "must not be empty")
				}
				it.ExternalID = pv
			}
			it.Props[k] = pv
		}
	}
	if create {
		for _, r := range l.Required {
			if _, ok := in[r]; !ok {
				return it, apierr.BadUserInput(path+"."+r, "is required")
			}
		}
	}
	if l.Name == "Event" {
		if err := eventInput(it.Props, path, create); err != nil {
			return it, err
		}
	}
	return it, nil
}

func hasLink(l *Label, field string) bool {
	_, ok := l.Link(field)
	return ok
}

func checkBatch(n int) error {
	if n == 0 {
		return apierr.BadUserInput("input", "is empty")
	}
	if n > MaxBatch {
		return apierr.BadUserInput("input", "has %d items; at most %d are accepted in one batch", n, MaxBatch)
	}
	return nil
}

// CreateNodes creates nodes of one label in one write transaction and returns them
// projected by sel, in input order. An input whose externalId exists updates that node
// instead, so repeating a batch changes nothing. Under a scope with areas, every person
// must live in one of them (and one whose externalId exists must already): otherwise
// FORBIDDEN and nothing is written. The write is audited in the same transaction.
func (s *Store) CreateNodes(ctx context.Context, scope Scope, label string, inputs []map[string]any, sel *Selection) ([]*Record, error) {
	l, ok := s.schema.Label(label)
	if !ok {
		return nil, fmt.Errorf("create: unknown label %q", label)
	}
	if err := checkBatch(len(inputs)); err != nil {
		return nil, err
	}
	inputs = plainMaps(inputs)
	items := make([]nodeItem, len(inputs))
	seen := map[any]int{}
	for i, in := range inputs {
		it, err := s.checkNodeInput(l, in, fmt.Sprintf("input[%d]", i), true)
		if err != nil {
			return nil, err
		}
		if it.ExternalID != nil {
			if j, dup := seen[it.ExternalID]; dup {
				return nil, apierr.BadUserInput(fmt.Sprintf("input[%d].externalId", i), "repeats the externalId of input[%d]", j)
			}
			seen[it.ExternalID] = i
		}
		it.I, it.ID = i, nodeid.New(label)
		items[i] = it
	}
	var merged, created []any
	for _, it := range items {
		if it.ExternalID != nil {
			merged = append(merged, it.param())
		} else {
			created = append(created, it.param())
		}
	}
	lq := quote(label)
	mergeQ := fmt.Sprintf(`UNWIND $items AS item
MERGE (n:%s {externalId: item.externalId})
ON CREATE SET n:%s, n.id = item.id, n.createdAt = datetime()
SET n += item.props, n.updatedAt = datetime()
RETURN item.i AS i, n.id AS id`, lq, EntityLabel)
	createQ := fmt.Sprintf(`UNWIND $items AS item
CREATE (n:%s:%s {id: item.id, createdAt: datetime()})
SET n += item.props, n.updatedAt = datetime()
RETURN item.i AS i, n.id AS id`, lq, EntityLabel)
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.checkAreasInScope(ctx, tx, scope, l, items, true); err != nil {
			return nil, err
		}
		if err := s.checkExternalInScope(ctx, tx, scope, l, items); err != nil {
			return nil, err
		}
		if err := s.checkEventsBefore(ctx, tx, scope, l, merged); err != nil {
			return nil, err
		}
		ids := make([]string, len(items))
		for _, st := range []struct {
			q     string
			items []any
		}{{mergeQ, merged}, {createQ, created}} {
			if len(st.items) == 0 {
				continue
			}
			recs, err := s.run(ctx, tx, st.q, map[string]any{"items": st.items})
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				ids[r.Values[0].(int64)] = r.Values[1].(string)
			}
		}
		for i := range items {
			items[i].ID = ids[i]
		}
		recs, err := s.finishNodes(ctx, tx, scope, l, items, ids, sel)
		if err != nil {
			return nil, err
		}
		if err := s.checkEventsAfter(ctx, tx, scope, l, items); err != nil {
			return nil, err
		}
		return recs, s.checkPublicInScope(ctx, tx, scope, l, items)
	})
	if err != nil {
		return nil, err
	}
	return res.([]*Record), nil
}

// UpdateNodes updates nodes named by id or externalId in one write transaction: a field
// left out is kept, a field set to null is removed. An unknown node fails the whole batch;
// so does, with FORBIDDEN, a person outside the scope or moved out of it. The write is
// audited in the same transaction.
func (s *Store) UpdateNodes(ctx context.Context, scope Scope, label string, inputs []map[string]any, sel *Selection) ([]*Record, error) {
	l, ok := s.schema.Label(label)
	if !ok {
		return nil, fmt.Errorf("update: unknown label %q", label)
	}
	if err := checkBatch(len(inputs)); err != nil {
		return nil, err
	}
	inputs = plainMaps(inputs)
	items := make([]nodeItem, len(inputs))
	params := make([]any, len(inputs))
	for i, in := range inputs {
		path := fmt.Sprintf("input[%d]", i)
		it, err := s.checkNodeInput(l, in, path, false)
		if err != nil {
			return nil, err
		}
		if it.ID == "" && it.ExternalID == nil {
			return nil, apierr.BadUserInput(path, "names no %s: give its id or externalId", l.Name)
		}
		it.I = i
		items[i] = it
		p := it.param()
		if it.ID == "" {
			p["id"] = nil
		}
		params[i] = p
	}
	lq := quote(label)
	q := fmt.Sprintf(`UNWIND $items AS item
CALL (item) {
  MATCH (n:%s {id: item.id}) RETURN n
  UNION
  MATCH (n:%s {externalId: item.externalId}) WHERE item.id IS NULL RETURN n
}
SET n += item.props, n.updatedAt = datetime()
RETURN item.i AS i, n.id AS id`, lq, lq)
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.checkAreasInScope(ctx, tx, scope, l, items, false); err != nil {
			return nil, err
		}
		if err := s.checkUpdateInScope(ctx, tx, scope, l, params); err != nil {
			return nil, err
		}
		if err := s.checkEventsBefore(ctx, tx, scope, l, params); err != nil {
			return nil, err
		}
		recs, err := s.run(ctx, tx, q, map[string]any{"items": params})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(items))
		for _, r := range recs {
			ids[r.Values[0].(int64)] = r.Values[1].(string)
		}
		for i, id := range ids {
			if id == "" {
				return nil, apierr.NotFound(fmt.Sprintf("input[%d]", i), "no %s has that id or externalId", l.Name)
			}
			items[i].ID = id
		}
		out, err := s.finishNodes(ctx, tx, scope, l, items, ids, sel)
		if err != nil {
			return nil, err
		}
		if err := s.checkEventsAfter(ctx, tx, scope, l, items); err != nil {
			return nil, err
		}
		return out, s.checkPublicInScope(ctx, tx, scope, l, items)
	})
	if err != nil {
		return nil, err
	}
	return res.([]*Record), nil
}

// DeleteNodes deletes nodes of one label and all their ties, in one write transaction. An
// id that names no such node fails the whole batch, and so does, with FORBIDDEN, a person
// outside the scope. The write is audited in the same transaction.
func (s *Store) DeleteNodes(ctx context.Context, scope Scope, label string, ids []string) (int, error) {
	if err := checkBatch(len(ids)); err != nil {
		return 0, apierr.BadUserInput("ids", "%s", strings.TrimPrefix(err.Error(), "input: "))
	}
	for i, id := range ids {
		if got, ok := nodeid.Label(id); !ok || got != label {
			return 0, apierr.BadUserInput(fmt.Sprintf("ids[%d]", i), "is not the id of a %s", label)
		}
	}
	lq := quote(label)
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.checkExist(ctx, tx, label, ids, "ids"); err != nil {
			return nil, err
		}
		if label == "Person" {
			if err := s.checkPeopleInScope(ctx, tx, scope, ids, indexPaths("ids", len(ids))); err != nil {
				return nil, err
			}
			if err := s.deleteObservations(ctx, tx, ids); err != nil {
				return nil, err
			}
		}
		if label == "Event" {
			if err := s.checkEventsInScope(ctx, tx, scope, ids, indexPaths("ids", len(ids)), ""); err != nil {
				return nil, err
			}
		}
		if label == "Wave" {
			if err := s.forgetWaves(ctx, tx, ids); err != nil {
				return nil, err
			}
		}
		recs, err := s.run(ctx, tx, fmt.Sprintf("MATCH (n:%s) WHERE n.id IN $ids DETACH DELETE n RETURN count(*) AS n", lq),
			map[string]any{"ids": ids})
		if err != nil {
			return nil, err
		}
		if err := s.auditWrite(ctx, tx, ids, nil); err != nil {
			return nil, err
		}
		return int(recs[0].Values[0].(int64)), nil
	})
	if err != nil {
		return 0, err
	}
	return res.(int), nil
}

// missing returns the ids among ids that name no node with the label.
func (s *Store) missing(ctx context.Context, tx neo4j.ManagedTransaction, label string, ids []string) (map[string]bool, error) {
	recs, err := s.run(ctx, tx, fmt.Sprintf("MATCH (n:%s) WHERE n.id IN $ids RETURN collect(n.id)", quote(label)), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	for _, v := range recs[0].Values[0].([]any) {
		delete(out, v.(string))
	}
	return out, nil
}

// checkExist fails with NOT_FOUND naming the first id that has no node with the label.
func (s *Store) checkExist(ctx context.Context, tx neo4j.ManagedTransaction, label string, ids []string, path string) error {
	gone, err := s.missing(ctx, tx, label, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if gone[id] {
			return apierr.NotFound(fmt.Sprintf("%s[%d]", path, i), "no %s has id %s", label, id)
		}
	}
	return nil
}

// finishNodes ends a create or update of nodes, in one statement: it records the audit
// event, replaces the area tie of every item that named an area (or null), and reads the
// nodes back projected by sel, in the order of ids. It fails with NOT_FOUND, naming the
// first such input, when a named area does not exist, and with BAD_USER_INPUT when an area
// put in another now lies inside itself (the caller's transaction then writes nothing).
func (s *Store) finishNodes(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, l *Label, items []nodeItem,
	ids []string, sel *Selection) ([]*Record, error) {
	b := newScopedBuilder(s.schema, scope)
	var q strings.Builder
	if props, ok := auditProps(ctx, ids, nil); ok {
		fmt.Fprintf(&q, "CALL () { CREATE (e:%s) SET e = %s }\n", AuditLabel, b.param(props))
	}
	var rows []any
	for _, it := range items {
		if it.hasArea {
			rows = append(rows, map[string]any{"i": int64(it.I), "node": it.ID, "area": it.Area, "tie": nodeid.New("Tie")})
		}
	}
	var missingLists []string
	for li, link := range l.Links {
		var linkRows []any
		for _, it := range items {
			if v, ok := it.Links[link.Field]; ok {
				linkRows = append(linkRows, map[string]any{"i": int64(it.I), "node": it.ID, "to": v, "tie": nodeid.New("Tie")})
			}
		}
		if len(linkRows) == 0 {
			continue
		}
		old, created := fmt.Sprintf("(n)-[old:%s]->(:%s)", quote(link.Type), quote(link.Target)),
			fmt.Sprintf("(n)-[:%s {id: x.tie, key: '', waves: [], createdAt: datetime(), updatedAt: datetime(), recordedAt: datetime(), source: 'api'}]->(a)", quote(link.Type))
		if !link.Out {
			old, created = fmt.Sprintf("(n)<-[old:%s]-(:%s)", quote(link.Type), quote(link.Target)),
				fmt.Sprintf("(n)<-[:%s {id: x.tie, key: '', waves: [], createdAt: datetime(), updatedAt: datetime(), recordedAt: datetime(), source: 'api'}]-(a)", quote(link.Type))
		}
		name := fmt.Sprintf("missingLink%d", li)
		fmt.Fprintf(&q, `CALL () {
  UNWIND %s AS x
  MATCH (n:%s {id: x.node})
  CALL (n) { MATCH %s DELETE old }
  WITH n, x WHERE x.to IS NOT NULL
  OPTIONAL MATCH (a:%s {id: x.to})
  FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | CREATE %s)
  WITH x WHERE a IS NULL
  RETURN collect([x.i, x.to, %s]) AS %s
}
`, b.param(linkRows), quote(l.Name), old, quote(link.Target), created, b.param(link.Field), name)
		missingLists = append(missingLists, name)
	}
	missing := "[]"
	if len(rows) > 0 {
		tq := quote(l.AreaTie)
		fmt.Fprintf(&q, `CALL () {
  UNWIND %s AS x
  MATCH (n:%s {id: x.node})
  CALL (n) { MATCH (n)-[old:%s]->(:Area) DELETE old }
  WITH n, x WHERE x.area IS NOT NULL
  OPTIONAL MATCH (a:Area {id: x.area})
  FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END |
    CREATE (n)-[:%s {id: x.tie, key: '', waves: [], createdAt: datetime(), updatedAt: datetime(), recordedAt: datetime(), source: 'api'}]->(a))
  WITH x WHERE a IS NULL
  RETURN collect([x.i, x.area]) AS missing
}
`, b.param(rows), quote(l.Name), tq, tq)
		missing = "missing"
	}
	if len(missingLists) > 0 {
		missing += " + " + strings.Join(missingLists, " + ")
	}
	proj, err := b.nodeProjection("n", []string{l.Name}, sel)
	if err != nil {
		return nil, err
	}
	idsParam := b.param(ids)
	fmt.Fprintf(&q, "UNWIND range(0, size(%s) - 1) AS i MATCH (n:%s {id: %s[i]}) RETURN i, %s, %s AS missing",
		idsParam, quote(l.Name), idsParam, proj, missing)
	recs, err := s.run(ctx, tx, q.String(), b.params)
	if err != nil {
		return nil, err
	}
	if l.Name == "Area" {
		var moved, paths []string
		for _, it := range items {
			if it.hasArea && it.Area != nil {
				moved, paths = append(moved, it.ID), append(paths, fmt.Sprintf("input[%d].%s", it.I, l.AreaField))
			}
		}
		if err := s.checkAreaCycles(ctx, tx, moved, paths); err != nil {
			return nil, err
		}
	}
	out := make([]*Record, len(ids))
	for _, r := range recs {
		if gone, _ := r.Values[2].([]any); len(gone) > 0 {
			first := gone[0].([]any)
			for _, g := range gone[1:] {
				if g := g.([]any); g[0].(int64) < first[0].(int64) {
					first = g
				}
			}
			field, target := l.AreaField, "Area"
			if len(first) > 2 {
				field = first[2].(string)
				link, _ := l.Link(field)
				target = link.Target
			}
			return nil, apierr.NotFound(fmt.Sprintf("input[%d].%s", first[0].(int64), field), "no %s has id %s", target, first[1])
		}
		out[r.Values[0].(int64)] = decodeRecord(r.Values[1])
	}
	return out, nil
}

// checkAreaCycles fails with BAD_USER_INPUT, naming the path of the first of ids that now
// lies inside itself (A in A, or A in B in A), once a write has put areas in areas. Workers
// see the people of their areas "and the areas inside them": a cycle would silently widen
// what they see, so the transaction that made it must write nothing. An area is in at most
// a few others, so following IN ties without a bound stays cheap and finds a cycle of any
// length.
func (s *Store) checkAreaCycles(ctx context.Context, tx neo4j.ManagedTransaction, ids, paths []string) error {
	if len(ids) == 0 {
		return nil
	}
	recs, err := s.run(ctx, tx, `UNWIND $ids AS id MATCH (a:Area {id: id})
WHERE EXISTS { MATCH (a)-[:IN*1..]->(a) }
RETURN collect(DISTINCT id)`, map[string]any{"ids": ids})
	if err != nil {
		return err
	}
	inCycle := map[string]bool{}
	for _, v := range recs[0].Values[0].([]any) {
		inCycle[v.(string)] = true
	}
	for i, id := range ids {
		if inCycle[id] {
			return apierr.BadUserInput(paths[i], "would put the area inside itself (A in A, or A in B in A); an area cannot be inside an area it contains")
		}
	}
	return nil
}

// indexPaths returns "path[0]", "path[1]"... for n inputs.
func indexPaths(path string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s[%d]", path, i)
	}
	return out
}

// checkExternalInScope fails with FORBIDDEN when a create names, by externalId, a person
// who exists outside the scope: the create would update them.
func (s *Store) checkExternalInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, l *Label, items []nodeItem) error {
	if scope.Unrestricted() || l.Name != "Person" {
		return nil
	}
	var xids []any
	for _, it := range items {
		if it.ExternalID != nil {
			xids = append(xids, it.ExternalID)
		}
	}
	if len(xids) == 0 {
		return nil
	}
	recs, err := s.run(ctx, tx, "MATCH (n:Person) WHERE n.externalId IN $x RETURN n.externalId, n.id", map[string]any{"x": xids})
	if err != nil {
		return err
	}
	byExt := map[any]string{}
	for _, r := range recs {
		byExt[r.Values[0]] = r.Values[1].(string)
	}
	var ids, paths []string
	for _, it := range items {
		if id, ok := byExt[it.ExternalID]; ok && it.ExternalID != nil {
			ids, paths = append(ids, id), append(paths, fmt.Sprintf("input[%d].externalId", it.I))
		}
	}
	return s.checkPeopleInScope(ctx, tx, scope, ids, paths)
}

// checkUpdateInScope fails with FORBIDDEN when an update names a person outside the scope.
func (s *Store) checkUpdateInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, l *Label, items []any) error {
	if scope.Unrestricted() || l.Name != "Person" {
		return nil
	}
	b := newScopedBuilder(s.schema, scope)
	pred := b.personPredicate("n")
	if pred == "" {
		return nil
	}
	q := fmt.Sprintf(`UNWIND %s AS item
CALL (item) {
  MATCH (n:Person {id: item.id}) RETURN n
  UNION
  MATCH (n:Person {externalId: item.externalId}) WHERE item.id IS NULL RETURN n
}
WITH item, n WHERE NOT (%s)
RETURN item.i ORDER BY item.i LIMIT 1`, b.param(items), pred)
	recs, err := s.run(ctx, tx, q, b.params)
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		return apierr.Forbidden(fmt.Sprintf("input[%d]", recs[0].Values[0].(int64)), "names a person outside the areas you cover")
	}
	return nil
}
