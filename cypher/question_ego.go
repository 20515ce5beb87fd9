package cypher

// egoNetwork: the network around a node.

import (
	"context"
	"fmt"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

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
		return nil, apierr.BadUserInput("id", "is not a Kith node id")
	}
	if hops < 1 || hops > MaxEgoHops {
		return nil, apierr.BadUserInput("hops", "must be between 1 and %d", MaxEgoHops)
	}
	if maxNodes < 1 || maxNodes > MaxEgoNodes {
		return nil, apierr.BadUserInput("maxNodes", "must be between 1 and %d", MaxEgoNodes)
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
  MATCH p = ANY SHORTEST (c)((x)-[r:%[3]s]-(y)%[10]s){1,%[4]d}(m WHERE m <> c)
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
		return nil, apierr.NotFound("id", "no node has id %s", id)
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
