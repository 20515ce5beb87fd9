package server_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/auth"
	"kith/cypher"
	"kith/server"
)

// TestOperationBounds: documents whose parsing or validation would cost far more than
// their size are refused before gqlgen reads them, naming what was measured.
func TestOperationBounds(t *testing.T) {
	e := setup(t)
	// Each fragment spreads the one before twice: 2^30 fields in about a kilobyte.
	var bomb strings.Builder
	bomb.WriteString("query { ...F30 }\nfragment F0 on Query { __typename }\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&bomb, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	cases := []struct{ name, query, says string }{
		{"nested fragments", bomb.String(), "once its fragments are expanded"},
		{"one field twenty thousand times", "{" + strings.Repeat(" __typename", 20_000) + " }", "tokens"},
		{"one field twelve thousand times", "{" + strings.Repeat(" __typename", 12_000) + " }", "12000 fields"},
		{"three hundred aliases", "{" + aliases(300, "__typename") + " }", "aliased fields"},
		{"many directives", "{" + strings.Repeat(" __typename @skip(if: false)", 300) + " }", "directives"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			got := e.fails(c.query, nil, "BAD_USER_INPUT", "")
			if !strings.Contains(got.Message, c.says) {
				t.Errorf("message %q does not say %q", got.Message, c.says)
			}
		})
	}
	// Within the bounds, the cost counts each ego network's nodes: 150 of the largest are
	// refused before any runs, where 150 small ones are not.
	e.fails("{"+aliases(150, `egoNetwork(id: "per_00000000000000000000", hops: 3, maxNodes: 2000) { nodes { node { id } } }`)+" }", nil, "BAD_USER_INPUT", "")
	r := e.do("{"+aliases(150, `egoNetwork(id: "per_00000000000000000000", maxNodes: 5) { nodes { node { id } } }`)+" }", nil)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
		t.Errorf("150 small ego networks should run (and find no such node): %+v", r.Errors)
	}
	// A fragment costs what it holds wherever it is spread: three lists of a costly
	// fragment pass, four are refused.
	frag := ` fragment F on Person { ties(first: 500) { id } memberships(first: 500) { group { id } } }`
	list := func(n int) string {
		return "{" + aliases(n, `people(first: 100) { edges { node { ...F } } }`) + " }" + frag
	}
	if r := e.do(list(3), nil); len(r.Errors) > 0 {
		t.Fatalf("three lists: %+v", r.Errors)
	}
	if got := e.fails(list(4), nil, "BAD_USER_INPUT", ""); !strings.Contains(strings.ToLower(got.Message), "complex") {
		t.Errorf("four lists: %q", got.Message)
	}
}

func aliases(n int, field string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	return b.String()
}

// TestInvalidUTF8Refused: bytes that are not UTF-8 are refused naming the input, and
// nothing is written.
func TestInvalidUTF8Refused(t *testing.T) {
	e := setup(t)
	before := e.counts()
	body := []byte(`{"query":"mutation($in: [PersonInput!]!) { createPeople(input: $in) { id } }","variables":{"in":[{"displayName":"Ann"},{"displayName":"B` + "\xff\xfe" + `b"}]}}`)
	status, r := e.postRaw(body)
	if status != http.StatusBadRequest || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "in[1].displayName" {
		t.Fatalf("status %d, %+v", status, r.Errors)
	}
	status, r = e.postRaw([]byte(`{"query":"{ search(text: \"` + "\xc3\x28" + `\") { score } }"}`))
	if status != http.StatusBadRequest || len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != "query" {
		t.Fatalf("invalid UTF-8 in the query text: status %d, %+v", status, r.Errors)
	}
	if after := e.counts(); after != before {
		t.Errorf("stored %v, then %v", before, after)
	}
	// Valid text that is not ASCII is stored as sent.
	var ok struct {
		CreatePeople []struct{ DisplayName string }
	}
	e.ok(`mutation { createPeople(input: [{displayName: "Siân Ó Dónaill"}]) { displayName } }`, nil, &ok)
	if len(ok.CreatePeople) != 1 || ok.CreatePeople[0].DisplayName != "Siân Ó Dónaill" {
		t.Errorf("stored %+v", ok.CreatePeople)
	}
}

// TestForgedCursors: a cursor Kith did not give out is BAD_USER_INPUT, never INTERNAL.
func TestForgedCursors(t *testing.T) {
	e := setup(t)
	e.ok(`mutation { createPeople(input: [{displayName: "Ann"}, {displayName: "Bob"}]) { id } }`, nil, nil)
	huge := base64.RawURLEncoding.EncodeToString([]byte("kith:4611686018427387904"))
	maxInt := base64.RawURLEncoding.EncodeToString([]byte("kith:9223372036854775807"))
	for _, c := range []string{huge, maxInt, "bm90IGEgY3Vyc29y", "!!"} {
		e.fails(`query($c: String) { people(first: 5, after: $c) { totalCount } }`, map[string]any{"c": c}, "BAD_USER_INPUT", "after")
	}
	// Analysis pages are cut from a list in memory, with cursors of the same sealed form.
	for _, c := range []string{huge, maxInt, "bm90IGEgY3Vyc29y", "!!"} {
		e.fails(`query($c: String) { centrality(measure: DEGREE, after: $c) { edges { score } } }`, map[string]any{"c": c}, "BAD_USER_INPUT", "after")
	}
}

// deadNeo4j returns a bolt URI on which nothing listens.
func deadNeo4j(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "bolt://" + addr
}

// TestOutageFailsFast: while Neo4j cannot be reached, reads and writes answer UNAVAILABLE,
// and once a couple have found it gone the circuit breaker answers the rest at once
// without trying.
func TestOutageFailsFast(t *testing.T) {
	driver, err := neo4j.NewDriverWithContext(deadNeo4j(t), neo4j.NoAuth(), cypher.ConfigureDriver)
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(context.Background())
	store := cypher.New(driver, cypher.Options{})
	cfg := server.DefaultConfig()
	v, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Verifier, cfg.RateLimit = v, 0
	srv := server.New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()
	e := &env{t: t, srv: ts, token: mint(t, "test-admin", []auth.Role{auth.Admin}, nil)}
	var reasons []string
	for i := 0; i < 5; i++ {
		for _, q := range []string{`mutation { createPeople(input: [{displayName: "Ann"}]) { id } }`, `{ people(first: 1) { totalCount } }`} {
			got := e.fails(q, nil, "UNAVAILABLE", "")
			reasons = append(reasons, got.Message)
		}
	}
	last := reasons[len(reasons)-1]
	if !strings.Contains(last, "a moment ago") {
		t.Errorf("the breaker did not open: the last reasons are %q", reasons[len(reasons)-3:])
	}
	resp, err := http.Get(ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz: %d", resp.StatusCode)
	}
}
