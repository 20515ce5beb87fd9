package cypher

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/nodeid"
)

// NodeTypes maps the API's NodeType enum to labels.
var nodeTypes = map[string]string{
	"PERSON": "Person", "FAMILIAR_STRANGER": "FamiliarStranger", "PLACE": "Place", "GROUP": "Group",
	"ORGANISATION": "Organisation", "INTEREST": "Interest", "GIFT": "Gift", "NEED": "Need", "EVENT": "Event", "AREA": "Area", "WAVE": "Wave",
}

// LabelOfType returns the label a NodeType enum value names.
func LabelOfType(t string) (string, bool) {
	l, ok := nodeTypes[t]
	return l, ok
}

// ref is a node named by a tie input, once resolved.
type ref struct {
	label, id, externalID string
}

// parseRef reads a NodeRef: {id} or {type, externalId}.
func parseRef(v any, field string) (ref, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return ref{}, apierr.BadUserInput(field, "expected {id} or {type, externalId}")
	}
	id, _ := m["id"].(string)
	typ, _ := m["type"].(string)
	xid, _ := m["externalId"].(string)
	switch {
	case id != "" && (typ != "" || xid != ""):
		return ref{}, apierr.BadUserInput(field, "give id, or type and externalId, not both")
	case id != "":
		label, ok := nodeid.Label(id)
		if !ok || label == "Tie" {
			return ref{}, apierr.BadUserInput(field+".id", "is not a Kith node id")
		}
		return ref{label: label, id: id}, nil
	case typ != "" && xid != "":
		label, ok := nodeTypes[typ]
		if !ok {
			return ref{}, apierr.BadUserInput(field+".type", "is not a node type")
		}
		return ref{label: label, externalID: xid}, nil
	}
	return ref{}, apierr.BadUserInput(field, "give id, or type and externalId")
}

// resolveRefs fills in the ids of refs named by externalId and checks that every ref names
// an existing node, failing with NOT_FOUND naming the input. One statement looks up every
// label's externalIds and every id.
func (s *Store) resolveRefs(ctx context.Context, tx neo4j.ManagedTransaction, refs []*ref, paths []string) error {
	byLabel := map[string][]string{}
	var ids []string
	seen := map[[2]string]bool{}
	for _, r := range refs {
		key := [2]string{r.label, r.externalID}
		if r.id != "" {
			key = [2]string{"", r.id}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		if r.id != "" {
			ids = append(ids, r.id)
		} else {
			byLabel[r.label] = append(byLabel[r.label], r.externalID)
		}
	}
	params := map[string]any{}
	var parts []string
	for i, label := range sortedKeys(byLabel) {
		params[fmt.Sprintf("x%d", i)], params[fmt.Sprintf("l%d", i)] = byLabel[label], label
		parts = append(parts, fmt.Sprintf("UNWIND $x%d AS x MATCH (n:%s {externalId: x}) RETURN $l%d AS label, x, n.id AS id",
			i, quote(label), i))
	}
	if len(ids) > 0 {
		params["ids"] = ids
		parts = append(parts, fmt.Sprintf("UNWIND $ids AS x MATCH (n:%s {id: x}) RETURN '' AS label, x, n.id AS id", EntityLabel))
	}
	if len(parts) == 0 {
		return nil
	}
	recs, err := s.run(ctx, tx, "CALL () { "+strings.Join(parts, " UNION ALL ")+" } RETURN label, x, id", params)
	if err != nil {
		return err
	}
	found := map[[2]string]string{}
	for _, rec := range recs {
		found[[2]string{rec.Values[0].(string), rec.Values[1].(string)}] = rec.Values[2].(string)
	}
	for i, r := range refs {
		if r.id != "" {
			if _, ok := found[[2]string{"", r.id}]; !ok {
				return apierr.NotFound(paths[i], "no node has id %s", r.id)
			}
			continue
		}
		id, ok := found[[2]string{r.label, r.externalID}]
		if !ok {
			return apierr.NotFound(paths[i], "no %s has externalId %q", r.label, r.externalID)
		}
		r.id = id
	}
	return nil
}

// tieItem is one validated tie input.
type tieItem struct {
	i        int
	kind     *TieKind
	from, to ref
	wave     string
	props    map[string]any
}

// tieKey is the meaning key that distinguishes ties of one kind between the same ends (for
// TRUSTS the purpose, for KNOWS the strength); "" for kinds without one. Waves are not part
// of it: a tie recorded in two waves is one relationship whose waves list both.
func tieKey(kind *TieKind, props map[string]any) string {
	if kind.KeyProp == "" {
		return ""
	}
	k, _ := props[kind.KeyProp].(string)
	return k
}

// mergeWaves is the Cypher expression for the waves of relationship r once the list
// expression add is added to it: sorted, without repeats.
func mergeWaves(r, add string) string {
	return fmt.Sprintf("COLLECT { UNWIND coalesce(%s.waves, []) + %s AS w WITH DISTINCT w ORDER BY w RETURN w }", r, add)
}

// tieMerge is the Cypher that merges one relationship of kind per row (variable t: from,
// to, key, id, waves, props) between nodes a and z and binds it to r: a tie that exists
// (same kind, ends and meaning key) gets the row's waves added to its own and, when the
// row was recorded no earlier than the tie, the row's properties; recordedAt is the latest.
func tieMerge(kind, t string) string {
	return fmt.Sprintf(`MATCH (a:%[1]s {id: %[3]s.from})
MATCH (z:%[1]s {id: %[3]s.to})
MERGE (a)-[r:%[2]s {key: %[3]s.key}]->(z)
ON CREATE SET r.id = %[3]s.id, r.createdAt = datetime()
WITH %[3]s, a, z, r, r.recordedAt IS NULL OR %[3]s.props.recordedAt IS NULL OR %[3]s.props.recordedAt >= r.recordedAt AS newer
SET r += CASE WHEN newer THEN %[3]s.props ELSE {} END, r.waves = %[4]s, r.updatedAt = datetime()`,
		EntityLabel, quote(kind), t, mergeWaves("r", t+".waves"))
}

func (s *Store) checkTieInput(in map[string]any, path string) (tieItem, error) {
	it := tieItem{props: map[string]any{}}
	kindName, _ := in["kind"].(string)
	kind, ok := s.schema.Ties[kindName]
	if !ok {
		return it, apierr.BadUserInput(path+".kind", "is not a tie kind")
	}
	it.kind = kind
	var err error
	if it.from, err = parseRef(in["from"], path+".from"); err != nil {
		return it, err
	}
	if it.to, err = parseRef(in["to"], path+".to"); err != nil {
		return it, err
	}
	if !kind.Allows(it.from.label, it.to.label) {
		return it, apierr.BadUserInput(path+".kind", "%s joins %v to %v, not %s to %s", kind.Name, kind.From, kind.To, it.from.label, it.to.label)
	}
	if it.from.id != "" && it.from.id == it.to.id {
		return it, apierr.BadUserInput(path+".to", "a tie must join two different nodes")
	}
	for _, k := range sortedKeys(in) {
		v := in[k]
		field := path + "." + k
		switch k {
		case "kind", "from", "to":
			continue
		case "waves":
			// A writer adds one wave at a time; the list is the store's to keep.
			return it, apierr.BadUserInput(field, "give wave: the waves of a tie are added one recording at a time")
		case "wave":
			if v == nil {
				continue
			}
			id, _ := v.(string)
			if l, ok := nodeid.Label(id); !ok || l != "Wave" {
				return it, apierr.BadUserInput(field, "is not the id of a Wave")
			}
			it.wave = id
			continue
		}
		p, ok := kind.Prop(k)
		if !ok {
			if v == nil {
				continue
			}
			return it, apierr.BadUserInput(field, "does not apply to %s ties", kind.Name)
		}
		pv, err := paramValue(p, v, field)
		if err != nil {
			return it, err
		}
		if pv != nil {
			it.props[k] = pv
		}
	}
	if _, ok := it.props["recordedAt"]; !ok {
		it.props["recordedAt"] = time.Now().UTC()
	}
	return it, nil
}

// CreateTies records ties in one write transaction and returns them projected by sel, in
// input order. A tie that exists (same kind, ends and meaning key: TRUSTS' purpose, KNOWS'
// strength) is not made again: the input's wave is added to its waves, and its properties
// are updated unless the input was recorded before it. So recording a tie again, in the
// same wave or another, is idempotent and a pair and kind stays one relationship. A tie to a person outside the scope fails the batch with
// FORBIDDEN. The write is audited in the same transaction.
func (s *Store) CreateTies(ctx context.Context, scope Scope, inputs []map[string]any, sel *Selection) ([]*Record, error) {
	if err := checkBatch(len(inputs)); err != nil {
		return nil, err
	}
	inputs = plainMaps(inputs)
	items := make([]tieItem, len(inputs))
	var refs []*ref
	var paths []string
	var waves []string
	for i, in := range inputs {
		path := fmt.Sprintf("input[%d]", i)
		it, err := s.checkTieInput(in, path)
		if err != nil {
			return nil, err
		}
		it.i = i
		items[i] = it
		if it.wave != "" {
			waves = append(waves, it.wave)
		}
	}
	for i := range items {
		refs = append(refs, &items[i].from, &items[i].to)
		paths = append(paths, fmt.Sprintf("input[%d].from", i), fmt.Sprintf("input[%d].to", i))
	}
	byKind := map[string][]any{}
	b := newScopedBuilder(s.schema, scope)
	proj, err := b.tieProjection(tieEnds{r: "r", from: "a", to: "z", other: "z"}, "Tie", sel)
	if err != nil {
		return nil, err
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.resolveRefs(ctx, tx, refs, paths); err != nil {
			return nil, err
		}
		if err := s.checkRefsInScope(ctx, tx, scope, refs, paths); err != nil {
			return nil, err
		}
		if len(waves) > 0 {
			gone, err := s.missing(ctx, tx, "Wave", waves)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				if gone[it.wave] {
					return nil, apierr.NotFound(fmt.Sprintf("input[%d].wave", it.i), "no Wave has id %s", it.wave)
				}
			}
		}
		for _, it := range items {
			if it.from.id == it.to.id {
				return nil, apierr.BadUserInput(fmt.Sprintf("input[%d].to", it.i), "a tie must join two different nodes")
			}
			waves := []any{}
			if it.wave != "" {
				waves = append(waves, it.wave)
			}
			byKind[it.kind.Name] = append(byKind[it.kind.Name], map[string]any{
				"i": int64(it.i), "id": nodeid.New("Tie"), "from": it.from.id, "to": it.to.id,
				"key": tieKey(it.kind, it.props), "waves": waves, "props": it.props,
			})
		}
		// One statement merges every kind: a branch per kind, since a relationship type
		// cannot be a parameter.
		params := copyParams(b.params)
		var parts []string
		for _, kind := range s.schema.TieOrder {
			rows := byKind[kind]
			if len(rows) == 0 {
				continue
			}
			name := fmt.Sprintf("ties%d", len(parts))
			params[name] = rows
			parts = append(parts, fmt.Sprintf(`UNWIND $%s AS t
%s
WITH t, r, a, z
RETURN t.i AS i, %s AS tie`, name, tieMerge(kind, "t"), proj))
		}
		recs, err := s.run(ctx, tx, "CALL () {\n"+strings.Join(parts, "\nUNION ALL\n")+"\n}\nRETURN i, tie", params)
		if err != nil {
			return nil, err
		}
		var events, eventPaths []string
		for _, it := range items {
			if ev := eventOf(it.kind.Name, it.from.id, it.to.id); ev != "" {
				end := "to"
				if ev == it.to.id {
					end = "from"
				}
				events, eventPaths = append(events, ev), append(eventPaths, fmt.Sprintf("input[%d].%s", it.i, end))
			}
		}
		if err := s.checkEventsInScope(ctx, tx, scope, events, eventPaths, ""); err != nil {
			return nil, err
		}
		var areas, areaPaths []string
		for _, it := range items {
			if it.kind.Name == "IN" && it.from.label == "Area" {
				areas, areaPaths = append(areas, it.from.id), append(areaPaths, fmt.Sprintf("input[%d].to", it.i))
			}
		}
		if err := s.checkAreaCycles(ctx, tx, areas, areaPaths); err != nil {
			return nil, err
		}
		out := make([]*Record, len(items))
		for _, r := range recs {
			out[r.Values[0].(int64)] = decodeRecord(r.Values[1])
		}
		touched := make([]string, 0, 3*len(out))
		for _, it := range items {
			touched = append(touched, it.from.id, it.to.id)
		}
		for _, r := range out {
			if r != nil {
				if id, ok := r.Props["id"].(string); ok {
					touched = append(touched, id)
				}
			}
		}
		if err := s.auditWrite(ctx, tx, touched, nil); err != nil {
			return nil, err
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return res.([]*Record), nil
}

// RemoveTies removes ties named by id, or by kind and ends, in one write transaction. With
// a wave, a tie named by its ends loses only that wave, and is removed when it was the
// last; without one, the tie is removed whatever waves recorded it. An input that matches no tie fails the whole batch,
// and so does, with FORBIDDEN, a tie to a person outside the scope. The write is audited
// in the same transaction.
func (s *Store) RemoveTies(ctx context.Context, scope Scope, inputs []map[string]any) (int, error) {
	if err := checkBatch(len(inputs)); err != nil {
		return 0, err
	}
	inputs = plainMaps(inputs)
	var byID []any
	byEnds := map[string][]any{}
	var refs []*ref
	var paths []string
	type endsItem struct {
		i        int
		kind     string
		from, to *ref
		wave     any
	}
	var ends []endsItem
	for i, in := range inputs {
		path := fmt.Sprintf("input[%d]", i)
		if id, _ := in["id"].(string); id != "" {
			if l, ok := nodeid.Label(id); !ok || l != "Tie" {
				return 0, apierr.BadUserInput(path+".id", "is not the id of a tie")
			}
			if in["kind"] != nil || in["from"] != nil || in["to"] != nil {
				return 0, apierr.BadUserInput(path, "give id, or kind, from and to, not both")
			}
			byID = append(byID, map[string]any{"i": int64(i), "id": id})
			continue
		}
		kind, _ := in["kind"].(string)
		if _, ok := s.schema.Ties[kind]; !ok {
			return 0, apierr.BadUserInput(path, "give the tie's id, or its kind, from and to")
		}
		from, err := parseRef(in["from"], path+".from")
		if err != nil {
			return 0, err
		}
		to, err := parseRef(in["to"], path+".to")
		if err != nil {
			return 0, err
		}
		var wave any
		if w, _ := in["wave"].(string); w != "" {
			if l, ok := nodeid.Label(w); !ok || l != "Wave" {
				return 0, apierr.BadUserInput(path+".wave", "is not the id of a Wave")
			}
			wave = w
		}
		ends = append(ends, endsItem{i: i, kind: kind, from: &from, to: &to, wave: wave})
	}
	for k := range ends {
		refs = append(refs, ends[k].from, ends[k].to)
		paths = append(paths, fmt.Sprintf("input[%d].from", ends[k].i), fmt.Sprintf("input[%d].to", ends[k].i))
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		if err := s.resolveRefs(ctx, tx, refs, paths); err != nil {
			return nil, err
		}
		if err := s.checkRefsInScope(ctx, tx, scope, refs, paths); err != nil {
			return nil, err
		}
		if err := s.checkTieIDsInScope(ctx, tx, scope, byID); err != nil {
			return nil, err
		}
		var events, eventPaths []string
		for _, e := range ends {
			if ev := eventOf(e.kind, e.from.id, e.to.id); ev != "" {
				events, eventPaths = append(events, ev), append(eventPaths, fmt.Sprintf("input[%d]", e.i))
			}
		}
		if err := s.checkEventsInScope(ctx, tx, scope, events, eventPaths, ""); err != nil {
			return nil, err
		}
		var touched []string
		for _, r := range refs {
			touched = append(touched, r.id)
		}
		for _, t := range byID {
			touched = append(touched, t.(map[string]any)["id"].(string))
		}
		for _, e := range ends {
			byEnds[e.kind] = append(byEnds[e.kind], map[string]any{"i": int64(e.i), "from": e.from.id, "to": e.to.id, "wave": e.wave})
		}
		hit := map[int64]bool{}
		total := 0
		note := func(recs []*neo4j.Record) {
			for _, r := range recs {
				hit[r.Values[0].(int64)] = true
				total += int(r.Values[1].(int64))
			}
		}
		if len(byID) > 0 {
			// Tie ids are indexed per kind; one UNION statement seeks every kind's index.
			var parts []string
			for _, kind := range s.schema.TieOrder {
				parts = append(parts, fmt.Sprintf("UNWIND $ties AS t MATCH ()-[r:%s {id: t.id}]->() DELETE r RETURN t.i AS i, count(*) AS n", quote(kind)))
			}
			recs, err := s.run(ctx, tx, joinUnion(parts), map[string]any{"ties": byID})
			if err != nil {
				return nil, err
			}
			note(recs)
		}
		for _, kind := range s.schema.TieOrder {
			rows := byEnds[kind]
			if len(rows) == 0 {
				continue
			}
			// With a wave, only that wave is taken off the tie's waves; the tie goes when no
			// wave is left. Without one, the tie goes whatever its waves.
			q := fmt.Sprintf(`UNWIND $ties AS t
MATCH (a:%s {id: t.from})-[r:%s]->(z:%s {id: t.to})
WHERE t.wave IS NULL OR t.wave IN r.waves
WITH t, r, CASE WHEN t.wave IS NULL THEN [] ELSE [w IN r.waves WHERE w <> t.wave] END AS left
SET r.waves = left, r.updatedAt = datetime()
WITH t, r, left
CALL (r, left) { WITH r, left WHERE size(left) = 0 DELETE r }
RETURN t.i AS i, count(*) AS n`, EntityLabel, quote(kind), EntityLabel)
			recs, err := s.run(ctx, tx, q, map[string]any{"ties": rows})
			if err != nil {
				return nil, err
			}
			note(recs)
		}
		for i := range inputs {
			if !hit[int64(i)] {
				return nil, apierr.NotFound(fmt.Sprintf("input[%d]", i), "matches no tie")
			}
		}
		if err := s.auditWrite(ctx, tx, touched, nil); err != nil {
			return nil, err
		}
		return total, nil
	})
	if err != nil {
		return 0, err
	}
	return res.(int), nil
}

func joinUnion(parts []string) string {
	out := parts[0]
	for _, p := range parts[1:] {
		out += "\nUNION ALL\n" + p
	}
	return out
}

// checkRefsInScope fails with FORBIDDEN when a tie input names a person outside the scope.
func (s *Store) checkRefsInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, refs []*ref, paths []string) error {
	if scope.Unrestricted() {
		return nil
	}
	var ids, ps []string
	for i, r := range refs {
		if r.label == "Person" {
			ids, ps = append(ids, r.id), append(ps, paths[i])
		}
	}
	return s.checkPeopleInScope(ctx, tx, scope, ids, ps)
}

// checkTieIDsInScope fails with FORBIDDEN when a tie named by id joins a person outside
// the scope. Tie ids are indexed per kind, so one UNION statement seeks every kind's index.
func (s *Store) checkTieIDsInScope(ctx context.Context, tx neo4j.ManagedTransaction, scope Scope, byID []any) error {
	if scope.Unrestricted() || len(byID) == 0 {
		return nil
	}
	var parts []string
	for _, kind := range s.schema.TieOrder {
		parts = append(parts, fmt.Sprintf("UNWIND $ties AS t MATCH (a)-[r:%s {id: t.id}]->(z) RETURN t.i AS i, a.id AS a, z.id AS z, type(r) AS kind", quote(kind)))
	}
	recs, err := s.run(ctx, tx, joinUnion(parts), map[string]any{"ties": byID})
	if err != nil {
		return err
	}
	var ids, paths, events, eventPaths []string
	for _, r := range recs {
		path := fmt.Sprintf("input[%d].id", r.Values[0].(int64))
		for _, end := range r.Values[1:3] {
			if id, _ := end.(string); isPerson(id) {
				ids, paths = append(ids, id), append(paths, path)
			}
		}
		a, _ := r.Values[1].(string)
		z, _ := r.Values[2].(string)
		if ev := eventOf(r.Values[3].(string), a, z); ev != "" {
			events, eventPaths = append(events, ev), append(eventPaths, path)
		}
	}
	if err := s.checkPeopleInScope(ctx, tx, scope, ids, paths); err != nil {
		return err
	}
	return s.checkEventsInScope(ctx, tx, scope, events, eventPaths, "")
}

func isPerson(id string) bool {
	l, ok := nodeid.Label(id)
	return ok && l == "Person"
}
