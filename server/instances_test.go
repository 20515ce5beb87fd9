package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"kith/auth"
	"kith/cypher"
	"kith/internal/neo4jtest"
	"kith/nodeid"
	"kith/pseudonym"
	"kith/server"
)

// sharedSecret stands for KITH_PSEUDONYM_KEY, the secret every instance shares.
var sharedSecret = []byte("kith-test-pseudonym-key-shared-by-instances")

// instances returns two Kith servers over the same Neo4j, as two processes behind a load
// balancer would be: each has its own driver, store, token verifier (with its own
// remembered tokens), caches and rate limiter; they share the database and the settings
// every instance needs alike (the JWT settings and KITH_PSEUDONYM_KEY).
// statePoll is how often the test instances poll revocations and the purge generation.
const statePoll = 20 * time.Millisecond

// eventually waits, within the bound a poll of the other instance needs (with a wide
// margin for a loaded machine), until ok holds, and reports whether it did.
func eventually(ok func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(statePoll) {
		if ok() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

func instances(t *testing.T, configure func(*server.Config)) (a, b *env) {
	t.Helper()
	keys, err := pseudonym.New(sharedSecret)
	if err != nil {
		t.Fatal(err)
	}
	shared := func(c *server.Config) {
		c.Pseudonyms = keys
		c.BookmarkKey = server.BookmarkKey(sharedSecret)
		c.StatePoll = statePoll
		if configure != nil {
			configure(c)
		}
	}
	a = setupWith(t, shared)
	b = &env{t: t, token: a.token, logs: &syncBuffer{}}
	b.driver = neo4jtest.Driver(t, neo4jtest.URI(t))
	b.store = cypher.New(b.driver, cypher.Options{MaxPage: 100})
	cfg := server.DefaultConfig()
	v, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Verifier = v
	cfg.RateLimit = 0
	shared(&cfg)
	srv := server.New(cfg, b.store, slog.New(slog.NewTextHandler(b.logs, nil)))
	b.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(func() { b.srv.Close(); srv.Close() })
	return a, b
}

// reply is a response with its status and headers.
type reply struct {
	status int
	header http.Header
	body   gqlResponse
}

// send posts a GraphQL request with extra headers and returns the whole response.
func (e *env) send(query string, vars map[string]any, header map[string]string) reply {
	e.t.Helper()
	return e.sendBody(map[string]any{"query": query, "variables": vars}, header)
}

func (e *env) sendBody(payload map[string]any, header map[string]string) reply {
	e.t.Helper()
	r, err := e.post(payload, header)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// post is sendBody for any goroutine: it reports failures instead of ending the test.
func (e *env) post(payload map[string]any, header map[string]string) (reply, error) {
	body, _ := json.Marshal(payload)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := reply{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		return out, fmt.Errorf("response is not JSON (%d): %s", resp.StatusCode, raw)
	}
	return out, nil
}

// code returns the code of the reply's first error, "" when it has none.
func (r reply) code() string {
	if len(r.body.Errors) == 0 {
		return ""
	}
	c, _ := r.body.Errors[0].Extensions["code"].(string)
	return c
}

const namesQuery = `{ people(where: {externalId: {startsWith: "inst-"}}) { nodes { displayName } } }`

// names decodes namesQuery's answer.
func names(t *testing.T, r reply) []string {
	t.Helper()
	if len(r.body.Errors) > 0 {
		t.Fatalf("%d: %+v", r.status, r.body.Errors)
	}
	var d struct {
		People struct {
			Nodes []struct{ DisplayName string }
		}
	}
	if err := json.Unmarshal(r.body.Data, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range d.People.Nodes {
		out = append(out, n.DisplayName)
	}
	slices.Sort(out)
	return out
}

// TestReadsAfterWritesAcrossInstances: a write through one instance is read through the
// other at once, with and without the Kith-Bookmark header; the header round-trips from
// instance to instance; a forged or malformed one is refused with BAD_USER_INPUT.
func TestReadsAfterWritesAcrossInstances(t *testing.T) {
	a, b := instances(t, nil)
	write := `mutation($x: String!, $n: String!) { createPeople(input: [{externalId: $x, displayName: $n}]) { id } }`

	w := a.send(write, map[string]any{"x": "inst-1", "n": "Ada"}, nil)
	if w.code() != "" {
		t.Fatalf("write: %+v", w.body.Errors)
	}
	mark := w.header.Get(server.BookmarkHeader)
	if mark == "" {
		t.Fatalf("a write's response has no %s header", server.BookmarkHeader)
	}
	if got := names(t, b.send(namesQuery, nil, nil)); !slices.Equal(got, []string{"Ada"}) {
		t.Errorf("B without the bookmark read %v, want [Ada]", got)
	}
	r := b.send(namesQuery, nil, map[string]string{server.BookmarkHeader: mark})
	if got := names(t, r); !slices.Equal(got, []string{"Ada"}) {
		t.Errorf("B with A's bookmark read %v, want [Ada]", got)
	}
	// B answers with a bookmark of its own, which A accepts in turn: a client carries the
	// latest one from response to request whichever instance it reaches.
	back := r.header.Get(server.BookmarkHeader)
	if back == "" {
		t.Fatalf("B's answer to a request with a bookmark has no %s header", server.BookmarkHeader)
	}
	w = b.send(write, map[string]any{"x": "inst-2", "n": "Bea"}, map[string]string{server.BookmarkHeader: back})
	if w.code() != "" {
		t.Fatalf("write through B: %+v", w.body.Errors)
	}
	r = a.send(namesQuery, nil, map[string]string{server.BookmarkHeader: w.header.Get(server.BookmarkHeader)})
	if got := names(t, r); !slices.Equal(got, []string{"Ada", "Bea"}) {
		t.Errorf("A with B's bookmark read %v, want [Ada Bea]", got)
	}

	// Forged and malformed bookmarks never reach Neo4j.
	body, sig, _ := strings.Cut(mark, ".")
	// A well-formed header signed with another key, as an instance with a different
	// KITH_PSEUDONYM_KEY would give.
	var bs []string
	if payload, err := base64.RawURLEncoding.DecodeString(body); err != nil || json.Unmarshal(payload, &bs) != nil {
		t.Fatalf("the header's body is not base64url JSON: %q", body)
	}
	other := signBookmarks([]byte("another-secret-another-secret-another"), bs)
	for _, tc := range []struct{ name, value string }{
		{"not a bookmark", "FB:kcwQ"},
		{"no signature", body},
		{"empty signature", body + "."},
		{"signature of another body", "W10." + sig},
		{"body changed", "WyJGQjprY3dRIl0." + sig},
		{"signature not base64", body + ".***"},
		{"another key", other},
		{"signed, no bookmarks", signBookmarks(sharedSecret, []string{})},
		{"signed, too many", signBookmarks(sharedSecret, slices.Repeat(bs, 17))},
		{"too long", strings.Repeat("A", 5000) + "." + sig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.value == "" {
				t.Fatal("the case has no value")
			}
			r := b.send(namesQuery, nil, map[string]string{server.BookmarkHeader: tc.value})
			if r.status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || r.body.Errors[0].Extensions["field"] != server.BookmarkHeader {
				t.Errorf("got %d %+v, want 400 BAD_USER_INPUT naming %s", r.status, r.body.Errors, server.BookmarkHeader)
			}
		})
	}
}

// signBookmarks makes a Kith-Bookmark header as an instance whose KITH_PSEUDONYM_KEY is
// secret would (docs/instances.md: the bookmarks as a JSON list in base64url, a dot,
// their HMAC).
func signBookmarks(secret []byte, bs []string) string {
	payload, _ := json.Marshal(bs)
	body := base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, server.BookmarkKey(secret))
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// nextBookmark returns the bookmark of the transaction after the one a Kith-Bookmark
// header names. A Neo4j 5 bookmark is "FB:" and base64 of: 0x91, the database's id as
// PackStream bytes (0xCC 0x10 and 16 bytes), the transaction id as a PackStream integer,
// and 0x90.
func nextBookmark(t *testing.T, header string) string {
	t.Helper()
	body, _, _ := strings.Cut(header, ".")
	payload, err := base64.RawURLEncoding.DecodeString(body)
	var bs []string
	if err == nil {
		err = json.Unmarshal(payload, &bs)
	}
	if err != nil || len(bs) != 1 || !strings.HasPrefix(bs[0], "FB:") {
		t.Fatalf("the header does not hold one Neo4j 5 bookmark: %q (%v)", header, err)
	}
	raw, err := base64.StdEncoding.DecodeString(bs[0][3:])
	if err != nil || len(raw) < 21 || !bytes.HasPrefix(raw, []byte{0x91, 0xcc, 0x10}) || raw[len(raw)-1] != 0x90 {
		t.Fatalf("not the bookmark layout of Neo4j 5: %x (%v)", raw, err)
	}
	head, num := raw[:19], raw[19:len(raw)-1]
	var tx uint64
	switch m := num[0]; {
	case m < 0x80 && len(num) == 1:
		tx = uint64(m)
	case m >= 0xc8 && m <= 0xcb && len(num) == 1+1<<(m-0xc8):
		for _, c := range num[1:] {
			tx = tx<<8 | uint64(c)
		}
	default:
		t.Fatalf("not a transaction id: %x", num)
	}
	tx++
	var enc []byte
	switch {
	case tx < 0x80:
		enc = []byte{byte(tx)}
	case tx < 1<<15:
		enc = binary.BigEndian.AppendUint16([]byte{0xc9}, uint16(tx))
	case tx < 1<<31:
		enc = binary.BigEndian.AppendUint32([]byte{0xca}, uint32(tx))
	default:
		enc = binary.BigEndian.AppendUint64([]byte{0xcb}, tx)
	}
	out := append(append(append([]byte(nil), head...), enc...), 0x90)
	return "FB:" + base64.StdEncoding.EncodeToString(out)
}

// TestBookmarkIsHonoured: a request that carries the bookmark of a transaction not yet
// committed waits for it, then sees it; a signed bookmark Neo4j cannot read is refused
// with BAD_USER_INPUT.
func TestBookmarkIsHonoured(t *testing.T) {
	a, b := instances(t, nil)
	write := `mutation($x: String!) { createPeople(input: [{externalId: $x}]) { id } }`
	count := `{ people(where: {externalId: {startsWith: "inst-"}}) { totalCount } }`
	w := a.send(write, map[string]any{"x": "inst-1"}, nil)
	if w.code() != "" {
		t.Fatalf("write: %+v", w.body.Errors)
	}
	ahead := signBookmarks(sharedSecret, []string{nextBookmark(t, w.header.Get(server.BookmarkHeader))})
	type result struct {
		r   reply
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := b.post(map[string]any{"query": count}, map[string]string{server.BookmarkHeader: ahead})
		done <- result{r, err}
	}()
	select {
	case got := <-done:
		t.Fatalf("B answered before the transaction its bookmark names committed: %d %s %+v (%v)", got.r.status, got.r.body.Data, got.r.body.Errors, got.err)
	case <-time.After(700 * time.Millisecond):
	}
	if w := a.send(write, map[string]any{"x": "inst-2"}, nil); w.code() != "" {
		t.Fatalf("second write: %+v", w.body.Errors)
	}
	select {
	case got := <-done:
		if got.err != nil || got.r.code() != "" || !strings.Contains(string(got.r.body.Data), `"totalCount":2`) {
			t.Errorf("B after the transaction committed: %d %s %+v (%v), want both people", got.r.status, got.r.body.Data, got.r.body.Errors, got.err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("B still waits after the transaction its bookmark names committed")
	}

	r := b.send(count, nil, map[string]string{server.BookmarkHeader: signBookmarks(sharedSecret, []string{"FB:AAAA"})})
	if r.status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || r.body.Errors[0].Extensions["field"] != server.BookmarkHeader {
		t.Errorf("a signed bookmark Neo4j cannot read: %d %+v, want 400 BAD_USER_INPUT", r.status, r.body.Errors)
	}
}

// TestAnalysisCacheAcrossInstances: an analysis cached on B changes after a write
// through A, because every call checks the graph version in Neo4j.
func TestAnalysisCacheAcrossInstances(t *testing.T) {
	a, b := instances(t, nil)
	var c struct{ CreatePeople []struct{ ID string } }
	a.ok(`mutation { createPeople(input: [{externalId: "inst-1", displayName: "Ada"}, {externalId: "inst-2", displayName: "Bea"},
	  {externalId: "inst-3", displayName: "Cy"}]) { id } }`, nil, &c)
	ids := c.CreatePeople
	q := `{ networkSummary { graph { nodes ties version } isolates } }`
	type summary struct {
		NetworkSummary struct {
			Graph struct {
				Nodes, Ties int
				Version     string
			}
			Isolates int
		}
	}
	var first, again, after summary
	b.ok(q, nil, &first)
	b.ok(q, nil, &again) // now cached on B
	if first != again || first.NetworkSummary.Graph.Ties != 0 || first.NetworkSummary.Isolates != 3 {
		t.Fatalf("B's summary before the write: %+v then %+v", first, again)
	}
	a.ok(`mutation($a: ID!, $b: ID!) { createTies(input: [{kind: KNOWS, from: {id: $a}, to: {id: $b}, strength: STRONG}]) { id } }`,
		map[string]any{"a": ids[0].ID, "b": ids[1].ID}, nil)
	b.ok(q, nil, &after)
	if g := after.NetworkSummary; g.Graph.Ties != 1 || g.Isolates != 1 || g.Graph.Version == first.NetworkSummary.Graph.Version {
		t.Errorf("B's summary after a write through A: %+v, want 1 tie, 1 isolate and a new version", g)
	}
}

// TestRevocationAcrossInstances: a token revoked through A is refused by B at its very
// next request, although B had verified and remembered it; tokens issued after the
// revocation are accepted; revokeTokens checks its input and is for admins only.
func TestRevocationAcrossInstances(t *testing.T) {
	a, b := instances(t, nil)
	now := time.Now()
	old, err := auth.MintHS256(testSecret, auth.Grant{Subject: "worker-7", Roles: []auth.Role{auth.Analyst},
		Issuer: testIssuer, Audience: testAudience, TTL: 2 * time.Hour}, now.Add(-10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	other := mint(t, "worker-8", []auth.Role{auth.Analyst}, nil)
	bOld, bOther := *b, *b
	bOld.token, bOther.token = old, other
	for range 2 { // the second request is served from B's remembered tokens
		if r := bOld.send(namesQuery, nil, nil); r.status != http.StatusOK {
			t.Fatalf("before the revocation B answered %d %+v", r.status, r.body.Errors)
		}
	}
	var rev struct {
		RevokeTokens struct{ Subject, Before string }
	}
	a.ok(`mutation($b: DateTime) { revokeTokens(subject: "worker-7", before: $b) { subject before } }`,
		map[string]any{"b": now.Add(-5 * time.Minute).Format(time.RFC3339)}, &rev)
	if rev.RevokeTokens.Subject != "worker-7" || rev.RevokeTokens.Before == "" {
		t.Fatalf("revokeTokens answered %+v", rev)
	}
	aOld := *a
	aOld.token = old
	// A, which revoked, refuses the token from its next request; B from its next poll
	// (StatePoll); a client carrying A's bookmark to B, at once.
	refused := func(e *env) bool {
		r := e.send(namesQuery, nil, nil)
		return r.status == http.StatusUnauthorized && r.code() == "UNAUTHENTICATED" && strings.Contains(r.body.Errors[0].Message, "revoked")
	}
	if !refused(&aOld) {
		t.Errorf("A after the revocation accepts the revoked token")
	}
	if !eventually(func() bool { return refused(&bOld) }) {
		t.Errorf("B accepts the revoked token 5 s after the revocation")
	}
	if r := bOther.send(namesQuery, nil, nil); r.status != http.StatusOK {
		t.Errorf("another subject's token: %d %+v", r.status, r.body.Errors)
	}
	fresh := *b
	fresh.token = mint(t, "worker-7", []auth.Role{auth.Analyst}, nil)
	if r := fresh.send(namesQuery, nil, nil); r.status != http.StatusOK {
		t.Errorf("a token issued after the revocation: %d %+v", r.status, r.body.Errors)
	}
	// An earlier revocation does not move the one in force back.
	var again struct{ RevokeTokens struct{ Before string } }
	b.ok(`mutation { revokeTokens(subject: "worker-7", before: "2020-01-01T00:00:00Z") { before } }`, nil, &again)
	if again.RevokeTokens.Before != rev.RevokeTokens.Before {
		t.Errorf("an earlier revocation moved it from %s to %s", rev.RevokeTokens.Before, again.RevokeTokens.Before)
	}
	if r := bOld.send(namesQuery, nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("after an earlier revocation the old token is accepted again: %d", r.status)
	}

	for _, tc := range []struct{ name, query, code, field string }{
		{"empty subject", `mutation { revokeTokens(subject: "") { before } }`, "BAD_USER_INPUT", "subject"},
		{"long subject", `mutation { revokeTokens(subject: "` + strings.Repeat("s", 257) + `") { before } }`, "BAD_USER_INPUT", "subject"},
		{"ancient", `mutation { revokeTokens(subject: "x", before: "1999-12-31T23:59:59Z") { before } }`, "BAD_USER_INPUT", "before"},
		{"far ahead", `mutation { revokeTokens(subject: "x", before: "` + now.AddDate(2, 0, 0).UTC().Format(time.RFC3339) + `") { before } }`, "BAD_USER_INPUT", "before"},
		{"no zone", `mutation { revokeTokens(subject: "x", before: "2025-01-01T00:00:00") { before } }`, "BAD_USER_INPUT", ""},
	} {
		t.Run(tc.name, func(t *testing.T) { a.with(t).fails(tc.query, nil, tc.code, tc.field) })
	}
	for _, role := range []auth.Role{auth.Worker, auth.Analyst, auth.Partner, auth.Researcher} {
		t.Run(string(role), func(t *testing.T) {
			a.with(t).as(role, "area_x").fails(`mutation { revokeTokens(subject: "test-admin") { before } }`, nil, "FORBIDDEN", "")
		})
	}
	if r := a.send(namesQuery, nil, nil); r.status != http.StatusOK {
		t.Errorf("a refused revocation took effect: %d", r.status)
	}
}

// TestErasureReachesEveryInstance: after an erasure through A, B serves the person from
// no cache: not search, not an analysis it had cached, not a persisted query that
// quoted their name.
func TestErasureReachesEveryInstance(t *testing.T) {
	a, b := instances(t, nil)
	var c struct{ CreatePeople []struct{ ID string } }
	a.ok(`mutation { createPeople(input: [{externalId: "inst-z", displayName: "Zebedee Quillfeather"},
	  {externalId: "inst-y", displayName: "Yolanda Brisk"}]) { id } }`, nil, &c)
	z, y := c.CreatePeople[0].ID, c.CreatePeople[1].ID
	a.ok(`mutation($a: ID!, $b: ID!) { createTies(input: [{kind: KNOWS, from: {id: $a}, to: {id: $b}}]) { id } }`,
		map[string]any{"a": z, "b": y}, nil)

	search := `{ search(text: "Zebedee") { node { id } } }`
	central := `{ centrality(measure: DEGREE) { edges { node { id ... on Person { displayName } } } } }`
	persisted := `{ search(text: "Quillfeather") { node { id } } }`
	sum := sha256.Sum256([]byte(persisted))
	apq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}

	// B reads them, caches the analysis and learns the persisted query.
	if !strings.Contains(string(b.do(search, nil).Data), z) {
		t.Fatal("B's search does not find them before the erasure")
	}
	for range 2 {
		if d := string(b.do(central, nil).Data); !strings.Contains(d, z) || !strings.Contains(d, "Zebedee") {
			t.Fatalf("B's centrality does not list them before the erasure: %s", d)
		}
	}
	if r := b.sendBody(map[string]any{"query": persisted, "extensions": apq}, nil); !strings.Contains(string(r.body.Data), z) {
		t.Fatalf("B's persisted query: %d %s %+v", r.status, r.body.Data, r.body.Errors)
	}
	if r := b.sendBody(map[string]any{"extensions": apq}, nil); !strings.Contains(string(r.body.Data), z) {
		t.Fatalf("B does not serve the persisted query by its hash: %+v", r.body.Errors)
	}

	ctx := context.Background()
	before, err := b.store.CheckCaller(ctx, "test-admin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a.ok(`mutation($id: ID!) { erasePerson(id: $id) { people } }`, map[string]any{"id": z}, nil)

	if d := string(b.do(search, nil).Data); strings.Contains(d, z) {
		t.Errorf("B's search still finds them: %s", d)
	}
	if d := string(b.do(central, nil).Data); strings.Contains(d, z) || strings.Contains(d, "Zebedee") || !strings.Contains(d, y) {
		t.Errorf("B's centrality after the erasure: %s", d)
	}
	// B empties its caches at its next poll (StatePoll) after the erasure.
	if !eventually(func() bool {
		r := b.sendBody(map[string]any{"extensions": apq}, nil)
		return len(r.body.Errors) > 0 && r.body.Errors[0].Message == "PersistedQueryNotFound"
	}) {
		t.Errorf("B still holds the persisted query that names them 5 s after the erasure")
	}

	// B's record of a read made before the erasure, written after it, leaves their id
	// out; a record of a request admitted after the erasure keeps its ids, even one that
	// names nothing.
	after, err := b.store.CheckCaller(ctx, "test-admin", time.Now())
	if err != nil || after.Purges == before.Purges {
		t.Fatalf("the purge generation did not move: %d -> %d (%v)", before.Purges, after.Purges, err)
	}
	missing := nodeid.New("Person")
	if err := b.store.RecordAudits(ctx, []cypher.AuditEvent{
		{Kind: "read", IDs: []string{z, y}, RequestID: "late", Purges: &before.Purges},
		{Kind: "read", IDs: []string{y, missing}, RequestID: "current", Purges: &after.Purges},
	}); err != nil {
		t.Fatal(err)
	}
	evs, err := b.store.AuditEvents(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"late": {y}, "current": slices.Sorted(slices.Values([]string{y, missing}))}
	for _, ev := range evs {
		if w, ok := want[ev.RequestID]; ok {
			if got := slices.Sorted(slices.Values(ev.IDs)); !slices.Equal(got, w) {
				t.Errorf("record %s holds %v, want %v", ev.RequestID, got, w)
			}
			delete(want, ev.RequestID)
		}
	}
	if len(want) > 0 {
		t.Errorf("records not found: %v", want)
	}
}

// TestRateLimitIsPerInstance: the per-token rate limit is kept in each instance's memory,
// as documented: a token gets each instance's burst, so n instances allow n times the
// limit (set KITH_RATE_LIMIT and KITH_RATE_BURST to the total divided by n).
func TestRateLimitIsPerInstance(t *testing.T) {
	const burst = 3
	a, b := instances(t, func(c *server.Config) { c.RateLimit, c.RateBurst = 0.001, burst })
	for name, e := range map[string]*env{"A": a, "B": b} {
		for i := range burst + 1 {
			r := e.send(namesQuery, nil, nil)
			want := http.StatusOK
			if i == burst {
				want = http.StatusTooManyRequests
			}
			if r.status != want {
				t.Errorf("%s request %d: %d %+v, want %d", name, i+1, r.status, r.body.Errors, want)
			}
		}
	}
}
