package cypher

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// This file is what several Kith instances over one database share through it, since
// they share nothing else: causal consistency (bookmarks), token revocations, and the
// purge generation that tells every instance to empty its caches after an erasure.

// Causality is the bookmarks of one request: every transaction the store runs for the
// request starts after the ones it holds, and adds its own when it ends. A read after a
// write in the same request therefore sees the write even when a Neo4j cluster routes the
// read to another member, and a client that carries the request's bookmarks to another
// Kith instance (server: the Kith-Bookmark header) has its reads there wait for them.
type Causality struct{ bm neo4j.BookmarkManager }

type causalityKey struct{}

// WithCausality returns a context whose store calls wait for the given bookmarks (from
// an earlier request; none for a fresh start) and record their own in the Causality
// returned.
func WithCausality(ctx context.Context, bookmarks []string) (context.Context, *Causality) {
	c := &Causality{bm: neo4j.NewBookmarkManager(neo4j.BookmarkManagerConfig{InitialBookmarks: bookmarks})}
	return context.WithValue(ctx, causalityKey{}, c), c
}

// Bookmarks returns the bookmarks the request holds now: those it started with and those
// of the transactions it ran (Neo4j replaces older ones by newer).
func (c *Causality) Bookmarks(ctx context.Context) []string {
	b, err := c.bm.GetBookmarks(ctx)
	if err != nil { // the driver's own manager never fails
		return nil
	}
	return b
}

// bookmarkManager returns the bookmark manager of ctx's request, nil outside one.
func bookmarkManager(ctx context.Context) neo4j.BookmarkManager {
	if c, ok := ctx.Value(causalityKey{}).(*Causality); ok {
		return c.bm
	}
	return nil
}

// Caller is what the database says about the caller of a request, read once per request:
// whether their token is revoked, and the purge generation.
type Caller struct {
	// Revoked is true when the token's subject has a revocation later than the token's
	// issue time (or the token has no issue time).
	Revoked bool
	// Purges is the purge generation: it changes whenever a person is erased, through any
	// instance, and then every instance empties its caches.
	Purges int64
}

// stateID is the id of the KithState node that holds the purge generation.
const stateID = "purges"

// CheckCaller reads, in one statement, whether tokens of subject issued at issuedAt (zero
// when the token has none) are revoked, and the purge generation.
func (s *Store) CheckCaller(ctx context.Context, subject string, issuedAt time.Time) (Caller, error) {
	var iat any
	if !issuedAt.IsZero() {
		iat = issuedAt.UTC()
	}
	recs, err := s.query(ctx, `OPTIONAL MATCH (st:KithState {id: $state})
OPTIONAL MATCH (r:KithRevocation {subject: $subject})
RETURN coalesce(st.generation, 0), r IS NOT NULL AND ($iat IS NULL OR r.before > $iat)`,
		map[string]any{"state": stateID, "subject": subject, "iat": iat})
	if err != nil {
		return Caller{}, err
	}
	if len(recs) != 1 {
		return Caller{}, nil
	}
	gen, _ := recs[0].Values[0].(int64)
	revoked, _ := recs[0].Values[1].(bool)
	return Caller{Revoked: revoked, Purges: gen}, nil
}

// Revocation is a subject's revocation: tokens issued before Before are refused.
type Revocation struct {
	Subject           string
	Before, UpdatedAt time.Time
}

// CallerState reads, in one statement, the purge generation and the revocations changed
// at or after since (all of them for the zero time; the last one read comes again, so that
// one committed in the same instant is not missed): what every instance polls (server's
// callerState), so that a request costs no statement of its own to be checked.
func (s *Store) CallerState(ctx context.Context, since time.Time) (purges int64, revs []Revocation, err error) {
	recs, err := s.query(ctx, `OPTIONAL MATCH (st:KithState {id: $state})
RETURN coalesce(st.generation, 0), COLLECT {
  MATCH (r:KithRevocation) WHERE r.updatedAt >= $since RETURN [r.subject, r.before, r.updatedAt]
}`, map[string]any{"state": stateID, "since": since.UTC()})
	if err != nil || len(recs) != 1 {
		return 0, nil, err
	}
	purges, _ = recs[0].Values[0].(int64)
	for _, v := range recs[0].Values[1].([]any) {
		row := v.([]any)
		sub, _ := row[0].(string)
		before, _ := row[1].(time.Time)
		at, _ := row[2].(time.Time)
		revs = append(revs, Revocation{Subject: sub, Before: before, UpdatedAt: at})
	}
	return purges, revs, nil
}

// maxRevocationAhead is how far in the future a revocation may reach: far enough to bar
// a subject for the life of any token, near enough to catch a mistyped year.
const maxRevocationAhead = 366 * 24 * time.Hour

// RevokeTokens revokes every token of subject issued before before (and every one that
// carries no issue time), on every instance from its next request. A subject's
// revocation only moves forward: an earlier before than the one stored changes nothing.
// It returns the revocation in force and records itself in the audit trail.
func (s *Store) RevokeTokens(ctx context.Context, subject string, before time.Time) (time.Time, error) {
	switch {
	case subject == "":
		return time.Time{}, apierr.BadUserInput("subject", "must not be empty")
	case len(subject) > 256:
		return time.Time{}, apierr.BadUserInput("subject", "is longer than 256 bytes")
	case before.Year() < 2000:
		return time.Time{}, apierr.BadUserInput("before", "is before the year 2000")
	case before.After(time.Now().Add(maxRevocationAhead)):
		return time.Time{}, apierr.BadUserInput("before", "is more than a year ahead")
	}
	res, err := s.write(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		recs, err := s.run(ctx, tx, `MERGE (r:KithRevocation {subject: $subject})
SET r.before = CASE WHEN r.before IS NULL OR r.before < $before THEN $before ELSE r.before END,
    r.updatedAt = datetime()
RETURN r.before`, map[string]any{"subject": subject, "before": before.UTC()})
		if err != nil {
			return nil, err
		}
		ev := AuditEvent{Kind: "revocation", Detail: map[string]any{"revokedSubject": subject}}
		if a, ok := ActorFrom(ctx); ok {
			ev.Subject, ev.Roles, ev.Operation, ev.RequestID = a.Subject, a.Roles, a.Operation, a.RequestID
		}
		if _, err := s.run(ctx, tx, createAudit, map[string]any{"props": auditParams(ev)}); err != nil {
			return nil, err
		}
		return recs[0].Values[0], nil
	})
	if err != nil {
		return time.Time{}, err
	}
	t, _ := res.(time.Time)
	return t, nil
}

// advancePurges moves the purge generation on, in the transaction of an erasure, so that
// every instance empties its caches at its next request.
func (s *Store) advancePurges(ctx context.Context, tx neo4j.ManagedTransaction) error {
	_, err := s.run(ctx, tx, `MERGE (st:KithState {id: $state})
SET st.generation = coalesce(st.generation, 0) + 1`, map[string]any{"state": stateID})
	return err
}
