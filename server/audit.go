package server

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"kith/auth"
	"kith/cypher"
	"kith/telemetry"
)

// This file is the audit trail of sensitive reads. While a request runs, the @sensitive
// directive notes the people whose names, contacts, wellbeing or memberships it sends;
// after the response, one (:AuditEvent) record of who, when, which operations and which
// ids is written in the background, so reads do not wait for it. Writes are audited by
// the store in their own transaction.

// readLog collects what one request read that is sensitive.
type readLog struct {
	mu    sync.Mutex
	ids   map[string]struct{}
	kinds map[string]struct{}
	ops   []string
}

type readLogKey struct{}

func withReadLog(ctx context.Context) (context.Context, *readLog) {
	l := &readLog{ids: map[string]struct{}{}, kinds: map[string]struct{}{}}
	return context.WithValue(ctx, readLogKey{}, l), l
}

func readLogFrom(ctx context.Context) *readLog {
	l, _ := ctx.Value(readLogKey{}).(*readLog)
	return l
}

// note records that a sensitive field of the node id was sent.
func (l *readLog) note(id, kind string) {
	if l == nil || id == "" {
		return
	}
	l.mu.Lock()
	l.ids[id] = struct{}{}
	l.kinds[kind] = struct{}{}
	l.mu.Unlock()
}

// operation records a root field the request ran, e.g. "query people".
func (l *readLog) operation(op string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	if !slices.Contains(l.ops, op) {
		l.ops = append(l.ops, op)
	}
	l.mu.Unlock()
}

// Batching of background audit records: the auditor gathers what arrives within
// auditWindow of the first record, up to auditBatch records, and writes them in one
// statement. A crash loses at most that window's records from the database (the log
// still has who and what for records that fail to write).
const (
	auditWindow = 100 * time.Millisecond
	auditBatch  = 500
)

// auditor writes audit records in the background, in order, in batches.
type auditor struct {
	store *cypher.Store
	log   *slog.Logger
	tel   *telemetry.Telemetry
	queue chan auditJob
	done  chan struct{}
	once  sync.Once
}

func newAuditor(store *cypher.Store, log *slog.Logger, tel *telemetry.Telemetry) *auditor {
	a := &auditor{store: store, log: log, tel: tel, queue: make(chan auditJob, 1024), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *auditor) run() {
	defer close(a.done)
	for job := range a.queue {
		a.tel.AuditQueue(len(a.queue))
		if job.flushed != nil {
			close(job.flushed)
			continue
		}
		batch := []cypher.AuditEvent{job.ev}
		var marker chan struct{}
		timer := time.NewTimer(auditWindow)
	gather:
		for len(batch) < auditBatch {
			select {
			case next, open := <-a.queue:
				if !open {
					break gather
				}
				if next.flushed != nil {
					marker = next.flushed // written with this batch, then released
					break gather
				}
				batch = append(batch, next.ev)
				a.tel.AuditQueue(len(a.queue))
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		a.write(batch...)
		if marker != nil {
			close(marker)
		}
	}
}

// auditJob is a record to write, or (flushed set) a marker closed once everything
// queued before it is written.
type auditJob struct {
	ev      cypher.AuditEvent
	flushed chan struct{}
}

// flush waits until every record queued so far is written. Erasure calls it first, so
// that no record of an earlier read brings the erased id back.
func (a *auditor) flush() {
	done := make(chan struct{})
	a.queue <- auditJob{flushed: done}
	<-done
}

// auditAttempts is how many times a batch of audit records is tried, auditPause apart
// and more each time (1, 2, 4, 8 s...): a busy or restarting Neo4j does not lose them.
const (
	auditAttempts = 5
	auditPause    = time.Second
)

func (a *auditor) write(evs ...cypher.AuditEvent) {
	var err error
	for attempt := 0; attempt < auditAttempts; attempt++ {
		if attempt > 0 {
			time.Sleep(auditPause << (attempt - 1))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = a.store.RecordAudits(ctx, evs)
		cancel()
		if err == nil {
			return
		}
	}
	// The records are lost only from the database; the log keeps who and what.
	a.tel.AuditDropped(len(evs))
	for _, ev := range evs {
		a.log.Error("audit record not written", "request_id", ev.RequestID, "sub", ev.Subject,
			"operation", ev.Operation, "ids", len(ev.IDs), "error", err.Error())
	}
}

// submit queues a record; when the queue is full it writes it at once (the request that
// caused it waits rather than the record being dropped: back-pressure).
func (a *auditor) submit(ev cypher.AuditEvent) {
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	select {
	case a.queue <- auditJob{ev: ev}:
		a.tel.AuditQueue(len(a.queue))
	default:
		a.tel.AuditQueueFull()
		a.write(ev)
	}
}

// close writes what is queued and stops.
func (a *auditor) close() {
	a.once.Do(func() { close(a.queue) })
	<-a.done
}

// auditReads records the sensitive reads of a finished request.
func (s *Server) auditReads(ctx context.Context, p *auth.Principal, l *readLog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ids) == 0 {
		return
	}
	ids := make([]string, 0, len(l.ids))
	for id := range l.ids {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	kinds := make([]string, 0, len(l.kinds))
	for k := range l.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	s.audit.submit(cypher.AuditEvent{
		Subject: p.Subject, Roles: roleNames(p), Operation: strings.Join(l.ops, ", "), Kind: "read",
		IDs: ids, RequestID: RequestID(ctx), Detail: map[string]any{"fields": kinds}, Purges: seenPurges(ctx),
	})
}

func roleNames(p *auth.Principal) []string {
	out := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		out[i] = string(r)
	}
	return out
}

// recordReads gives the request a read log, which the directives fill with the personal
// data it reads, and writes the log to the audit trail when the request is answered.
func (s *Server) recordReads(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, reads := withReadLog(r.Context())
		next.ServeHTTP(w, r.WithContext(ctx))
		s.auditReads(ctx, principal(ctx), reads)
	})
}

// auditOperations names the operation of every root field for the audit trail: reads in
// the request's read log, writes in the store's Actor; for a root field whose whole answer
// is about one person (aboutPerson), it notes that person's id.
func (s *Server) auditOperations(schema *ast.Schema) graphql.FieldMiddleware {
	root := rootFields(schema)
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		kind, ok := root(fc)
		if !ok {
			return next(ctx)
		}
		p := principal(ctx)
		op := kind + " " + fc.Field.Name
		readLogFrom(ctx).operation(op)
		if kind == "mutation" {
			ctx = cypher.WithActor(ctx, cypher.Actor{Subject: p.Subject, Roles: roleNames(p), Operation: op, RequestID: RequestID(ctx)})
		}
		arg, about := aboutPerson[fc.Field.Name]
		if !about {
			return next(ctx)
		}
		res, err := next(ctx)
		id, _ := fc.Args[arg].(string)
		if ptr, ok := fc.Args[arg].(*string); ok && ptr != nil {
			id = *ptr
		}
		if err == nil && id != "" {
			readLogFrom(ctx).note(id, fc.Field.Name)
		}
		return res, err
	}
}

// aboutPerson names the root fields whose whole answer is about one person, named by the
// argument given, and may go to a role that sees nothing else of them (a partner app): the
// audit trail records that person's id for every answer, whoever asked.
var aboutPerson = map[string]string{"suggestions": "person", "whoCouldHelp": "person", "whoCouldBeHelpedBy": "person",
	"volunteeringFor": "person"}
