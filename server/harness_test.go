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
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/cypher"
	"kith/neo4jtest"
	"kith/server"
)

// env is one test's Kith: a real Neo4j (behind a proxy that counts statements when the
// URI is bolt://), a store, and the HTTP server in front of it.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	store  *cypher.Store
	driver neo4j.DriverWithContext
	proxy  *neo4jtest.Proxy
}

func setup(t *testing.T) *env {
	t.Helper()
	uri := neo4jtest.URI(t)
	e := &env{t: t}
	if u, err := url.Parse(uri); err == nil && u.Scheme == "bolt" {
		e.proxy = neo4jtest.StartProxy(t, uri)
		uri = e.proxy.URI()
	}
	e.driver = neo4jtest.Driver(t, uri)
	e.store = cypher.New(e.driver, cypher.Options{MaxPage: 100})
	if _, err := e.store.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	neo4jtest.Reset(t, e.driver)
	cfg := server.DefaultConfig()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.srv = httptest.NewServer(server.New(cfg, e.store, log).Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// with returns a copy of the env reporting to t, for subtests.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
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
	resp, err := http.Post(e.srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", resp.StatusCode, raw)
	}
	return out
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
