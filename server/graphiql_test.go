package server_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"kith/auth"
	"kith/internal/browsertest"
	"kith/seed"
	"kith/server"
)

// TestGraphiQLOffline drives the embedded GraphiQL in headless Chromium that reaches
// loopback only: it signs in with a development role, runs the example query and sees the
// demo's areas; every request the page made went to the server itself.
func TestGraphiQLOffline(t *testing.T) {
	e := setupWith(t, func(c *server.Config) {
		c.DevTokens = []server.DevToken{
			{Role: "admin", About: "everything", Token: mint(t, "dev-admin", []auth.Role{auth.Admin}, nil)},
			{Role: "analyst", About: "pseudonyms only", Token: mint(t, "dev-analyst", []auth.Role{auth.Analyst}, nil)},
		}
	})
	if err := seed.Demo().Load(context.Background(), e.store, nil); err != nil {
		t.Fatal(err)
	}
	var areas struct {
		Areas struct {
			Nodes []struct{ Name string }
		}
	}
	e.ok(`{ areas(first: 5) { nodes { name } } }`, nil, &areas)
	if len(areas.Areas.Nodes) == 0 {
		t.Fatal("the demo has no areas")
	}

	ctx := browsertest.New(t, 2*time.Minute)
	var (
		mu        sync.Mutex
		requested []string
	)
	chromedp.ListenTarget(ctx, func(ev any) {
		if r, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, r.Request.URL)
			mu.Unlock()
		}
	})
	var result string
	err := chromedp.Run(ctx,
		network.Enable(),
		chromedp.Navigate(e.srv.URL+"/graphql"),
		chromedp.WaitVisible(`button[name="dev-sign-in"]`),
		chromedp.Click(`button[name="dev-sign-in"]`),
		chromedp.WaitVisible(`.kith-signin[data-state="signed-in"]`),
		chromedp.WaitVisible(`.graphiql-execute-button`),
		chromedp.Click(`.graphiql-execute-button`),
		chromedp.Poll(`(() => { const r = document.querySelector('.graphiql-response'); return r && r.innerText.includes('"totalCount"'); })()`, nil, chromedp.WithPollingTimeout(time.Minute)),
		chromedp.Text(`.graphiql-response`, &result),
	)
	browsertest.Screenshot(t, ctx, "graphiql-offline.png")
	if err != nil {
		t.Fatalf("GraphiQL: %v (result %q)", err, result)
	}
	for _, a := range areas.Areas.Nodes {
		if !strings.Contains(result, a.Name) {
			t.Errorf("the result does not show area %q: %s", a.Name, result)
		}
	}
	if strings.Contains(result, `"errors"`) {
		t.Errorf("the example query failed: %s", result)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(requested, " "), "/graphiql/app.js") {
		t.Errorf("the page's requests were not seen: %v", requested)
	}
	for _, u := range requested {
		if !strings.HasPrefix(u, e.srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s", u)
		}
	}
}

// TestGraphiQLPage: the page and its bundle are served to every browser without a token,
// with a policy that lets it load nothing from elsewhere; GraphQL requests without a token
// are still refused; /schema.graphql is the committed schema, for whoever may introspect.
func TestGraphiQLPage(t *testing.T) {
	e := setup(t)
	get := func(path, accept, token string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("/graphql", "text/html,application/xhtml+xml", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `/graphiql/app.js`) ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("page: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := get("/graphiql/app.js", "", ""); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("app.js: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := get("/graphiql/nothing.js", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a missing asset: %d", resp.StatusCode)
	}
	if resp, _ := get("/graphql", "application/json", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GraphQL without a token: %d", resp.StatusCode)
	}

	committed, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if server.SchemaSDL() != string(committed) {
		t.Fatal("schema.graphql is not what kith schema prints: run make generate")
	}
	for _, role := range auth.Roles() {
		resp, body := get("/schema.graphql", "", e.asRole(role).token)
		want := http.StatusForbidden
		if role == auth.Admin {
			want = http.StatusOK
		}
		if resp.StatusCode != want || (want == http.StatusOK && body != string(committed)) {
			t.Errorf("%s: /schema.graphql: %d", role, resp.StatusCode)
		}
	}
	if resp, _ := get("/schema.graphql", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/schema.graphql without a token on a production server: %d", resp.StatusCode)
	}
	dev := e.sibling(func(c *server.Config) { c.Introspection = true })
	req, _ := http.NewRequest(http.MethodGet, dev.srv.URL+"/schema.graphql", nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusOK || string(b) != string(committed) {
		t.Errorf("/schema.graphql on a development server: %d", r.StatusCode)
	}
}
