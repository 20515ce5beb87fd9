package cypher

// trustedContacts: who already reaches someone.

import (
	"context"
	"fmt"
	"strings"

	"kith/apierr"
	"kith/nodeid"
)

// contactKinds are the ties through which someone or something could reach a person, in
// the order a worker would try them (KNOWS is split by strength in the ranking).
var contactKinds = []string{"TRUSTS", "KNOWS", "SEES", "MEMBER_OF", "USES", "GETS_INFO_FROM", "ENCOURAGES"}

// TrustedContacts returns the ties through which a person could be reached, each a Contact
// record with "out" (the person made the tie), the node under "node" and the tie under
// "tie". One per kind, node, direction and purpose: the most recently recorded.
func (s *Store) TrustedContacts(ctx context.Context, scope Scope, person string, first int, nodeSel, tieSel *Selection) ([]*Record, error) {
	if l, ok := nodeid.Label(person); !ok || l != "Person" {
		return nil, apierr.BadUserInput("person", "is not the id of a Person")
	}
	if first < 0 || first > MaxNested {
		return nil, apierr.BadUserInput("first", "must be between 0 and %d", MaxNested)
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
		return nil, apierr.NotFound("person", "no Person has id %s", person)
	}
	var out []*Record
	for _, c := range row.Values[1].([]any) {
		out = append(out, decodeRecord(c))
	}
	return out, nil
}
