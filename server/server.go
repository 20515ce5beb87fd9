// Package server is Kith's HTTP front: the GraphQL endpoint (GraphQL over HTTP, GET and
// POST), GraphiQL, health checks, and the middleware every request passes through:
// request id, metrics and a trace span, panic recovery, body size limit, deadline and an
// access log that holds no personal data.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"kith/auth"
	"kith/cypher"
	"kith/dp"
	"kith/graph"
	"kith/paging"
	"kith/pseudonym"
	"kith/resolvers"
	"kith/survey"
	"kith/telemetry"
)

// Config configures the HTTP server.
type Config struct {
	// Addr is the listen address, e.g. 127.0.0.1:8080 (used by the command that listens).
	Addr string
	// RequestTimeout is each request's deadline; it reaches Neo4j as the transaction timeout.
	RequestTimeout time.Duration
	// MaxBodyBytes caps a request body.
	MaxBodyBytes int64
	// MaxUploadBytes caps the file a survey import uploads (upload.go); ImportTimeout is
	// the deadline of such a request.
	MaxUploadBytes int64
	ImportTimeout  time.Duration
	// Introspection allows schema introspection to every caller (development); without it
	// only administrators may introspect.
	Introspection bool
	// Verifier checks bearer tokens; without one every request but the health checks is
	// refused.
	Verifier *auth.Verifier
	// MaxDepth is the deepest an operation may nest fields.
	MaxDepth int
	// MaxComplexity is the largest cost an operation may have; a list field costs its
	// items (first, last, or the default page) times the cost of one.
	MaxComplexity int
	// RateLimit is how many requests a second one token may make after its first
	// RateBurst; 0 turns the limit off.
	RateLimit float64
	RateBurst int
	// TrustedProxies are the addresses of the proxies in front of Kith
	// (KITH_TRUSTED_PROXIES): a request from one of them is held to the anonymous rate limit
	// by the address its X-Forwarded-For names, not the proxy's (ratelimit.go).
	TrustedProxies []netip.Prefix
	// MinGroup is the smallest group whose wellbeing an analyst may see as an aggregate.
	MinGroup int
	// Epsilon is the privacy loss (ε) of one of an analyst's wellbeing summaries, and
	// PrivacyBudget what one analyst may spend in each PrivacyPeriod (0: one budget that
	// never renews); see docs/aggregates.md and CheckPrivacy.
	Epsilon, PrivacyBudget float64
	PrivacyPeriod          time.Duration
	// Noise is the randomness of analysts' wellbeing summaries; nil, crypto/rand.Reader, but
	// in tests.
	Noise io.Reader
	// Cypher configures the read-only Cypher endpoint.
	Cypher CypherConfig
	// ResearchStore, when set, is the store of the research copy (KITH_RESEARCH_URI): a
	// database of its own, which researchers' and analysts' Cypher reads and
	// refreshResearchCopy fills. Without it, they are told none is configured.
	ResearchStore *cypher.Store
	// AuditStore, when set, is the store the server's own bookkeeping goes through: the
	// audit records of reads, and each request's check of revocations and erasures (its
	// own driver, e.g. so that tests counting round trips do not count them). It must
	// reach the same database: erasure removes ids from the records there.
	AuditStore *cypher.Store
	// Bounds limit an operation's document before it is parsed and validated (bounds.go).
	Bounds Bounds
	// MaxStatementsPerRequest and MaxStatementsPerToken bound the Neo4j statements one
	// request, and one token over all its requests, may run at once; more wait their turn
	// within the request's deadline (fairuse.go).
	MaxStatementsPerRequest int
	MaxStatementsPerToken   int
	// Pseudonyms turn live ids into the ids analysts and researchers see, and back. Every
	// instance serving the same data needs the same key (KITH_PSEUDONYM_KEY).
	Pseudonyms *pseudonym.Keys
	// StatePoll is how often the instance reads revocations and the purge generation
	// (default 100ms): how long a revocation or an erasure through another instance may
	// take to reach this one.
	StatePoll time.Duration
	// BookmarkKey signs the Kith-Bookmark headers; every instance serving the same data
	// needs the same one to accept the others' (kith serve derives it from
	// KITH_PSEUDONYM_KEY with BookmarkKey). Without one, a random key is used.
	BookmarkKey []byte
	// Telemetry records metrics and traces (telemetry.go); nil records nothing. The store
	// reports its statements to the Telemetry it was made with (cypher.Options).
	Telemetry *telemetry.Telemetry
	// Matcher resolves the people a survey import names (kith serve builds the identity
	// package's record-linkage model from KITH_MATCH_LINK and KITH_MATCH_QUEUE; nil: the
	// importer's exact-name stand-in, for tests of the importer alone).
	Matcher survey.Matcher
	// DevTokens are the ready tokens of a server running on a random development secret,
	// one per role; /dev/tokens hands them to loopback callers (devlogin.go). Nil in
	// production, where /dev/tokens does not exist.
	DevTokens []DevToken
	// Parts are the resolvers, analysis service, research copy and caches the server runs
	// over (compose.go): kith serve builds them with Compose; nil, New composes them.
	Parts *Parts
	// ExportTimeout is the deadline of GET /export (KITH_EXPORT_TIMEOUT), instead of
	// RequestTimeout.
	ExportTimeout time.Duration
	// CORSOrigins are the browser origins allowed to call the API from other pages
	// (KITH_CORS_ORIGINS; cors.go); none: no CORS headers.
	CORSOrigins []string
	// OIDC, when set, lets the GraphiQL page sign in with an OpenID Connect provider
	// (KITH_OIDC_*; graphiql.go).
	OIDC *OIDCConfig
	// LivePoll is how often a subscription re-reads Neo4j (KITH_LIVE_POLL; live.go), and
	// LiveMaxPerToken how many subscriptions one token may hold at once on an instance
	// (KITH_LIVE_MAX_PER_TOKEN; 0: no limit).
	LivePoll        time.Duration
	LiveMaxPerToken int
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Addr: "127.0.0.1:8080", RequestTimeout: 10 * time.Second, MaxBodyBytes: 1 << 20,
		MaxUploadBytes: survey.DefaultLimits().MaxUploadBytes, ImportTimeout: 5 * time.Minute,
		MaxDepth: 12, MaxComplexity: 500_000, RateLimit: 50, RateBurst: 100, MinGroup: 5,
		MaxStatementsPerRequest: 2, MaxStatementsPerToken: 2, Bounds: DefaultBounds(), StatePoll: 100 * time.Millisecond,
		Epsilon: 1, PrivacyBudget: 10, PrivacyPeriod: 30 * 24 * time.Hour, ExportTimeout: 2 * time.Minute,
		Cypher:     CypherConfig{Timeout: 5 * time.Second, MaxRows: 1000, MaxBytes: 4 << 20},
		Pseudonyms: pseudonym.Random(), LivePoll: time.Second, LiveMaxPerToken: 5,
	}
}

// privacy returns how the resolvers protect analysts' wellbeing aggregates.
func (c Config) privacy() resolvers.Privacy {
	return resolvers.Privacy{Epsilon: dp.Micro(c.Epsilon), Noise: c.Noise,
		Budget: dp.Budget{Limit: dp.Micro(c.PrivacyBudget), Period: c.PrivacyPeriod}}
}

// CheckPrivacy validates the privacy settings: ε per summary at least 0.000001, a budget
// that holds at least one summary, a period not negative. A server with settings that fail
// it answers analysts' wellbeing summaries with INTERNAL, never without noise.
func (c Config) CheckPrivacy() error {
	for _, v := range []float64{c.Epsilon, c.PrivacyBudget} {
		if math.IsNaN(v) || v <= 0 || v > 1e6 {
			return fmt.Errorf("privacy: ε per summary and the budget must be numbers above 0 and at most 1,000,000")
		}
	}
	p := c.privacy()
	return p.Budget.Check(p.Epsilon)
}

// Server serves Kith's API.
type Server struct {
	cfg     Config
	store   *cypher.Store
	log     *slog.Logger
	http    *http.Server
	limiter *limiter
	gates   *tokenGates
	audit   *auditor
	// stateStore runs the check of revocations and erasures (instances.go), polled by
	// state, and per request for requests that carry a bookmark.
	stateStore *cypher.Store
	state      *callerState
	bookmarks  bookmarks
	caches     *caches
	// research is the research copy, nil when none is configured.
	research *cypher.ResearchCopy
	resolver *resolvers.Resolver
}

// New returns a Server over a store.
func New(cfg Config, store *cypher.Store, log *slog.Logger) *Server {
	if cfg.Pseudonyms == nil {
		cfg.Pseudonyms = pseudonym.Random()
	}
	s := &Server{cfg: cfg, store: store, log: log, limiter: newLimiter(cfg.RateLimit, cfg.RateBurst, nil),
		gates: newTokenGates(cfg.MaxStatementsPerToken)}
	auditStore := cfg.AuditStore
	if auditStore == nil {
		auditStore = store
	}
	s.audit = newAuditor(auditStore, log, cfg.Telemetry)
	s.stateStore = auditStore
	s.state = newCallerState(auditStore, cfg.StatePoll, log)
	key := cfg.BookmarkKey
	if len(key) == 0 {
		key = randomBookmarkKey()
	}
	s.bookmarks = bookmarks{key: key}
	parts := cfg.Parts
	if parts == nil {
		parts = Compose(cfg, store)
	}
	s.caches, s.research, s.resolver = parts.caches, parts.Research, parts.Resolver
	s.resolver.BeforeErase, s.resolver.AfterErase, s.resolver.AfterRevoke = s.audit.flush, s.caches.purge, s.state.pollNow
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	return s
}

// GraphQL returns the GraphQL handler alone: no HTTP middleware, so no authentication;
// Handler puts it behind both. It enforces the schema's @auth and @sensitive rules, the
// introspection rule and the depth and cost limits, and gives each caller the ids of their
// role (idCodec).
func (s *Server) GraphQL() http.Handler {
	cfg := graph.Config{Resolvers: s.resolver}
	cfg.Directives.Auth = authDirective
	cfg.Directives.Sensitive = sensitiveDirective
	es := costed{ExecutableSchema: graph.NewExecutableSchema(cfg), defaultPage: paging.DefaultSize}
	h := handler.New(es)
	h.AddTransport(transport.Options{})
	h.AddTransport(transport.GET{})
	h.AddTransport(transport.POST{})
	h.AddTransport(s.uploadTransport())
	h.AddTransport(s.liveTransport())
	h.SetQueryCache(s.caches.queries)
	h.Use(observeOperations{tel: s.cfg.Telemetry}) // first: outermost
	h.Use(operationBounds{bounds: s.cfg.Bounds, parsed: s.caches.queries})
	gate := introspectionGate{always: s.cfg.Introspection}
	h.Use(gate)
	h.Use(depthLimit{max: s.cfg.MaxDepth})
	h.Use(extension.FixedComplexityLimit(s.cfg.MaxComplexity))
	h.Use(extension.AutomaticPersistedQuery{Cache: s.caches.persisted})
	h.Use(newLiveLimit(s.cfg.LiveMaxPerToken))
	present := presentError(s.log, gate)
	h.Use(batchTransaction{store: s.store, present: present, log: s.log})
	h.AroundFields(s.authorise(es.Schema()))
	h.AroundFields(s.auditOperations(es.Schema()))
	h.SetErrorPresenter(present)
	h.SetRecoverFunc(recoverPanic(s.log))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := pseudonym.NewContext(r.Context(), s.idCodec(principal(r.Context())))
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Handler returns the full HTTP handler: routes and middleware.
func (s *Server) Handler() http.Handler {
	gql := s.GraphQL()
	ide := s.graphiqlPage()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.store.Ping(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("neo4j unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	authed := s.edge(requireUTF8(specHTTP(gql)))
	socket := s.liveSocket(gql)
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		if wantsPage(r) {
			// GraphiQL's page holds no data (graphiql.go); every query it sends needs a token.
			ide.ServeHTTP(w, r)
			return
		}
		if isWebsocket(r) {
			socket.ServeHTTP(w, r) // authenticated by connection_init (live.go)
			return
		}
		authed.ServeHTTP(w, r)
	})
	s.devLoginRoutes(mux)
	s.graphiqlRoutes(mux)
	s.mapRoutes(mux)
	mux.Handle("POST /cypher", s.edge(requireUTF8(http.HandlerFunc(s.serveCypher))))
	s.exportRoutes(mux)
	s.feedRoutes(mux)
	s.openReferralRoutes(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/graphql", http.StatusFound)
	})
	return s.middleware(s.cors(mux))
}

// edge is the middleware of every route that needs a token, one concern each, in order:
// authenticate (auth.go), rateLimit (ratelimit.go), checkRevocations (instances.go),
// recordReads (audit.go), fairUse (fairuse.go).
func (s *Server) edge(h http.Handler) http.Handler {
	return s.authenticate(s.rateLimit(s.checkRevocations(s.recordReads(s.fairUse(h)))))
}

// Serve serves on ln until ctx is done, then shuts down gracefully, letting requests in
// flight finish within their deadline.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.log.Info("serving", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout+5*time.Second)
	defer cancel()
	if err := s.http.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.Close()
	return nil
}

// ResearchCopy returns the research copy, nil when none is configured.
func (s *Server) ResearchCopy() *cypher.ResearchCopy { return s.research }

// Close writes the audit records still queued. Serve calls it on shutdown; a server
// used only through Handler (tests) should call it when done.
func (s *Server) Close() {
	s.audit.close()
	s.state.close()
}

type ctxKey int

const requestIDKey ctxKey = 0

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusWriter records the status and size of a response for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// middleware wraps every request: request id, metrics and a trace span (package
// telemetry), deadline, body limit, panic recovery and an access log of method, path,
// status, size and duration: never query text, variables or results, which can hold
// personal data.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		ctx, observed := s.cfg.Telemetry.StartHTTP(r, id)
		defer func() { observed(sw.status) }()
		limit := s.bodyLimit(r)
		if r.ContentLength > limit {
			sw.Header().Set("Content-Type", "application/json")
			sw.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = fmt.Fprintf(sw, `{"errors":[{"message":"the request body is larger than %d bytes","extensions":{"code":"BAD_USER_INPUT"}}]}`, limit)
			s.log.Info("request", "request_id", id, "method", r.Method, "path", loggedPath(r), "status", http.StatusRequestEntityTooLarge)
			return
		}
		ctx, cancel := context.WithTimeout(context.WithValue(ctx, requestIDKey, id), s.timeout(r))
		defer cancel()
		r = r.WithContext(ctx)
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "request_id", id, "panic", p)
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			s.log.Info("request", "request_id", id, "method", r.Method, "path", loggedPath(r),
				"status", sw.status, "bytes", sw.bytes, "ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(sw, r)
	})
}
