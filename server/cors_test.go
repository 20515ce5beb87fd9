package server_test

import (
	"net/http"
	"strings"
	"testing"

	"kith/auth"
	"kith/server"
)

const dashOrigin = "http://localhost:5173"

// preflight sends a browser's preflight for a POST with a token from origin.
func preflight(t *testing.T, e *env, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, e.srv.URL+"/graphql", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// corsPost posts { __typename } from origin with the env's token.
func corsPost(t *testing.T, e *env, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestCORS: an allowed origin's preflight is answered without a token, and its requests
// (with a token, for every role) carry the CORS headers; a refused origin gets none; a
// request without a token is still refused.
func TestCORS(t *testing.T) {
	origins, err := server.ParseCORSOrigins(" " + dashOrigin + ", https://Dash.example.org ")
	if err != nil {
		t.Fatal(err)
	}
	base := setupWith(t, func(c *server.Config) { c.CORSOrigins = origins })

	resp := preflight(t, base.as(""), dashOrigin)
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != dashOrigin ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Fatalf("allowed preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("credentials allowed: %v", resp.Header)
	}
	resp = preflight(t, base.as(""), "https://dash.example.org")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://dash.example.org" {
		t.Fatalf("second origin: %v", resp.Header)
	}
	resp = preflight(t, base.as(""), "http://evil.localhost:5173")
	if resp.StatusCode == http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("refused preflight: %d %v", resp.StatusCode, resp.Header)
	}
	for _, role := range auth.Roles() {
		e := base.asRole(role)
		resp := corsPost(t, e, dashOrigin)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != dashOrigin ||
			!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Kith-Bookmark") {
			t.Errorf("%s: allowed POST: %d %v", role, resp.StatusCode, resp.Header)
		}
		resp = corsPost(t, e, "http://evil.localhost:5173")
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: refused origin got CORS headers: %v", role, resp.Header)
		}
	}
	if resp := corsPost(t, base.as(""), dashOrigin); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token from an allowed origin: %d", resp.StatusCode)
	}

	// Without an allow-list there is no CORS at all.
	plain := base.sibling(nil).as("")
	if resp := preflight(t, plain, dashOrigin); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("CORS without origins: %v", resp.Header)
	}
}

func TestParseCORSOrigins(t *testing.T) {
	for _, bad := range []string{"*", "http://*.example.org", "localhost:5173", "http://localhost:5173/app", "ftp://x", "http://a@b"} {
		if _, err := server.ParseCORSOrigins(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	got, err := server.ParseCORSOrigins("")
	if err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
}
