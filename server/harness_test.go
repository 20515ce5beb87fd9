package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/pseudonym"
	"kith/server"
	"kith/telemetry"
)

// env is one test's Kith: a real Neo4j (behind a proxy that counts statements when the
// URI is bolt://), a store, and the HTTP server in front of it.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	store  *cypher.Store
	driver neo4j.DriverWithContext
	proxy  *neo4jtest.Proxy
	// token is the bearer token requests carry: an admin's unless as() changed it, and
	// role the role it grants ("": an admin's).
	token string
	role  auth.Role
	// logs holds what the server logged.
	logs *syncBuffer
	// research is the driver of the research copy's database (setupResearch), nil without.
	research neo4j.DriverWithContext
	// metrics serves the server's /metrics, when it was set up with telemetry (tel).
	metrics *httptest.Server
	tel     *telemetry.Telemetry
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testSecret signs the harness's tokens (HS256).
var testSecret = []byte("kith-test-secret-kith-test-secret")

const (
	testIssuer   = "kith-test"
	testAudience = "kith-api"
)

func setup(t *testing.T) *env {
	t.Helper()
	return setupWith(t, nil)
}

// setupWith is setup with a change to the server's configuration.
func setupWith(t *testing.T, configure func(*server.Config)) *env {
	t.Helper()
	return setupObserved(t, nil, configure)
}

// setupObserved is setupWith with the store and the server reporting to tel, and the
// server's metrics served on a listener of their own (env.metrics).
func setupObserved(t *testing.T, tel *telemetry.Telemetry, configure func(*server.Config)) *env {
	t.Helper()
	uri := neo4jtest.URI(t)
	e := &env{t: t, tel: tel}
	if u, err := url.Parse(uri); err == nil && u.Scheme == "bolt" {
		e.proxy = neo4jtest.StartProxy(t, uri)
		uri = e.proxy.URI()
	}
	e.driver = neo4jtest.Driver(t, uri)
	e.store = cypher.New(e.driver, cypher.Options{MaxPage: 100, Telemetry: tel})
	if _, err := e.store.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	neo4jtest.Reset(t, e.driver)
	e.serve(configure)
	e.token = mint(t, "test-admin", []auth.Role{auth.Admin}, nil)
	return e
}

// sibling returns an env whose requests reach a second server over the same store (as a
// second instance behind a load balancer would), configured as setupWith does.
func (e *env) sibling(configure func(*server.Config)) *env {
	c := *e
	c.serve(configure)
	return &c
}

// serve starts the env's HTTP server over its store.
func (e *env) serve(configure func(*server.Config)) {
	t := e.t
	cfg := server.DefaultConfig()
	v, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	cfg.Verifier = v
	cfg.RateLimit = 0 // tests send bursts; the limit has its own test
	cfg.Pseudonyms = testPseudonyms(t)
	// Audit records go through a driver of their own, so round-trip counts see only reads.
	cfg.AuditStore = cypher.New(neo4jtest.Driver(t, neo4jtest.URI(t)), cypher.Options{})
	cfg.Telemetry = e.tel
	if configure != nil {
		configure(&cfg)
	}
	e.logs = &syncBuffer{}
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	srv := server.New(cfg, e.store, log)
	hs := httptest.NewServer(srv.Handler())
	e.srv = hs
	t.Cleanup(func() { hs.Close(); srv.Close() })
	if e.tel != nil {
		e.metrics = httptest.NewServer(srv.MetricsHandler())
		t.Cleanup(e.metrics.Close)
	}
}

// testPseudonymKey derives the ids analysts and researchers see on the harness's server.
var testPseudonymKey = []byte("kith-test-pseudonym-key-kith-test-pseudonym-key")

// testPseudonyms returns the harness server's pseudonym keys.
func testPseudonyms(t testing.TB) *pseudonym.Keys {
	t.Helper()
	k, err := pseudonym.New(testPseudonymKey)
	if err != nil {
		t.Fatalf("pseudonym keys: %v", err)
	}
	return k
}

// idFor is the id the env's caller works with for a live id: an analyst's own, or the
// live id.
func (e *env) idFor(id string) string {
	if e.role == auth.Analyst {
		return analystID(e.t, id)
	}
	return id
}

// analystName is the pseudonym an analyst of the harness's server sees for a person.
func analystName(t testing.TB, id string) string {
	t.Helper()
	return testPseudonyms(t).Name(string(auth.Analyst), id)
}

// analystID is the id an analyst of the harness's server sees for a live id.
func analystID(t testing.TB, id string) string {
	t.Helper()
	return testPseudonyms(t).Encode(string(auth.Analyst), id)
}

// setupResearch is setupWith, with a research copy in a database of its own, emptied.
func setupResearch(t *testing.T, configure func(*server.Config)) *env {
	t.Helper()
	research := neo4jtest.Driver(t, neo4jtest.ResearchURI(t))
	neo4jtest.Reset(t, research)
	e := setupWith(t, func(c *server.Config) {
		c.ResearchStore = cypher.New(research, cypher.Options{})
		// A refresh on a Neo4j just started plans each of its statements for the first
		// time, which on a busy machine can outlast the default deadline.
		c.RequestTimeout = 2 * time.Minute
		if configure != nil {
			configure(c)
		}
	})
	e.research = research
	return e
}

// mint signs a token the harness's server accepts.
func mint(t testing.TB, sub string, roles []auth.Role, areas []string) string {
	t.Helper()
	tok, err := auth.MintHS256(testSecret, auth.Grant{Subject: sub, Roles: roles, Areas: areas,
		Issuer: testIssuer, Audience: testAudience, TTL: time.Hour}, time.Now())
	if err != nil {
		t.Fatalf("mint: %v", err)
	}
	return tok
}

// as returns a copy of the env whose requests carry a token for the role (a worker's
// covering areas); the empty role sends no token at all.
func (e *env) as(role auth.Role, areas ...string) *env {
	c := *e
	c.token, c.role = "", role
	if role != "" {
		c.token = mint(e.t, "test-"+string(role), []auth.Role{role}, areas)
	}
	return &c
}

// with returns a copy of the env reporting to t, for subtests.
func (e *env) with(t testing.TB) *env {
	c := *e
	c.t = t
	return &c
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// gqlResponse is a GraphQL response, with data left as JSON to decode into test structs.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// do posts a GraphQL request and returns its response.
func (e *env) do(query string, vars map[string]any) gqlResponse {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	_, out := e.postRaw(body)
	return out
}

// postRaw sends a raw body to /graphql with the env's token (if any) and returns the
// status and the decoded response.
func (e *env) postRaw(body []byte) (int, gqlResponse) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// ok runs a request that must succeed and decodes its data into v.
func (e *env) ok(query string, vars map[string]any, v any) {
	e.t.Helper()
	r := e.do(query, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			e.t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// fails runs a request that must fail with the given code (and field, when not empty).
func (e *env) fails(query string, vars map[string]any, code, field string) gqlError {
	e.t.Helper()
	r := e.do(query, vars)
	if len(r.Errors) == 0 {
		e.t.Fatalf("expected %s error, got data %s", code, r.Data)
	}
	got := r.Errors[0]
	if got.Extensions["code"] != code {
		e.t.Fatalf("expected code %s, got %+v", code, r.Errors)
	}
	if field != "" && got.Extensions["field"] != field {
		e.t.Fatalf("expected field %q, got %+v", field, got)
	}
	return got
}

// counts returns the number of nodes and ties stored.
func (e *env) counts() [2]int64 {
	n, r := neo4jtest.Count(e.t, e.driver)
	return [2]int64{n, r}
}

// areaIDs reads every area, as the admin sees them, and returns their ids by name.
func (e *env) areaIDs() map[string]string {
	e.t.Helper()
	var areas struct {
		Areas struct{ Nodes []struct{ ID, Name string } }
	}
	e.ok(`{ areas(first: 100) { nodes { id name } } }`, nil, &areas)
	ids := map[string]string{}
	for _, n := range areas.Areas.Nodes {
		ids[n.Name] = n.ID
	}
	return ids
}
