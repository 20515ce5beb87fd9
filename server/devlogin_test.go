package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"kith/auth"
	"kith/server"
)

// The development sign-in lists the ready tokens to loopback callers, refuses a proxied
// caller, and does not exist on a server with no development tokens.
func TestDevTokens(t *testing.T) {
	tok := mint(t, "dev-analyst", []auth.Role{auth.Analyst}, nil)
	e := setupWith(t, func(c *server.Config) {
		c.DevTokens = []server.DevToken{{Role: "analyst", About: "pseudonyms only", Token: tok}}
	})
	resp, err := http.Get(e.srv.URL + "/dev/tokens")
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Tokens []server.DevToken }
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(body.Tokens) != 1 || body.Tokens[0].Token != tok {
		t.Fatalf("GET /dev/tokens: status %d, %+v, %v", resp.StatusCode, body, err)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	// The listed token works.
	e.token = body.Tokens[0].Token
	if r := e.do(`{ people(first: 1) { totalCount } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("the development token was refused: %v", r.Errors)
	}

	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/dev/tokens", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a proxied caller got %d, want 403", resp.StatusCode)
	}

	prod := setup(t)
	resp, err = http.Get(prod.srv.URL + "/dev/tokens")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("a server with no development tokens served /dev/tokens")
	}
}
