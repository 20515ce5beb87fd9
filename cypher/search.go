package cypher

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

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
// or as a prefix, with all query syntax escaped.
func luceneQuery(text string) (string, error) {
	if utf8.RuneCountInString(text) > maxSearchLen {
		return "", apierr.BadInput("text", "is longer than %d characters", maxSearchLen)
	}
	words := strings.Fields(strings.ToLower(text))
	if len(words) == 0 {
		return "", apierr.BadInput("text", "has no words to search for")
	}
	if len(words) > maxSearchWords {
		return "", apierr.BadInput("text", "has %d words; at most %d are used", len(words), maxSearchWords)
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
		terms[i] = fmt.Sprintf("(%s OR %s*)", e, e)
	}
	return strings.Join(terms, " AND "), nil
}

// Search finds nodes whose names match text, best first, optionally only of some labels.
func (s *Store) Search(ctx context.Context, text string, labels []string, first int, sel *Selection) ([]Hit, error) {
	q, err := luceneQuery(text)
	if err != nil {
		return nil, err
	}
	if first < 0 || first > MaxSearchHits {
		return nil, apierr.BadInput("first", "must be between 0 and %d", MaxSearchHits)
	}
	for _, l := range labels {
		if _, ok := s.schema.Label(l); !ok {
			return nil, fmt.Errorf("search: unknown label %q", l)
		}
	}
	b := newBuilder(s.schema)
	query := fmt.Sprintf("CALL db.index.fulltext.queryNodes('kith_names', %s) YIELD node, score", b.param(q))
	if len(labels) > 0 {
		query += fmt.Sprintf(" WHERE any(l IN labels(node) WHERE l IN %s)", b.param(labels))
	}
	proj, err := b.nodeProjection("node", b.allLabels(), sel)
	if err != nil {
		return nil, err
	}
	query += fmt.Sprintf(" WITH node, score ORDER BY score DESC, node.id LIMIT %s RETURN score, %s", b.param(int64(first)), proj)
	res, err := s.read(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		recs, err := s.run(ctx, tx, query, b.params)
		if err != nil {
			return nil, err
		}
		hits := make([]Hit, len(recs))
		for i, r := range recs {
			hits[i] = Hit{Score: r.Values[0].(float64), Record: decodeRecord(r.Values[1])}
		}
		return hits, nil
	})
	if err != nil {
		return nil, err
	}
	return res.([]Hit), nil
}
