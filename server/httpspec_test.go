package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kith/auth"
)

// sendHTTP makes a request to /graphql with the env's token and the given Accept header and
// returns the status, the Content-Type and the decoded body.
func (e *env) sendHTTP(method, accept string, body []byte, query url.Values) (int, string, gqlResponse) {
	e.t.Helper()
	u := e.srv.URL + "/graphql"
	if query != nil {
		u += "?" + query.Encode()
	}
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

func firstCode(r gqlResponse) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// TestSpecStatus: a request that does not parse or validate is answered 200 with its
// errors to application/json (what Apollo and urql read as a GraphQL result), and 400 to
// application/graphql-response+json, for every role, by POST and by GET.
func TestSpecStatus(t *testing.T) {
	base := setup(t)
	bad := map[string]string{
		"validation": `{ noSuchField }`,
		"parse":      `{ people(`,
	}
	for _, role := range auth.Roles() {
		e := base.asRole(role).with(t)
		for kind, q := range bad {
			body, _ := json.Marshal(map[string]any{"query": q})
			for _, c := range []struct {
				accept string
				status int
			}{{"application/json", http.StatusOK}, {"", http.StatusOK}, {"application/graphql-response+json", http.StatusBadRequest}} {
				status, ctype, r := e.sendHTTP(http.MethodPost, c.accept, body, nil)
				if status != c.status || firstCode(r) != "BAD_USER_INPUT" || len(r.Data) > 0 && string(r.Data) != "null" {
					t.Errorf("%s: POST %s with Accept %q: status %d (want %d), %s, %+v", role, kind, c.accept, status, c.status, ctype, r)
				}
				status, _, r = e.sendHTTP(http.MethodGet, c.accept, nil, url.Values{"query": {q}})
				if status != c.status || firstCode(r) != "BAD_USER_INPUT" {
					t.Errorf("%s: GET %s with Accept %q: status %d (want %d), %+v", role, kind, c.accept, status, c.status, r)
				}
			}
		}
		// A valid query is untouched.
		body, _ := json.Marshal(map[string]any{"query": `{ __typename }`})
		if status, _, r := e.sendHTTP(http.MethodPost, "application/json", body, nil); status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "Query") {
			t.Errorf("%s: valid query: %d %+v", role, status, r)
		}
	}
	// Without a token the answer is still 401: the status change is for GraphQL errors only.
	body, _ := json.Marshal(map[string]any{"query": `{ noSuchField }`})
	if status, _, r := base.as("").sendHTTP(http.MethodPost, "application/json", body, nil); status != http.StatusUnauthorized || firstCode(r) != "UNAUTHENTICATED" {
		t.Errorf("no token: %d %+v", status, r)
	}
}

// TestPersistedQueryNotFound: an APQ miss answers Apollo's PERSISTED_QUERY_NOT_FOUND with
// 200, the full query with its hash is then stored, and the hash alone runs it.
func TestPersistedQueryNotFound(t *testing.T) {
	base := setup(t)
	for i, role := range auth.Roles() {
		e := base.asRole(role).with(t)
		q := `query Tile` + string(rune('A'+i)) + ` { __typename }`
		sum := sha256.Sum256([]byte(q))
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
		hashOnly, _ := json.Marshal(map[string]any{"extensions": ext})
		status, _, r := e.sendHTTP(http.MethodPost, "application/json", hashOnly, nil)
		if status != http.StatusOK || firstCode(r) != "PERSISTED_QUERY_NOT_FOUND" || r.Errors[0].Message != "PersistedQueryNotFound" {
			t.Fatalf("%s: miss: %d %+v", role, status, r)
		}
		full, _ := json.Marshal(map[string]any{"query": q, "extensions": ext})
		if status, _, r := e.sendHTTP(http.MethodPost, "application/json", full, nil); status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("%s: full query: %d %+v", role, status, r)
		}
		if status, _, r := e.sendHTTP(http.MethodPost, "application/json", hashOnly, nil); status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "Query") {
			t.Fatalf("%s: hit: %d %+v", role, status, r)
		}
		// A hash that does not match its query is not a miss.
		wrong, _ := json.Marshal(map[string]any{"query": q + " ", "extensions": ext})
		if _, _, r := e.sendHTTP(http.MethodPost, "application/json", wrong, nil); firstCode(r) != "BAD_USER_INPUT" {
			t.Fatalf("%s: mismatched hash: %+v", role, r)
		}
	}
}

// TestBatchedBodyRefused: a JSON array of operations, or a body that is not a JSON object,
// is refused with a short BAD_USER_INPUT that does not echo the body.
func TestBatchedBodyRefused(t *testing.T) {
	base := setup(t)
	const secret = "Zebedee-Quartermain"
	for _, role := range auth.Roles() {
		e := base.asRole(role).with(t)
		for name, body := range map[string]string{
			"batch":     ` [{"query":"{ __typename }"},{"query":"{ search(text: \"` + secret + `\") { score } }"}]`,
			"not JSON":  `query { search(text: "` + secret + `") { score } }`,
			"a string":  `"` + secret + `"`,
			"cut short": `{"query":"{ search(text: \"` + secret,
		} {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var r gqlResponse
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("%s: %s: not JSON: %s", role, name, raw)
			}
			if resp.StatusCode != http.StatusBadRequest || firstCode(r) != "BAD_USER_INPUT" || strings.Contains(string(raw), secret) || len(raw) > 300 {
				t.Errorf("%s: %s: %d %s", role, name, resp.StatusCode, raw)
			}
			if name == "batch" && !strings.Contains(r.Errors[0].Message, "batched") {
				t.Errorf("%s: batch refusal does not say why: %s", role, raw)
			}
		}
	}
}

// asRole is as() with the areas a worker's token must name.
func (e *env) asRole(role auth.Role) *env {
	if role == auth.Worker {
		return e.as(role, "area-1")
	}
	return e.as(role)
}
