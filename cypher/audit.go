package cypher

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/nodeid"
)

// The audit trail: (:AuditEvent) nodes saying who (the token's sub), when, which
// operation, and which ids it touched. Writes record theirs in their own write
// transaction, so a write and its record commit together or not at all; sensitive reads
// are recorded by the API layer through RecordAudit, after the response. An AuditEvent
// never holds query text, values or names. AuditEvent is not in the closed table, so no
// GraphQL query reads it, and it carries no Entity label.

// AuditLabel is the label of audit records.
const AuditLabel = "AuditEvent"

// MaxAuditIDs is the most ids one audit record lists; the rest are counted.
const MaxAuditIDs = 1000

// Actor is who is acting in a request and through which operation, for the audit trail.
type Actor struct {
	// Subject is the token's sub claim.
	Subject string
	// Roles are the caller's roles.
	Roles []string
	// Operation names what is done, e.g. "mutation createPeople".
	Operation string
	// RequestID ties the record to the server log.
	RequestID string
}

type actorKey struct{}

// WithActor returns a context whose writes are audited as done by the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, if one was set.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// AuditEvent is one record of the audit trail.
type AuditEvent struct {
	ID        string
	At        time.Time
	Subject   string
	Roles     []string
	Operation string
	// Kind is "write", "read" (a sensitive read), "cypher" (the read-only Cypher
	// endpoint), "erasure" or "feed" (a calendar feed read by its token).
	Kind      string
	IDs       []string
	RequestID string
	// Detail holds counts or a fingerprint, never values.
	Detail map[string]any
	// Purges, when set, is the purge generation (Caller.Purges) the request saw before it
	// read. If an erasure has moved it on by the time the record is written, the ids that
	// no longer name a node are left out: a read through one instance, recorded after an
	// erasure through another, never brings an erased id back.
	Purges *int64
}

func newAuditID() string {
	// Same shape as node ids, with a prefix of its own; not a node of the closed table.
	return "aud_" + nodeid.New("Tie")[len("tie_"):]
}

// auditParams turns an event into the properties stored; each id is listed once.
func auditParams(ev AuditEvent) map[string]any {
	ids := make([]string, 0, len(ev.IDs))
	seen := make(map[string]bool, len(ev.IDs))
	for _, id := range ev.IDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	dropped := 0
	if len(ids) > MaxAuditIDs {
		dropped = len(ids) - MaxAuditIDs
		ids = ids[:MaxAuditIDs]
	}
	if ev.ID == "" {
		ev.ID = newAuditID()
	}
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	roles := ev.Roles
	if roles == nil {
		roles = []string{}
	}
	props := map[string]any{
		"id": ev.ID, "at": ev.At, "sub": ev.Subject, "roles": roles, "operation": ev.Operation,
		"kind": ev.Kind, "ids": ids, "idsNotListed": int64(dropped), "requestId": ev.RequestID,
	}
	for k, v := range ev.Detail {
		if _, taken := props[k]; !taken {
			props[k] = v
		}
	}
	return props
}

const createAudit = "CREATE (e:" + AuditLabel + ") SET e = $props"

// auditWrite records, inside the write transaction tx, that the actor of ctx wrote ids.
// Without an actor (the command line's seed and load) nothing is recorded.
func (s *Store) auditWrite(ctx context.Context, tx neo4j.ManagedTransaction, ids []string, detail map[string]any) error {
	props, ok := auditProps(ctx, ids, detail)
	if !ok {
		return nil
	}
	_, err := s.run(ctx, tx, createAudit, map[string]any{"props": props})
	return err
}

// auditProps returns the stored properties of the audit record of a write of ids by the
// actor of ctx, and false when there is no actor.
func auditProps(ctx context.Context, ids []string, detail map[string]any) (map[string]any, bool) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return nil, false
	}
	return auditParams(AuditEvent{Subject: a.Subject, Roles: a.Roles, Operation: a.Operation, Kind: "write", IDs: ids,
		RequestID: a.RequestID, Detail: detail}), true
}

// RecordAudit writes one audit record in its own write transaction (sensitive reads, the
// Cypher endpoint).
func (s *Store) RecordAudit(ctx context.Context, ev AuditEvent) error {
	return s.RecordAudits(ctx, []AuditEvent{ev})
}

// RecordAudits writes audit records in one write transaction and one statement, so that a
// busy server pays one round trip for many reads' records.
func (s *Store) RecordAudits(ctx context.Context, evs []AuditEvent) error {
	if len(evs) == 0 {
		return nil
	}
	rows := make([]any, len(evs))
	for i, ev := range evs {
		var purges any
		if ev.Purges != nil {
			purges = *ev.Purges
		}
		rows[i] = map[string]any{"props": auditParams(ev), "purges": purges}
	}
	_, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		_, err := s.run(ctx, tx, `OPTIONAL MATCH (st:KithState {id: $state})
WITH coalesce(st.generation, 0) AS generation
UNWIND $rows AS row
CREATE (e:`+AuditLabel+`) SET e = row.props
WITH e, row WHERE row.purges IS NOT NULL AND row.purges <> generation
SET e.ids = [x IN e.ids WHERE EXISTS { MATCH (:Entity {id: x}) }]`, map[string]any{"rows": rows, "state": stateID})
		return nil, err
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditEvents returns the most recent audit records, newest first, at most limit, for
// administrators and tests.
func (s *Store) AuditEvents(ctx context.Context, limit int) ([]AuditEvent, error) {
	recs, err := s.query(ctx, "MATCH (e:"+AuditLabel+") RETURN e ORDER BY e.at DESC, e.id LIMIT $n", map[string]any{"n": int64(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]AuditEvent, 0, len(recs))
	for _, r := range recs {
		n := r.Values[0].(neo4j.Node)
		p := n.Props
		ev := AuditEvent{Detail: map[string]any{}}
		ev.ID, _ = p["id"].(string)
		ev.At, _ = p["at"].(time.Time)
		ev.Subject, _ = p["sub"].(string)
		ev.Operation, _ = p["operation"].(string)
		ev.Kind, _ = p["kind"].(string)
		ev.RequestID, _ = p["requestId"].(string)
		ev.Roles = stringsOf(p["roles"])
		ev.IDs = stringsOf(p["ids"])
		for k, v := range p {
			switch k {
			case "id", "at", "sub", "operation", "kind", "requestId", "roles", "ids":
			default:
				ev.Detail[k] = v
			}
		}
		out = append(out, ev)
	}
	return out, nil
}
