package cypher

import (
	"context"
	"fmt"
	"time"

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
// each its own transaction. Nodes are merged on id and ties on kind, ends and meaning key
// (a tie's "wave" or "waves" adds to its waves), so loading the same data twice changes
// nothing. Properties are checked and
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
	// Ties of one kind, ends and meaning key are one relationship: their rows are merged
	// here, waves added up, and the latest recorded row's properties kept.
	type tieRow struct {
		row   map[string]any
		waves map[string]bool
	}
	byKind := map[string][]any{}
	merged := map[string]*tieRow{}
	var order []string
	for i, t := range ties {
		kind, ok := s.schema.Ties[t.Kind]
		if !ok {
			return fmt.Errorf("load: tie %d: unknown kind %q", i, t.Kind)
		}
		props := make(map[string]any, len(t.Props))
		waves := map[string]bool{}
		for k, v := range t.Props {
			if k == "wave" || k == "waves" {
				if err := addWaves(waves, v); err != nil {
					return fmt.Errorf("load: tie %d: %w", i, err)
				}
				continue
			}
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
		key := tieKey(kind, props)
		id := t.Kind + "|" + t.From + "|" + t.To + "|" + key
		m, ok := merged[id]
		if !ok {
			m = &tieRow{row: map[string]any{
				"kind": t.Kind, "id": nodeid.FromKey("Tie", id), "from": t.From, "to": t.To, "key": key, "props": props,
			}, waves: map[string]bool{}}
			merged[id] = m
			order = append(order, id)
		} else if later(props["recordedAt"], m.row["props"].(map[string]any)["recordedAt"]) {
			m.row["props"] = props
		}
		for w := range waves {
			m.waves[w] = true
		}
	}
	for _, id := range order {
		m := merged[id]
		m.row["waves"] = sortedKeys(m.waves)
		kind := m.row["kind"].(string)
		byKind[kind] = append(byKind[kind], m.row)
	}
	for _, kind := range s.schema.TieOrder {
		q := "UNWIND $rows AS row\n" + tieMerge(kind, "row")
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

// addWaves adds a tie's "wave" (an id) or "waves" (a list of ids) to set.
func addWaves(set map[string]bool, v any) error {
	switch x := v.(type) {
	case nil:
	case string:
		set[x] = true
	case []string:
		for _, w := range x {
			set[w] = true
		}
	case []any:
		for _, w := range x {
			s, ok := w.(string)
			if !ok {
				return fmt.Errorf("waves: expected a list of wave ids")
			}
			set[s] = true
		}
	default:
		return fmt.Errorf("wave: expected a wave id")
	}
	return nil
}

// later reports whether recordedAt a is after b (a time.Time each, or absent).
func later(a, b any) bool {
	ta, okA := a.(time.Time)
	tb, okB := b.(time.Time)
	return okA && (!okB || ta.After(tb))
}
