package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"kith/analysisservice"
	"kith/apierr"
	"kith/auth"
	"kith/cypher"
)

// This file is what lets several Kith instances serve one database behind a load
// balancer (docs/instances.md): the Kith-Bookmark header that carries causality from one
// instance to another, the per-request check of token revocations, and the local caches
// that an erasure through any instance empties.

// BookmarkHeader is the header of a response that holds the request's Neo4j bookmarks,
// and of a request whose reads must wait for them (on whichever instance it reaches).
const BookmarkHeader = "Kith-Bookmark"

// Bounds on the Kith-Bookmark header: Neo4j gives one bookmark per database, of about
// 60 bytes; a handful of them fits many times over.
const (
	maxBookmarkHeader = 4096
	maxBookmarks      = 16
)

// BookmarkKey derives the key that signs Kith-Bookmark headers from a secret every
// instance shares (kith serve uses KITH_PSEUDONYM_KEY), so that any instance accepts the
// bookmarks of the others.
func BookmarkKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("kith bookmark header"))
	return m.Sum(nil)
}

// randomBookmarkKey is the key of a server configured without one: its bookmarks are
// good on itself only.
func randomBookmarkKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// bookmarks signs and checks Kith-Bookmark headers. A header is the bookmarks as a JSON
// list in base64url, a dot, and their HMAC-SHA256 in base64url: a client can carry it
// but not forge one, so a request can never make Neo4j wait for a transaction that does
// not exist (which would hold the request until its deadline).
type bookmarks struct{ key []byte }

var b64 = base64.RawURLEncoding

// encode returns the header value for bs, or "" when there are none.
func (k bookmarks) encode(bs []string) string {
	if len(bs) == 0 {
		return ""
	}
	payload, _ := json.Marshal(bs)
	body := b64.EncodeToString(payload)
	return body + "." + b64.EncodeToString(k.sign(body))
}

func (k bookmarks) sign(body string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// decode checks a header value and returns its bookmarks. A refusal is BAD_USER_INPUT
// naming the header.
func (k bookmarks) decode(v string) ([]string, error) {
	bad := func(why string) error { return apierr.BadUserInput(BookmarkHeader, "%s", why) }
	if len(v) > maxBookmarkHeader {
		return nil, bad("is longer than 4096 bytes")
	}
	body, sig, ok := strings.Cut(v, ".")
	if !ok {
		return nil, bad("is not a bookmark Kith gave: send back the Kith-Bookmark of an earlier response")
	}
	mac, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, k.sign(body)) {
		return nil, bad("is not a bookmark Kith gave (its signature does not match): send back the Kith-Bookmark of an earlier response")
	}
	payload, err := b64.DecodeString(body)
	var bs []string
	if err == nil {
		err = json.Unmarshal(payload, &bs)
	}
	if err != nil || len(bs) == 0 || len(bs) > maxBookmarks {
		return nil, bad("holds no bookmarks Kith can use")
	}
	return bs, nil
}

// caches are the server's local caches of what it read: parsed queries, persisted
// queries (whose text can quote a name) and analyses. An erasure through any instance
// empties them on every instance: it moves the purge generation in Neo4j on, and each
// request compares it with the one the caches were last emptied at.
type caches struct {
	queries   *cache[*ast.QueryDocument]
	persisted *cache[string]
	analyses  *analysisservice.Service
	// seen is the purge generation the caches were last emptied at.
	seen atomic.Int64
}

// purge empties every cache.
func (c *caches) purge() {
	c.queries.Purge()
	c.persisted.Purge()
	c.analyses.Purge()
}

// observe empties the caches when the purge generation is not the one last seen.
func (c *caches) observe(generation int64) {
	if c.seen.Swap(generation) != generation {
		c.purge()
	}
}

// callerState is this instance's copy of what every request is checked against: the
// revocations and the purge generation. One goroutine polls them from Neo4j every
// Config.StatePoll (one small statement, whatever the traffic), so that checking a request
// costs no statement of its own; a revocation or an erasure through any instance takes
// effect on the others within the poll interval, and at once on the instance that made it.
// When polls have failed for longer than staleAfter, requests are refused: the check
// fails closed.
type callerState struct {
	store      *cypher.Store
	every      time.Duration
	staleAfter time.Duration
	log        *slog.Logger

	mu      sync.Mutex
	purges  int64
	revoked map[string]time.Time // subject -> tokens issued before it are refused
	since   time.Time            // the latest revocation change read
	polled  time.Time            // the last successful poll

	stop, done chan struct{}
	closing    sync.Once
}

func newCallerState(store *cypher.Store, every time.Duration, log *slog.Logger) *callerState {
	if every <= 0 {
		every = 100 * time.Millisecond
	}
	c := &callerState{store: store, every: every, staleAfter: max(time.Second, 10*every), log: log,
		revoked: map[string]time.Time{}, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *callerState) run() {
	defer close(c.done)
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		if err := c.poll(context.Background()); err != nil {
			c.log.Warn("caller state poll", "error", err.Error())
		}
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
	}
}

// poll reads the purge generation and the revocations changed since the last poll.
func (c *callerState) poll(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.staleAfter)
	defer cancel()
	c.mu.Lock()
	since := c.since
	c.mu.Unlock()
	purges, revs, err := c.store.CallerState(ctx, since)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purges, c.polled = purges, time.Now()
	for _, r := range revs {
		c.revoked[r.Subject] = r.Before
		if r.UpdatedAt.After(c.since) {
			c.since = r.UpdatedAt
		}
	}
	return nil
}

// check says whether a token of subject issued at issuedAt (zero: no issue time) is
// revoked, and the purge generation, as of the last poll; stale when that poll is too old
// to trust.
func (c *callerState) check(subject string, issuedAt time.Time) (revoked bool, purges int64, stale bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	before, ok := c.revoked[subject]
	revoked = ok && (issuedAt.IsZero() || before.After(issuedAt))
	return revoked, c.purges, time.Since(c.polled) > c.staleAfter
}

// pollNow polls at once, so that a revocation made through this instance holds here
// from the next request.
func (c *callerState) pollNow() {
	if err := c.poll(context.Background()); err != nil {
		c.log.Warn("caller state poll", "error", err.Error())
	}
}

func (c *callerState) close() {
	c.closing.Do(func() { close(c.stop) })
	<-c.done
}

// admit runs after a token is verified: it reads the request's Kith-Bookmark header into
// the context (store calls then wait for it and record their own bookmarks), checks the
// token against revocations and empties the caches when an erasure anywhere requires it.
// A request that carries a bookmark is checked in Neo4j, in one statement that waits for
// the bookmark, so that what the client has seen happen (a revocation, an erasure) holds
// for it on any instance; others are checked against the polled callerState. It answers
// the refusal itself and returns false when the request must not go on; on success it
// returns the response writer that adds the request's bookmarks as a header.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, p *auth.Principal) (context.Context, http.ResponseWriter, bool) {
	ctx := r.Context()
	var initial []string
	if v := r.Header.Get(BookmarkHeader); v != "" {
		bs, err := s.bookmarks.decode(v)
		if err != nil {
			e, _ := apierr.As(err)
			writeError(w, http.StatusBadRequest, e)
			return nil, nil, false
		}
		initial = bs
	}
	ctx, causal := cypher.WithCausality(ctx, initial)
	revoked, purges, stale := s.state.check(p.Subject, p.IssuedAt)
	if initial != nil || stale {
		caller, err := s.stateStore.CheckCaller(ctx, p.Subject, p.IssuedAt)
		if err != nil {
			e, ok := apierr.As(err)
			if ok && e.Code == apierr.CodeBadUserInput { // the only input of the check is the bookmark
				writeError(w, http.StatusBadRequest, &apierr.Error{Code: e.Code, Field: BookmarkHeader, Reason: e.Reason, Err: e.Err})
				return nil, nil, false
			}
			if !ok {
				s.log.ErrorContext(ctx, "caller check", "request_id", RequestID(ctx), "error", err.Error())
				e = apierr.Unavailable("cannot check the token against revocations; try again", err)
			}
			writeError(w, http.StatusServiceUnavailable, e)
			return nil, nil, false
		}
		revoked, purges = caller.Revoked, caller.Purges
	}
	s.caches.observe(purges)
	ctx = context.WithValue(ctx, purgesKey{}, purges)
	if revoked {
		s.log.InfoContext(ctx, "unauthenticated", "request_id", RequestID(ctx), "path", r.URL.Path, "reason", "revoked")
		w.Header().Set("WWW-Authenticate", `Bearer realm="kith", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, apierr.Unauthenticated("the token has been revoked", nil))
		return nil, nil, false
	}
	return ctx, &bookmarkWriter{ResponseWriter: w, ctx: ctx, causal: causal, codec: s.bookmarks}, true
}

type purgesKey struct{}

// seenPurges returns the purge generation the request of ctx saw when it was admitted,
// for its audit record of reads (cypher.AuditEvent.Purges).
func seenPurges(ctx context.Context) *int64 {
	if g, ok := ctx.Value(purgesKey{}).(int64); ok {
		return &g
	}
	return nil
}

// bookmarkWriter adds the request's bookmarks as the Kith-Bookmark header when the
// response starts, after the GraphQL executor (or /cypher) has run every statement.
type bookmarkWriter struct {
	http.ResponseWriter
	ctx     context.Context
	causal  *cypher.Causality
	codec   bookmarks
	started bool
}

func (w *bookmarkWriter) start() {
	if w.started {
		return
	}
	w.started = true
	if v := w.codec.encode(w.causal.Bookmarks(w.ctx)); v != "" {
		w.Header().Set(BookmarkHeader, v)
	}
}

func (w *bookmarkWriter) WriteHeader(code int) {
	w.start()
	w.ResponseWriter.WriteHeader(code)
}

func (w *bookmarkWriter) Write(b []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *bookmarkWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on, so streaming transports keep working.
func (w *bookmarkWriter) Flush() {
	w.start()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// checkRevocations lets a request through only when its token is not revoked (admit),
// adding the request's bookmarks to the response.
func (s *Server) checkRevocations(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, w, ok := s.admit(w, r, principal(r.Context()))
		if !ok {
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
