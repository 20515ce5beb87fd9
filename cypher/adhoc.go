package cypher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"kith/apierr"
)

// This file is the read-only Cypher endpoint's store side: a caller's own query, run in a
// read transaction with a timeout and a row cap, after Neo4j's own plan for it (EXPLAIN)
// shows that it only reads. The text is never inspected for keywords: the plan says what
// the query does, so a write hidden in a subquery, a comment or odd spacing is seen.

// MaxAdHocQueryLen is the longest ad-hoc query accepted, in characters.
const MaxAdHocQueryLen = 10_000

// AdHocOptions limit one ad-hoc query.
type AdHocOptions struct {
	// Timeout is the transaction timeout.
	Timeout time.Duration
	// MaxRows is the most rows returned; Truncated says when there were more.
	MaxRows int
	// Pseudonymise refuses queries whose plan reads names, contacts, wellbeing or consent,
	// or all of a node's properties at once, and redacts such properties from returned
	// nodes (the researcher grant, which works on pseudonymised data).
	Pseudonymise bool
}

// AdHocResult is what an ad-hoc query returned.
type AdHocResult struct {
	Columns []string
	// Rows hold JSON-ready values: nodes as {id, labels, properties}, relationships as
	// {id, type, start, end, properties}, paths as {nodes, relationships}, temporal values
	// as strings.
	Rows      [][]any
	Truncated bool
	// IDs are the Kith ids of the nodes and ties returned, for the audit trail.
	IDs []string
}

// allowedProcedures are the procedures an ad-hoc query may call: schema description only.
var allowedProcedures = map[string]bool{
	"db.labels": true, "db.relationshipTypes": true, "db.propertyKeys": true,
	"db.schema.visualization": true, "db.schema.nodeTypeProperties": true, "db.schema.relTypeProperties": true,
}

// refusedOperators are plan operators refused whatever the query type: reading files or
// URLs from the server.
var refusedOperators = map[string]string{
	"LoadCSV": "LOAD CSV reads files and URLs from the server and is not allowed here",
}

// sensitiveInPlan finds, in a plan's details, reads of what a pseudonymised caller may not
// see: the sensitive properties by name, every property at once (n{.*}, properties(n)), or
// properties looked up by a computed key (n[key]).
var sensitiveInPlan = regexp.MustCompile(`\b(displayName|contact|wellbeing|consent\w*)\b|\{\.\*\}|properties\(|PropertiesUsingCachedProperties|\w\[[^\]0-9-]`)

// cachedInPlan is a property the plan read earlier (cache[n.prop]): not a computed key, so
// it is checked as the property it names. A query of a pseudonymising grant may not name
// anything cache (cacheInQuery), so that cache[m.key] in a plan is always Neo4j's.
var (
	cachedInPlan = regexp.MustCompile(`\bcache\[(\w+\.\w+)\]`)
	cacheInQuery = regexp.MustCompile(`(?i)\bcache\b`)
)

// Fingerprint identifies a query text for the audit trail without keeping it: the query
// may quote values.
func Fingerprint(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:12])
}

// ReadOnly runs a caller's Cypher query in a read transaction, after checking its plan:
// the query type must be read-only ("r"), every procedure it calls must be on the
// allow-list, and it must not load CSV. A refusal is FORBIDDEN with the reason; a query
// Neo4j cannot parse is BAD_USER_INPUT.
func (s *Store) ReadOnly(ctx context.Context, query string, params map[string]any, opts AdHocOptions) (*AdHocResult, error) {
	if strings.TrimSpace(query) == "" {
		return nil, apierr.BadInput("query", "is empty")
	}
	if n := utf8.RuneCountInString(query); n > MaxAdHocQueryLen {
		return nil, apierr.BadInput("query", "is %d characters long; at most %d are accepted", n, MaxAdHocQueryLen)
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = 1000
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	params = plainMap(params)
	sess := s.session(ctx, neo4j.AccessModeRead)
	defer sess.Close(context.WithoutCancel(ctx))
	res, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		s.roundTrips.Add(1)
		explained, err := tx.Run(ctx, "EXPLAIN "+query, params)
		if err != nil {
			return nil, err
		}
		summary, err := explained.Consume(ctx)
		if err != nil {
			return nil, err
		}
		if err := checkPlan(summary, opts); err != nil {
			return nil, err
		}
		s.roundTrips.Add(1)
		run, err := tx.Run(ctx, query, params)
		if err != nil {
			return nil, err
		}
		keys, err := run.Keys()
		if err != nil {
			return nil, err
		}
		out := &AdHocResult{Columns: keys, Rows: [][]any{}}
		ids := map[string]bool{}
		for run.Next(ctx) {
			if len(out.Rows) == opts.MaxRows {
				out.Truncated = true
				break
			}
			rec := run.Record()
			row := make([]any, len(rec.Values))
			for i, v := range rec.Values {
				row[i] = jsonValue(v, opts.Pseudonymise, ids)
			}
			out.Rows = append(out.Rows, row)
		}
		if err := run.Err(); err != nil {
			return nil, err
		}
		for id := range ids {
			out.IDs = append(out.IDs, id)
		}
		sort.Strings(out.IDs)
		return out, nil
	}, neo4j.WithTxTimeout(opts.Timeout))
	if err != nil {
		return nil, classifyAdHoc(err)
	}
	return res.(*AdHocResult), nil
}

// checkPlan refuses a plan that does anything but read what the caller may read.
func checkPlan(summary neo4j.ResultSummary, opts AdHocOptions) error {
	if t := summary.StatementType(); t != neo4j.StatementTypeReadOnly {
		kind := map[neo4j.StatementType]string{
			neo4j.StatementTypeReadWrite: "reads and writes", neo4j.StatementTypeWriteOnly: "writes",
			neo4j.StatementTypeSchemaWrite: "changes the schema or the system",
		}[t]
		if kind == "" {
			kind = "is not read-only"
		}
		return apierr.Denied("query", "the query %s (query type %q): this endpoint only reads", kind, t.String())
	}
	if opts.Pseudonymise && cacheInQuery.MatchString(summary.Query().Text()) {
		return apierr.Denied("query", "cache is a reserved word on this endpoint: name the variable otherwise")
	}
	var walk func(p neo4j.Plan) error
	walk = func(p neo4j.Plan) error {
		if p == nil {
			return nil
		}
		op, _, _ := strings.Cut(p.Operator(), "@")
		details, _ := p.Arguments()["Details"].(string)
		if why, bad := refusedOperators[op]; bad {
			return apierr.Denied("query", "%s", why)
		}
		if op == "ProcedureCall" {
			name, _, _ := strings.Cut(details, "(")
			name = strings.TrimSpace(name)
			if !allowedProcedures[name] {
				return apierr.Denied("query", "the procedure %s is not on this endpoint's allow-list (%s)", truncate(name, 60), strings.Join(sortedKeys(allowedProcedures), ", "))
			}
		}
		if opts.Pseudonymise && sensitiveInPlan.MatchString(cachedInPlan.ReplaceAllString(details, "$1")) {
			return apierr.Denied("query", "the query reads names, contacts, wellbeing, consent or every property of a node; "+
				"this grant works on pseudonymised data: return pseudonym and named properties (wellbeing: use wellbeingSummary)")
		}
		for _, c := range p.Children() {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(summary.Plan())
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// classifyAdHoc reports Neo4j's verdict on a caller's query: its own mistakes are
// BAD_USER_INPUT with Neo4j's message (about their query text, not stored data).
func classifyAdHoc(err error) error {
	if _, ok := apierr.As(err); ok {
		return err
	}
	var nerr *neo4j.Neo4jError
	if errors.As(err, &nerr) {
		switch {
		case nerr.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
			nerr.Code == "Neo.ClientError.Transaction.TransactionTimedOut":
			return apierr.BadInput("query", "ran past its timeout; narrow it or add LIMIT")
		case strings.HasPrefix(nerr.Code, "Neo.ClientError.Statement."):
			return apierr.BadInput("query", "%s", truncate(firstLine(nerr.Msg), 300))
		case strings.HasPrefix(nerr.Code, "Neo.ClientError.Security.") || strings.HasPrefix(nerr.Code, "Neo.ClientError.Procedure."):
			return apierr.Denied("query", "Neo4j refused it (%s)", nerr.Code)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return apierr.BadInput("query", "ran past its timeout; narrow it or add LIMIT")
	}
	return classify(err)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// jsonValue turns a driver value into one encoding/json can write, redacting what a
// pseudonymised caller may not see, and notes the Kith ids it meets.
func jsonValue(v any, pseudonymise bool, ids map[string]bool) any {
	switch x := v.(type) {
	case dbtype.Node:
		props := nodeProps(x, pseudonymise)
		if id, ok := x.Props["id"].(string); ok {
			ids[id] = true
		}
		return map[string]any{"labels": x.Labels, "properties": jsonValue(props, pseudonymise, ids)}
	case dbtype.Relationship:
		if id, ok := x.Props["id"].(string); ok {
			ids[id] = true
		}
		return map[string]any{"type": x.Type, "properties": jsonValue(x.Props, pseudonymise, ids)}
	case dbtype.Path:
		nodes := make([]any, len(x.Nodes))
		for i, n := range x.Nodes {
			nodes[i] = jsonValue(n, pseudonymise, ids)
		}
		rels := make([]any, len(x.Relationships))
		for i, r := range x.Relationships {
			rels[i] = jsonValue(r, pseudonymise, ids)
		}
		return map[string]any{"nodes": nodes, "relationships": rels}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e, pseudonymise, ids)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, pseudonymise, ids)
		}
		return out
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case dbtype.Date:
		return x.Time().Format(time.DateOnly)
	case dbtype.LocalDateTime, dbtype.LocalTime, dbtype.Time, dbtype.Duration, dbtype.Point2D, dbtype.Point3D:
		return fmt.Sprint(x)
	}
	return v
}

// nodeProps returns a node's properties, without the sensitive ones of a Person for a
// pseudonymised caller.
func nodeProps(n dbtype.Node, pseudonymise bool) map[string]any {
	if !pseudonymise || !contains(n.Labels, "Person") {
		return n.Props
	}
	out := make(map[string]any, len(n.Props))
	for k, v := range n.Props {
		if hidden[k] || strings.HasPrefix(k, "consent") {
			continue
		}
		out[k] = v
	}
	return out
}
