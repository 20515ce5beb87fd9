package cypher

import "strings"

// Record is one node or tie read from Neo4j, shaped by the selection that asked for it.
type Record struct {
	// Type is the GraphQL type name: a node label, "Tie" or "Membership".
	Type string
	// Props holds the stored properties that were selected, as the driver returns them.
	Props map[string]any
	// Rel holds the relation fields that were selected, keyed by response alias: each value
	// is a *Record (possibly nil) or a []*Record.
	Rel map[string]any
}

const (
	typenameKey = "__typename"
	relPrefix   = "rel_"
)

// decodeRecord turns a map returned by a projection into a Record.
func decodeRecord(v any) *Record {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	r := &Record{Props: make(map[string]any, len(m)), Rel: map[string]any{}}
	for k, x := range m {
		switch {
		case k == typenameKey:
			r.Type, _ = x.(string)
		case strings.HasPrefix(k, relPrefix):
			r.Rel[k[len(relPrefix):]] = decodeRel(x)
		default:
			r.Props[k] = x
		}
	}
	return r
}

func decodeRel(x any) any {
	switch v := x.(type) {
	case []any:
		out := make([]*Record, 0, len(v))
		for _, e := range v {
			if rec := decodeRecord(e); rec != nil {
				out = append(out, rec)
			}
		}
		return out
	case map[string]any:
		return decodeRecord(v)
	case int64:
		return v // a count (Wave.respondents)
	default:
		return (*Record)(nil)
	}
}
