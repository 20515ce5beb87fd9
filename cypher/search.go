package cypher

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"kith/apierr"
)

// Limits on search input.
const (
	maxSearchLen   = 200
	maxSearchWords = 12
	// MaxSearchHits is the most hits one search returns.
	MaxSearchHits = 100
)

// Hit is one full-text match.
type Hit struct {
	Score  float64
	Record *Record
}

// luceneSpecial are the characters Lucene's query parser gives a meaning.
const luceneSpecial = `\+-!():^[]"{}~*?|&/`

// luceneQuery turns what a person typed into a Lucene query that matches every word, whole
// or as a prefix, in any of fields (nil: any field of the index), with all query syntax
// escaped.
func luceneQuery(text string, fields []string) (string, error) {
	if utf8.RuneCountInString(text) > maxSearchLen {
		return "", apierr.BadUserInput("text", "is longer than %d characters", maxSearchLen)
	}
	words := strings.Fields(strings.ToLower(text))
	if len(words) == 0 {
		return "", apierr.BadUserInput("text", "has no words to search for")
	}
	if len(words) > maxSearchWords {
		return "", apierr.BadUserInput("text", "has %d words; at most %d are used", len(words), maxSearchWords)
	}
	terms := make([]string, len(words))
	for i, w := range words {
		var b strings.Builder
		for _, r := range w {
			if strings.ContainsRune(luceneSpecial, r) {
				b.WriteRune('\\')
			}
			b.WriteRune(r)
		}
		e := b.String()
		if fields == nil {
			terms[i] = fmt.Sprintf("(%s OR %s*)", e, e)
			continue
		}
		alts := make([]string, 0, 2*len(fields))
		for _, f := range fields {
			alts = append(alts, fmt.Sprintf("%s:%s", f, e), fmt.Sprintf("%s:%s*", f, e))
		}
		terms[i] = "(" + strings.Join(alts, " OR ") + ")"
	}
	return strings.Join(terms, " AND "), nil
}

// pseudonymFields are the properties of the full-text index (migration 0002) that a
// pseudonymising scope may match: every one but displayName and the stored pseudonym.
var pseudonymFields = []string{"name", "role", "description"}

// Search finds nodes whose names match text, best first, optionally only of some labels,
// among the nodes the scope lets the caller see. Under a pseudonymising scope, names are
// not searched at all, so a hit cannot confirm a name.
func (s *Store) Search(ctx context.Context, scope Scope, text string, labels []string, first int, sel *Selection) ([]Hit, error) {
	var fields []string // every field of the index
	if scope.Pseudonymise {
		fields = pseudonymFields
	}
	q, err := luceneQuery(text, fields)
	if err != nil {
		return nil, err
	}
	if first < 0 || first > MaxSearchHits {
		return nil, apierr.BadUserInput("first", "must be between 0 and %d", MaxSearchHits)
	}
	for _, l := range labels {
		if _, ok := s.schema.Label(l); !ok {
			return nil, fmt.Errorf("search: unknown label %q", l)
		}
	}
	b := newScopedBuilder(s.schema, scope)
	query := fmt.Sprintf("CALL db.index.fulltext.queryNodes('"+SearchIndex+"', %s) YIELD node, score", b.param(q))
	var conds []string
	if len(labels) > 0 {
		conds = append(conds, fmt.Sprintf("any(l IN labels(node) WHERE l IN %s)", b.param(labels)))
	}
	if p := b.personGuard("node"); p != "" {
		conds = append(conds, p)
	}
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	proj, err := b.nodeProjection("node", b.allLabels(), sel)
	if err != nil {
		return nil, err
	}
	query += fmt.Sprintf(" WITH node, score ORDER BY score DESC, node.id LIMIT %s RETURN score, %s", b.param(int64(first)), proj)
	recs, err := s.query(ctx, query, b.params)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(recs))
	for i, r := range recs {
		hits[i] = Hit{Score: r.Values[0].(float64), Record: decodeRecord(r.Values[1])}
	}
	return hits, nil
}
