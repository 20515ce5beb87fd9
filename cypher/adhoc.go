package cypher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"kith/apierr"
)

// This file is the read-only Cypher endpoint's store side: a caller's own query, run in a
// read transaction with a timeout, a row cap and a byte cap, after Neo4j's own plan for it
// (EXPLAIN) shows that it only reads the graph. The text is never inspected for keywords:
// the plan says what the query does, so a write or a command hidden in a subquery, a
// comment or odd spacing is seen. Administrators run it on the live graph (ReadOnly);
// researchers and analysts on the research copy (ResearchCopy.Query), which holds nothing
// they may not see, so what they read needs no further check.

// MaxAdHocQueryLen is the longest ad-hoc query accepted, in characters.
const MaxAdHocQueryLen = 10_000

// adHocFetch is how many records the driver asks Neo4j for at a time, so that a query cut
// by a cap has not made Neo4j send much more than was read.
const adHocFetch = 100

// AdHocOptions limit one ad-hoc query.
type AdHocOptions struct {
	// Timeout is the transaction timeout.
	Timeout time.Duration
	// MaxRows is the most rows returned; Truncated says when there were more.
	MaxRows int
	// MaxBytes is the most bytes of values returned, counted as each record is decoded
	// (about what the values take as JSON); rows past it are cut, and Truncated says so.
	MaxBytes int
}

// AdHocResult is what an ad-hoc query returned.
type AdHocResult struct {
	Columns []string
	// Rows hold JSON-ready values: nodes as {labels, properties}, relationships as {type,
	// properties}, paths as {nodes, relationships}, temporal values as strings.
	Rows [][]any
	// Truncated says rows were cut; TruncatedBy says by which cap: "rows" or "bytes".
	Truncated   bool
	TruncatedBy string
	// IDs are the Kith ids of the nodes and ties returned, for the audit trail.
	IDs []string
	// CopiedAt is the age of the research copy the query read; nil on the live graph.
	CopiedAt *time.Time
}

// allowedProcedures are the procedures an ad-hoc query may call: schema description only.
var allowedProcedures = map[string]bool{
	"db.labels": true, "db.relationshipTypes": true, "db.propertyKeys": true,
	"db.schema.visualization": true, "db.schema.nodeTypeProperties": true, "db.schema.relTypeProperties": true,
}

// refusedOperator says why a plan operator is refused whatever the query type, and
// whether it is. Neo4j 5.26 plans SHOW TRANSACTIONS, TERMINATE TRANSACTIONS, SHOW
// SETTINGS, SHOW INDEXES... as read-only queries (type "r") with an operator of their own
// (ShowTransactions, TerminateTransactions, ShowSettings...); SHOW USERS and the other
// commands of the system database are type "s" and refused by type.
func refusedOperator(op string) (string, bool) {
	switch {
	case strings.HasPrefix(op, "Show"), strings.HasPrefix(op, "Terminate"), op == "AdministrationCommand":
		return "administration commands (SHOW ..., TERMINATE ...) are not allowed here", true
	case op == "LoadCSV":
		return "LOAD CSV reads files and URLs from the server and is not allowed here", true
	case op == "TransactionApply", op == "TransactionForeach":
		return "CALL ... IN TRANSACTIONS is not allowed here", true
	}
	return "", false
}

// Fingerprint identifies a query text for the audit trail without keeping it: the query
// may quote values.
func Fingerprint(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:12])
}

// ReadOnly runs a caller's Cypher query on the live graph in a read transaction, after
// checking its plan (checkPlan). A refusal is FORBIDDEN with the reason; a query Neo4j
// cannot parse is BAD_USER_INPUT.
func (s *Store) ReadOnly(ctx context.Context, query string, params map[string]any, opts AdHocOptions) (*AdHocResult, error) {
	return s.adHoc(ctx, query, params, opts, nil, nil)
}

// adHoc runs an ad-hoc query in one read transaction: the plan check, then before (when
// set), the query under the caps, and after (when set) on the result. The plan is checked
// first: an administration command planned after another statement of the transaction
// fails with an error of its own instead of a refusal.
func (s *Store) adHoc(ctx context.Context, query string, params map[string]any, opts AdHocOptions,
	before func(neo4j.ManagedTransaction) error, after func(neo4j.ManagedTransaction, *AdHocResult) error) (*AdHocResult, error) {
	if strings.TrimSpace(query) == "" {
		return nil, apierr.BadUserInput("query", "is empty")
	}
	if n := utf8.RuneCountInString(query); n > MaxAdHocQueryLen {
		return nil, apierr.BadUserInput("query", "is %d characters long; at most %d are accepted", n, MaxAdHocQueryLen)
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = 1000
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 4 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	params = plainMap(params)
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.opts.Database, AccessMode: neo4j.AccessModeRead, FetchSize: adHocFetch})
	defer sess.Close(context.WithoutCancel(ctx))
	res, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		out, err := s.runAdHoc(ctx, tx, query, params, opts, before)
		if err != nil {
			return nil, err
		}
		if after != nil {
			if err := after(tx, out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}, neo4j.WithTxTimeout(opts.Timeout))
	if err != nil {
		return nil, classifyAdHoc(err)
	}
	return res.(*AdHocResult), nil
}

// runAdHoc checks the query's plan, calls before, then runs the query and decodes its
// records until a cap.
// Neo4j's refusal for want of memory (db.memory.transaction.max) is reported here, as
// the caller's to fix, so that the driver does not retry it as it does transient errors.
func (s *Store) runAdHoc(ctx context.Context, tx neo4j.ManagedTransaction, query string, params map[string]any, opts AdHocOptions,
	before func(neo4j.ManagedTransaction) error) (*AdHocResult, error) {
	s.roundTrips.Add(1)
	explained, err := tx.Run(ctx, "EXPLAIN "+query, params)
	if err != nil {
		return nil, memoryRefusal(err)
	}
	summary, err := explained.Consume(ctx)
	if err != nil {
		return nil, memoryRefusal(err)
	}
	if err := checkPlan(summary); err != nil {
		return nil, err
	}
	if before != nil {
		if err := before(tx); err != nil {
			return nil, err
		}
	}
	s.roundTrips.Add(1)
	run, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, memoryRefusal(err)
	}
	keys, err := run.Keys()
	if err != nil {
		return nil, memoryRefusal(err)
	}
	out := &AdHocResult{Columns: keys, Rows: [][]any{}}
	d := &decoder{ids: map[string]bool{}, left: opts.MaxBytes}
	for run.Next(ctx) {
		if len(out.Rows) == opts.MaxRows {
			out.Truncated, out.TruncatedBy = true, "rows"
			break
		}
		rec := run.Record()
		row := make([]any, len(rec.Values))
		for i, v := range rec.Values {
			row[i] = d.value(v)
		}
		if d.left < 0 {
			if len(out.Rows) == 0 {
				return nil, apierr.BadUserInput("query", "its first row alone is larger than the %d bytes one answer may hold; return less per row", opts.MaxBytes)
			}
			out.Truncated, out.TruncatedBy = true, "bytes"
			break
		}
		out.Rows = append(out.Rows, row)
	}
	if err := run.Err(); err != nil {
		return nil, memoryRefusal(err)
	}
	for id := range d.ids {
		out.IDs = append(out.IDs, id)
	}
	sort.Strings(out.IDs)
	return out, nil
}

// memoryRefusal turns Neo4j's refusal of a query that would use more memory than one
// transaction may into BAD_USER_INPUT; other errors pass through.
func memoryRefusal(err error) error {
	var nerr *neo4j.Neo4jError
	if errors.As(err, &nerr) && strings.HasSuffix(nerr.Code, "MemoryPoolOutOfMemoryError") {
		return apierr.BadUserInput("query", "needs more memory than one query may use (db.memory.transaction.max); narrow it or add LIMIT")
	}
	return err
}

// checkPlan refuses a plan that does anything but read the graph: the query type must be
// read-only ("r"), no operator may be refused (refusedOperator), and every procedure it
// calls must be on the allow-list.
func checkPlan(summary neo4j.ResultSummary) error {
	if t := summary.StatementType(); t != neo4j.StatementTypeReadOnly {
		kind := map[neo4j.StatementType]string{
			neo4j.StatementTypeReadWrite: "reads and writes", neo4j.StatementTypeWriteOnly: "writes",
			neo4j.StatementTypeSchemaWrite: "changes the schema or the system",
		}[t]
		if kind == "" {
			kind = "is not read-only"
		}
		return apierr.Forbidden("query", "the query %s (query type %q): this endpoint only reads", kind, t.String())
	}
	var walk func(p neo4j.Plan) error
	walk = func(p neo4j.Plan) error {
		if p == nil {
			return nil
		}
		op, _, _ := strings.Cut(p.Operator(), "@")
		if why, bad := refusedOperator(op); bad {
			return apierr.Forbidden("query", "%s", why)
		}
		if op == "ProcedureCall" {
			details, _ := p.Arguments()["Details"].(string)
			name, _, _ := strings.Cut(details, "(")
			name = strings.TrimSpace(name)
			if !allowedProcedures[name] {
				return apierr.Forbidden("query", "the procedure %s is not on this endpoint's allow-list (%s)", truncate(name, 60), strings.Join(sortedKeys(allowedProcedures), ", "))
			}
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
			return apierr.BadUserInput("query", "ran past its timeout; narrow it or add LIMIT")
		case strings.HasPrefix(nerr.Code, "Neo.ClientError.Statement."):
			return apierr.BadUserInput("query", "%s", truncate(firstLine(nerr.Msg), 300))
		case strings.HasPrefix(nerr.Code, "Neo.ClientError.Security."), strings.HasPrefix(nerr.Code, "Neo.ClientError.Procedure."),
			nerr.Code == "Neo.ClientError.Transaction.ForbiddenDueToTransactionType":
			return apierr.Forbidden("query", "Neo4j refused it (%s)", nerr.Code)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return apierr.BadUserInput("query", "ran past its timeout; narrow it or add LIMIT")
	}
	return classify(err)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// decoder turns driver values into ones encoding/json can write, noting the Kith ids it
// meets and counting what they take as JSON, roughly, against a budget of bytes: once left
// is below zero it stops building values.
type decoder struct {
	ids  map[string]bool
	left int
}

func (d *decoder) value(v any) any {
	if d.left < 0 {
		return nil
	}
	switch x := v.(type) {
	case dbtype.Node:
		if id, ok := x.Props["id"].(string); ok {
			d.ids[id] = true
		}
		d.left -= 30
		labels := make([]any, len(x.Labels))
		for i, l := range x.Labels {
			labels[i] = l
		}
		return map[string]any{"labels": d.value(labels), "properties": d.value(x.Props)}
	case dbtype.Relationship:
		if id, ok := x.Props["id"].(string); ok {
			d.ids[id] = true
		}
		d.left -= 30
		return map[string]any{"type": d.value(x.Type), "properties": d.value(x.Props)}
	case dbtype.Path:
		nodes := make([]any, len(x.Nodes))
		for i, n := range x.Nodes {
			nodes[i] = d.value(n)
		}
		rels := make([]any, len(x.Relationships))
		for i, r := range x.Relationships {
			rels[i] = d.value(r)
		}
		d.left -= 30
		return map[string]any{"nodes": nodes, "relationships": rels}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			d.left -= len(k) + 4
			out[k] = d.value(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			d.left--
			if d.left < 0 {
				return nil
			}
			out[i] = d.value(e)
		}
		return out
	case string:
		d.left -= len(x) + 2
		return x
	case nil:
		d.left -= 4
		return nil
	case time.Time:
		d.left -= 32
		return x.Format(time.RFC3339Nano)
	case dbtype.Date:
		d.left -= 12
		return x.Time().Format(time.DateOnly)
	case dbtype.LocalDateTime, dbtype.LocalTime, dbtype.Time, dbtype.Duration, dbtype.Point2D, dbtype.Point3D:
		str := fmt.Sprint(x)
		d.left -= len(str) + 2
		return str
	case []byte:
		d.left -= len(x)*4/3 + 4
		return x
	}
	d.left -= 8 // numbers and booleans
	return v
}
