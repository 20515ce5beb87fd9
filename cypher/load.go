package cypher

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/nodeid"
)

// LoadNode is one node for a bulk load: its label, id and stored properties.
type LoadNode struct {
	Label, ID string
	Props     map[string]any
}

// LoadTie is one tie for a bulk load, between node ids.
type LoadTie struct {
	Kind, From, To string
	Props          map[string]any
}

// loadBatch is how many rows one bulk statement writes.
const loadBatch = 5_000

// Load writes generated data (the demo neighbourhood, synthetic communities) in batches,
// each its own transaction. Nodes are merged on id and ties on kind, ends, wave and key
// property, so loading the same data twice changes nothing. Properties are checked and
// converted against the table as mutations are.
func (s *Store) Load(ctx context.Context, nodes []LoadNode, ties []LoadTie, progress func(done, total int)) error {
	total, done := len(nodes)+len(ties), 0
	byLabel := map[string][]any{}
	for i, n := range nodes {
		l, ok := s.schema.Label(n.Label)
		if !ok {
			return fmt.Errorf("load: node %d: unknown label %q", i, n.Label)
		}
		props := make(map[string]any, len(n.Props))
		for k, v := range n.Props {
			p, ok := l.Prop(k)
			if !ok {
				return fmt.Errorf("load: node %d: %s has no property %q", i, n.Label, k)
			}
			pv, err := paramValue(p, v, k)
			if err != nil {
				return fmt.Errorf("load: node %d: %w", i, err)
			}
			props[k] = pv
		}
		byLabel[n.Label] = append(byLabel[n.Label], map[string]any{"id": n.ID, "props": props})
	}
	for _, label := range s.schema.LabelOrder {
		q := fmt.Sprintf(`UNWIND $rows AS row
MERGE (n:%s {id: row.id})
ON CREATE SET n:%s, n.createdAt = datetime()
SET n += row.props, n.updatedAt = datetime()`, quote(label), EntityLabel)
		if err := s.loadBatches(ctx, q, byLabel[label], &done, total, progress); err != nil {
			return fmt.Errorf("load %s: %w", label, err)
		}
	}
	byKind := map[string][]any{}
	for i, t := range ties {
		kind, ok := s.schema.Ties[t.Kind]
		if !ok {
			return fmt.Errorf("load: tie %d: unknown kind %q", i, t.Kind)
		}
		props := make(map[string]any, len(t.Props))
		for k, v := range t.Props {
			p, ok := kind.Prop(k)
			if !ok {
				return fmt.Errorf("load: tie %d: %s has no property %q", i, t.Kind, k)
			}
			pv, err := paramValue(p, v, k)
			if err != nil {
				return fmt.Errorf("load: tie %d: %w", i, err)
			}
			props[k] = pv
		}
		wave, _ := props["wave"].(string)
		key := tieKey(wave, props[kind.KeyProp])
		byKind[t.Kind] = append(byKind[t.Kind], map[string]any{
			"id":   nodeid.FromKey("Tie", t.Kind+"|"+t.From+"|"+t.To+"|"+key),
			"from": t.From, "to": t.To, "key": key, "props": props,
		})
	}
	for _, kind := range s.schema.TieOrder {
		q := fmt.Sprintf(`UNWIND $rows AS row
MATCH (a:%s {id: row.from})
MATCH (z:%s {id: row.to})
MERGE (a)-[r:%s {key: row.key}]->(z)
ON CREATE SET r.id = row.id, r.createdAt = datetime()
SET r += row.props, r.updatedAt = datetime()`, EntityLabel, EntityLabel, quote(kind))
		if err := s.loadBatches(ctx, q, byKind[kind], &done, total, progress); err != nil {
			return fmt.Errorf("load %s: %w", kind, err)
		}
	}
	return nil
}

func (s *Store) loadBatches(ctx context.Context, q string, rows []any, done *int, total int, progress func(done, total int)) error {
	for start := 0; start < len(rows); start += loadBatch {
		batch := rows[start:min(start+loadBatch, len(rows))]
		if _, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			return s.run(ctx, tx, q, map[string]any{"rows": batch})
		}); err != nil {
			return err
		}
		*done += len(batch)
		if progress != nil {
			progress(*done, total)
		}
	}
	return nil
}

// IsEmpty reports whether the database holds no Kith nodes.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	recs, err := s.query(ctx, fmt.Sprintf("MATCH (n:%s) RETURN count(n) = 0 LIMIT 1", EntityLabel), nil)
	if err != nil {
		return false, err
	}
	return recs[0].Values[0].(bool), nil
}
