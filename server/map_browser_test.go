package server_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image/png"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kith/auth"
	"kith/cypher"
	"kith/internal/browsertest"
	"kith/seed"
	"kith/server"
)

// mapRoles are the roles the map is tried with, and what each must get: a drawn map
// (names or pseudonyms) or a refusal.
var mapRoles = []struct {
	role  auth.Role
	draws bool
}{
	{auth.Admin, true},
	{auth.Worker, true},
	{auth.Analyst, true},
	{auth.Partner, false},
	{auth.Researcher, false},
}

// mapEnv is a Kith over the demo neighbourhood whose development sign-in lists a token per
// role (a worker's covering Colliery Row), and the worker's area.
func mapEnv(t *testing.T) (*env, string) {
	t.Helper()
	e := setupWith(t, func(c *server.Config) { c.RequestTimeout = 2 * time.Minute })
	if err := seed.Demo().Load(context.Background(), e.store, nil); err != nil {
		t.Fatalf("load demo: %v", err)
	}
	var areas struct {
		Areas struct{ Nodes []struct{ ID, Name string } }
	}
	e.ok(`{ areas(first: 100) { nodes { id name } } }`, nil, &areas)
	area := ""
	for _, a := range areas.Areas.Nodes {
		if a.Name == "Colliery Row" {
			area = a.ID
		}
	}
	if area == "" {
		t.Fatal("the demo has no Colliery Row")
	}
	var tokens []server.DevToken
	for _, r := range mapRoles {
		var areas []string
		if r.role == auth.Worker {
			areas = []string{area}
		}
		tokens = append(tokens, server.DevToken{Role: string(r.role), About: "test " + string(r.role), Token: mint(t, "map-"+string(r.role), []auth.Role{r.role}, areas)})
	}
	return mapServer(e, func(c *server.Config) {
		c.DevTokens = tokens
		c.RequestTimeout = 2 * time.Minute
	}), area
}

// mapServer returns a second server over e's database whose store pages as Kith's does,
// up to paging.MaxSize a page (the harness's store narrows pages to 100): the map reads
// lists in pages that size.
func mapServer(e *env, configure func(*server.Config)) *env {
	c := *e
	c.store = cypher.New(e.driver, cypher.Options{})
	c.serve(configure)
	return &c
}

// watchErrors fails t when the page throws an exception it does not catch.
func watchErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*runtime.EventExceptionThrown); ok {
			t.Errorf("the page threw: %s", ev.ExceptionDetails.Error())
		}
	})
}

// signIn opens the map, picks the role in the development sign-in and waits until the
// page has drawn the map or said it may not.
func signIn(t *testing.T, ctx context.Context, base string, role auth.Role) string {
	t.Helper()
	var state string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/map"),
		chromedp.WaitVisible(fmt.Sprintf(`#dev-role-list button[data-role=%q]`, role)),
		chromedp.Click(fmt.Sprintf(`#dev-role-list button[data-role=%q]`, role)),
		chromedp.WaitVisible(`body[data-state]`),
		chromedp.AttributeValue(`body`, "data-state", &state, nil),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", role, err)
	}
	return state
}

// mapCount reads one of the counts the page keeps on the map element.
func mapCount(t *testing.T, ctx context.Context, attr string) int {
	t.Helper()
	var v string
	if err := chromedp.Run(ctx, chromedp.AttributeValue(`#map`, attr, &v, nil)); err != nil {
		t.Fatalf("read %s: %v", attr, err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s is %q", attr, v)
	}
	return n
}

// The map draws exactly the people the API gives each role, refuses the roles that may not
// see the graph, and keeps a text view with one row per node drawn.
func TestMapDrawsWhatEachRoleMaySee(t *testing.T) {
	e, area := mapEnv(t)
	browser := browsertest.New(t, 5*time.Minute)
	for _, r := range mapRoles {
		t.Run(string(r.role), func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(browser)
			defer cancel()
			watchErrors(t, ctx)
			state := signIn(t, ctx, e.srv.URL, r.role)
			if !r.draws {
				var msg string
				if err := chromedp.Run(ctx, chromedp.Text(`#status`, &msg)); err != nil {
					t.Fatal(err)
				}
				if state != "refused" || !strings.Contains(msg, "may not") {
					t.Fatalf("a %s got state %q, status %q; want a refusal", r.role, state, msg)
				}
				return
			}
			if state != "drawn" {
				t.Fatalf("state %q", state)
			}
			var areas []string
			if r.role == auth.Worker {
				areas = []string{area}
			}
			api := e.as(r.role, areas...)
			var got struct{ People struct{ TotalCount int } }
			api.ok(`{ people(first: 1) { totalCount } }`, nil, &got)
			if got.People.TotalCount == 0 {
				t.Fatal("the API gives no people: the test proves nothing")
			}
			if n := mapCount(t, ctx, "data-people"); n != got.People.TotalCount {
				t.Errorf("the map draws %d people, the API has %d", n, got.People.TotalCount)
			}
			var rows, personRows int
			if err := chromedp.Run(ctx,
				chromedp.WaitVisible(`#people-table tbody tr`),
				chromedp.Evaluate(`document.querySelectorAll('#people-table tbody tr').length`, &rows),
				chromedp.Evaluate(`document.querySelectorAll('#people-table tbody tr[data-kind=Person]').length`, &personRows),
			); err != nil {
				t.Fatal(err)
			}
			if nodes := mapCount(t, ctx, "data-nodes"); rows != nodes || personRows != got.People.TotalCount {
				t.Errorf("the text view has %d rows (%d people) for %d nodes drawn and %d people", rows, personRows, nodes, got.People.TotalCount)
			}
			if mapCount(t, ctx, "data-edges") == 0 {
				t.Error("no ties drawn")
			}
		})
	}
}

// The path view draws the route shortestTrustedPath returns, step for step, over ties
// that are on the map.
func TestMapDrawsTheShortestTrustedPath(t *testing.T) {
	e, _ := mapEnv(t)
	admin := e.as(auth.Admin)
	var people []string
	after := any(nil)
	for {
		var page struct {
			People struct {
				Nodes    []struct{ ID string }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		admin.ok(`query($after: String) { people(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after}, &page)
		for _, n := range page.People.Nodes {
			people = append(people, n.ID)
		}
		if !page.People.PageInfo.HasNextPage {
			break
		}
		after = page.People.PageInfo.EndCursor
	}
	var from string
	var route []string
	for _, id := range people {
		var got struct {
			ShortestTrustedPath *struct {
				Steps []struct{ Node struct{ ID string } }
			}
		}
		admin.ok(`query($id: ID!) { shortestTrustedPath(from: $id, to: { activity: "knit and natter" }) { steps { node { id } } } }`, map[string]any{"id": id}, &got)
		if p := got.ShortestTrustedPath; p != nil && len(p.Steps) >= 3 {
			from = id
			for _, s := range p.Steps {
				route = append(route, s.Node.ID)
			}
			break
		}
	}
	if from == "" {
		t.Fatal("no one in the demo has a trusted route of two ties or more to knit and natter")
	}
	ctx := browsertest.New(t, 3*time.Minute)
	watchErrors(t, ctx)
	if s := signIn(t, ctx, e.srv.URL, auth.Admin); s != "drawn" {
		t.Fatalf("state %q", s)
	}
	var drawn string
	var steps int
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(fmt.Sprintf(`#people-table tr[data-id=%q] button`, from)),
		chromedp.Click(fmt.Sprintf(`#people-table tr[data-id=%q] button`, from)),
		chromedp.WaitVisible(`#path-button`),
		chromedp.Click(`#path-button`),
		chromedp.WaitVisible(`#path-steps`),
		chromedp.AttributeValue(`#map`, "data-path", &drawn, nil),
		chromedp.Evaluate(`document.querySelectorAll('#path-steps li').length`, &steps),
	); err != nil {
		t.Fatal(err)
	}
	if drawn != strings.Join(route, " ") || steps != len(route) {
		t.Fatalf("the map drew %q (%d steps listed), the API's route is %q", drawn, steps, route)
	}
	if n := mapCount(t, ctx, "data-path-edges"); n != len(route)-1 {
		t.Errorf("%d of the route's %d ties are drawn on the map", n, len(route)-1)
	}
	browsertest.Screenshot(t, ctx, "map-path.png")
}

// An analyst's page holds no real name: not in the page, not in any response it received.
func TestMapShowsAnalystsNoRealName(t *testing.T) {
	e, _ := mapEnv(t)
	admin := e.as(auth.Admin)
	names := map[string]bool{}
	for _, q := range []string{
		`query($after: String) { list: people(first: 100, after: $after) { nodes { name: displayName } pageInfo { hasNextPage endCursor } } }`,
		`query($after: String) { list: familiarStrangerList(first: 100, after: $after) { nodes { name: displayName } pageInfo { hasNextPage endCursor } } }`,
	} {
		after := any(nil)
		for {
			var page struct {
				List struct {
					Nodes    []struct{ Name *string }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			admin.ok(q, map[string]any{"after": after}, &page)
			for _, n := range page.List.Nodes {
				if n.Name != nil && len(*n.Name) > 3 {
					names[*n.Name] = true
				}
			}
			if !page.List.PageInfo.HasNextPage {
				break
			}
			after = page.List.PageInfo.EndCursor
		}
	}
	if len(names) < 50 {
		t.Fatalf("only %d real names in the demo: the test proves little", len(names))
	}

	ctx := browsertest.New(t, 3*time.Minute)
	watchErrors(t, ctx)
	var mu sync.Mutex
	var finished []network.RequestID
	urls := map[network.RequestID]string{}
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventResponseReceived:
			urls[ev.RequestID] = ev.Response.URL
		case *network.EventLoadingFinished:
			finished = append(finished, ev.RequestID)
		}
	})
	if err := chromedp.Run(ctx, network.Enable()); err != nil {
		t.Fatal(err)
	}
	if s := signIn(t, ctx, e.srv.URL, auth.Analyst); s != "drawn" {
		t.Fatalf("state %q", s)
	}
	// Open someone's panel too, so that its contacts and links are read.
	var html string
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`#people-table tbody tr[data-kind=Person] button`),
		chromedp.Click(`#people-table tbody tr[data-kind=Person] button`),
		chromedp.WaitVisible(`#contacts h3`),
		chromedp.WaitVisible(`#key-list h3`),
		chromedp.OuterHTML(`html`, &html),
	); err != nil {
		t.Fatal(err)
	}
	for n := range names {
		if strings.Contains(html, n) {
			t.Errorf("the analyst's page shows the real name %q", n)
		}
	}
	mu.Lock()
	ids := append([]network.RequestID(nil), finished...)
	mu.Unlock()
	graphql := 0
	for _, id := range ids {
		var body []byte
		if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			body, err = network.GetResponseBody(id).Do(ctx)
			return err
		})); err != nil {
			continue // a response with no body (a redirect)
		}
		mu.Lock()
		u := urls[id]
		mu.Unlock()
		if strings.HasSuffix(u, "/graphql") {
			graphql++
		}
		for n := range names {
			if strings.Contains(string(body), n) {
				t.Errorf("a response to the analyst's page (%s) holds the real name %q", u, n)
			}
		}
	}
	if graphql < 5 {
		t.Fatalf("only %d GraphQL responses captured: the test proves little", graphql)
	}
	browsertest.Screenshot(t, ctx, "map-analyst.png")
}

// The page is served from the binary with a strict Content-Security-Policy and loads
// nothing from anywhere else.
func TestMapServesItsPageWithAStrictPolicy(t *testing.T) {
	e := mapServer(setup(t), nil)
	resp, err := http.Get(e.srv.URL + "/map/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("GET /map/: %d, CSP %q", resp.StatusCode, csp)
	}
	for _, p := range []string{"/map/map.js", "/map/map.css"} {
		resp, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	// No development sign-in on this server: the page offers the token box only.
	ctx := browsertest.New(t, time.Minute)
	watchErrors(t, ctx)
	var hidden bool
	if err := chromedp.Run(ctx,
		chromedp.Navigate(e.srv.URL+"/map/"),
		chromedp.WaitVisible(`#token`),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.Evaluate(`document.getElementById('dev-roles').hidden`, &hidden),
	); err != nil {
		t.Fatal(err)
	}
	if !hidden {
		t.Error("the development sign-in shows on a server without one")
	}
	// A pasted token works, and is not kept anywhere but the tab's memory.
	var state, stored string
	if err := chromedp.Run(ctx,
		chromedp.SendKeys(`#token`, e.token),
		chromedp.Click(`#token-form button`),
		chromedp.WaitVisible(`body[data-state]`),
		chromedp.AttributeValue(`body`, "data-state", &state, nil),
		chromedp.Evaluate(`JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie`, &stored),
	); err != nil {
		t.Fatal(err)
	}
	if state != "drawn" || strings.Contains(stored, e.token[:20]) || stored != "{}{}" {
		t.Fatalf("state %q, stored %q", state, stored)
	}
}

// Two waves side by side: the ties the page colours as gained and lost are the ones
// compareWaves counts over the same people and kinds.
func TestMapComparesTwoWaves(t *testing.T) {
	e, _ := mapEnv(t)
	var waves struct {
		Waves struct {
			Nodes []struct{ ID, CollectedOn string }
		}
	}
	e.ok(`{ waves(first: 10) { nodes { id collectedOn } } }`, nil, &waves)
	if len(waves.Waves.Nodes) < 2 {
		t.Fatalf("the demo has %d waves", len(waves.Waves.Nodes))
	}
	before, after := waves.Waves.Nodes[0], waves.Waves.Nodes[1]
	if before.CollectedOn > after.CollectedOn {
		before, after = after, before
	}
	var cmp struct{ CompareWaves struct{ Gained, Lost int } }
	e.ok(`query($a: ID!, $b: ID!) { compareWaves(before: $a, after: $b) { gained lost } }`, map[string]any{"a": before.ID, "b": after.ID}, &cmp)
	if cmp.CompareWaves.Gained == 0 || cmp.CompareWaves.Lost == 0 {
		t.Fatalf("the demo's waves differ by %+v: the test proves little", cmp.CompareWaves)
	}
	ctx := browsertest.New(t, 3*time.Minute)
	watchErrors(t, ctx)
	if s := signIn(t, ctx, e.srv.URL, auth.Admin); s != "drawn" {
		t.Fatalf("state %q", s)
	}
	var gained, lost string
	if err := chromedp.Run(ctx,
		// compareWaves reads ties between people of the four social kinds by default.
		chromedp.Click(`#kinds input[value="MEMBER_OF"]`),
		chromedp.Click(`#others`),
		chromedp.Evaluate(fmt.Sprintf(`(() => { const set = (id, v) => { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event("change")); };
			set("wave", %q); set("compare", %q); return 0; })()`, before.ID, after.ID), nil),
		chromedp.WaitVisible(`#map2[data-gained]`),
		chromedp.AttributeValue(`#map2`, "data-gained", &gained, nil),
		chromedp.AttributeValue(`#map2`, "data-lost", &lost, nil),
	); err != nil {
		t.Fatal(err)
	}
	if gained != strconv.Itoa(cmp.CompareWaves.Gained) || lost != strconv.Itoa(cmp.CompareWaves.Lost) {
		t.Errorf("the map colours %s ties gained and %s lost; compareWaves says %d and %d", gained, lost, cmp.CompareWaves.Gained, cmp.CompareWaves.Lost)
	}
	browsertest.Screenshot(t, ctx, "map-waves.png")
}

// The poster exports are what the map draws (read back by Go's own SVG-as-XML and PNG
// decoders), and the map can be driven from the keyboard and shown full screen.
func TestMapExportsKeyboardAndPresentation(t *testing.T) {
	e, _ := mapEnv(t)
	ctx := browsertest.New(t, 3*time.Minute)
	watchErrors(t, ctx)
	dir := t.TempDir()
	if err := chromedp.Run(ctx, browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir)); err != nil {
		t.Fatal(err)
	}
	if s := signIn(t, ctx, e.srv.URL, auth.Admin); s != "drawn" {
		t.Fatalf("state %q", s)
	}
	var width float64
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`#map[data-settled="true"]`),
		chromedp.Click(`#export-svg`),
		chromedp.Click(`#export-png`),
		chromedp.Evaluate(`document.getElementById("map").getBoundingClientRect().width`, &width),
	); err != nil {
		t.Fatal(err)
	}
	file := func(name string) []byte {
		t.Helper()
		for i := 0; i < 100; i++ {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(b) > 0 {
				return b
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s was not saved", name)
		return nil
	}
	var svg struct {
		Circles []struct{} `xml:"circle"`
		Rects   []struct{} `xml:"rect"`
		Lines   []struct{} `xml:"line"`
	}
	if err := xml.Unmarshal(file("kith-map.svg"), &svg); err != nil {
		t.Fatalf("the SVG does not parse: %v", err)
	}
	// One rect is the background.
	if got, want := len(svg.Circles)+len(svg.Rects)-1, mapCount(t, ctx, "data-nodes"); got != want {
		t.Errorf("the SVG has %d nodes, the map %d", got, want)
	}
	if got, want := len(svg.Lines), mapCount(t, ctx, "data-edges"); got != want {
		t.Errorf("the SVG has %d ties, the map %d", got, want)
	}
	img, err := png.Decode(bytes.NewReader(file("kith-map.png")))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if w := img.Bounds().Dx(); w < int(width) {
		t.Errorf("the PNG is %d wide for a map %v wide", w, width)
	}

	var heading, status string
	var controlsShown, presenting bool
	if err := chromedp.Run(ctx,
		chromedp.Focus(`#map`),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.Text(`#status`, &status),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`#panel h3`),
		chromedp.Text(`#panel h2`, &heading),
		chromedp.KeyEvent("p"),
		chromedp.Evaluate(`document.body.classList.contains("presenting")`, &presenting),
		chromedp.Evaluate(`getComputedStyle(document.getElementById("controls")).display !== "none"`, &controlsShown),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(status, "On the map: ") || heading == "" || !strings.Contains(status, heading) {
		t.Errorf("keyboard: status %q, panel %q", status, heading)
	}
	if !presenting || controlsShown {
		t.Errorf("presentation mode: on %v, controls shown %v", presenting, controlsShown)
	}
}

// A page that meets the per-token rate limit waits as Retry-After says and still draws.
func TestMapWaitsOutTheRateLimit(t *testing.T) {
	e := mapServer(setup(t), func(c *server.Config) { c.RateLimit, c.RateBurst = 2, 3 })
	ctx := browsertest.New(t, 2*time.Minute)
	watchErrors(t, ctx)
	limited := 0
	var mu sync.Mutex
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventResponseReceived); ok && ev.Response.Status == http.StatusTooManyRequests {
			mu.Lock()
			limited++
			mu.Unlock()
		}
	})
	var state string
	if err := chromedp.Run(ctx,
		network.Enable(),
		chromedp.Navigate(e.srv.URL+"/map/"),
		chromedp.WaitVisible(`#token`),
		chromedp.SendKeys(`#token`, e.token),
		chromedp.Click(`#token-form button`),
		chromedp.WaitVisible(`body[data-state]`),
		chromedp.AttributeValue(`body`, "data-state", &state, nil),
	); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if limited == 0 {
		t.Fatal("no request met the limit: the test proves nothing")
	}
	if state != "drawn" {
		t.Fatalf("after %d limited requests the page is %q", limited, state)
	}
}

// Dragging and wheeling the map move a picture of it, and when the gesture ends the map is
// drawn again where the picture went: the person under the mouse stays under it, and the
// click that ends a drag selects no one.
func TestMapMovesUnderTheMouse(t *testing.T) {
	e, _ := mapEnv(t)
	ctx := browsertest.New(t, 3*time.Minute)
	watchErrors(t, ctx)
	if s := signIn(t, ctx, e.srv.URL, auth.Admin); s != "drawn" {
		t.Fatalf("state %q", s)
	}
	// The first person in the table, centred by the keyboard (Enter opens and centres).
	var heading string
	var rect struct{ Left, Top, Width, Height float64 }
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`#map[data-settled="true"]`),
		chromedp.Focus(`#map`),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`#panel h3`),
		chromedp.Text(`#panel h2`, &heading),
		chromedp.Sleep(time.Second), // the camera's move to the person takes 300 ms
		chromedp.Evaluate(`(() => { const r = document.getElementById("map").getBoundingClientRect(); return { left: r.left, top: r.top, width: r.width, height: r.height }; })()`, &rect),
	); err != nil {
		t.Fatal(err)
	}
	if rect.Height < 400 {
		t.Fatalf("the map is %v high", rect.Height)
	}
	cx, cy := rect.Left+rect.Width/2, rect.Top+rect.Height/2
	const dx, dy = 120, 60
	panel := func(want string, same bool) {
		t.Helper()
		// Two clicks closer than sigma's doubleClickTimeout (300 ms) zoom the map.
		time.Sleep(400 * time.Millisecond)
		var got string
		deadline := time.Now().Add(10 * time.Second)
		for {
			if err := chromedp.Run(ctx, chromedp.Text(`#panel h2`, &got)); err != nil {
				t.Fatal(err)
			}
			if (got == want) == same || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if (got == want) != same {
			t.Fatalf("the panel shows %q (want %q: %v)", got, want, same)
		}
	}
	// They are at the centre: a click there opens them.
	if err := chromedp.Run(ctx, chromedp.MouseClickXY(cx+dx, cy+dy), chromedp.Sleep(500*time.Millisecond), chromedp.MouseClickXY(cx, cy)); err != nil {
		t.Fatal(err)
	}
	panel(heading, true)
	moved := `[...document.querySelectorAll("#map canvas:not(.sigma-mouse)")].every((c) => c.style.transform.startsWith("matrix"))`
	still := `[...document.querySelectorAll("#map canvas")].every((c) => c.style.transform === "")`

	// Drag from below the person, down and to the right.
	var during bool
	press := func(x, y float64) chromedp.Action {
		return input.DispatchMouseEvent(input.MousePressed, x, y).WithButton(input.Left).WithButtons(1).WithClickCount(1)
	}
	actions := []chromedp.Action{press(cx, cy+150)}
	for i := 1; i <= 10; i++ {
		actions = append(actions, input.DispatchMouseEvent(input.MouseMoved, cx+float64(dx*i)/10, cy+150+float64(dy*i)/10).WithButton(input.Left).WithButtons(1))
	}
	actions = append(actions,
		chromedp.Evaluate(moved, &during),
		input.DispatchMouseEvent(input.MouseReleased, cx+dx, cy+150+dy).WithButton(input.Left).WithClickCount(1),
		chromedp.Poll(still, nil, chromedp.WithPollingTimeout(20*time.Second)),
	)
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
	if !during {
		t.Error("the canvases did not move as a picture during the drag")
	}
	time.Sleep(500 * time.Millisecond)
	panel(heading, true) // the drag's click selected no one

	// The person moved with the mouse: where they were is someone else or no one, where the
	// drag took them is them.
	if err := chromedp.Run(ctx, chromedp.MouseClickXY(cx, cy)); err != nil {
		t.Fatal(err)
	}
	panel(heading, false)
	x, y := cx+dx, cy+dy
	if err := chromedp.Run(ctx, chromedp.MouseClickXY(x, y)); err != nil {
		t.Fatal(err)
	}
	panel(heading, true)

	// Zooming in with the wheel over them keeps them under the mouse, a notch as sigma's
	// own zoom takes it (its zoomingRatio, 1.7, to the power of the wheel's delta, which
	// sigma reckons as -deltaY·3/360).
	zoom := func() float64 {
		var z string
		if err := chromedp.Run(ctx, chromedp.AttributeValue(`#map`, "data-zoom", &z, nil)); err != nil {
			t.Fatal(err)
		}
		f, err := strconv.ParseFloat(z, 64)
		if err != nil {
			t.Fatalf("data-zoom %q", z)
		}
		return f
	}
	before := zoom()
	var deltaY float64
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`document.addEventListener("wheel", (e) => { document.body.dataset.wheel = e.deltaY; }, { capture: true })`, nil),
		chromedp.MouseClickXY(cx, cy),
		input.DispatchMouseEvent(input.MouseWheel, x, y).WithDeltaX(0).WithDeltaY(-100),
		chromedp.Evaluate(moved, &during),
		chromedp.Poll(still, nil, chromedp.WithPollingTimeout(20*time.Second)),
	); err != nil {
		t.Fatal(err)
	}
	if !during {
		t.Error("the canvases did not scale as a picture during the wheel")
	}
	if err := chromedp.Run(ctx, chromedp.Evaluate(`Number(document.body.dataset.wheel)`, &deltaY)); err != nil || deltaY >= 0 {
		t.Fatalf("the wheel's deltaY: %v %v", deltaY, err)
	}
	if got, want := zoom()/before, math.Pow(1.7, -deltaY*3/360); math.Abs(got-want) > 0.01 {
		t.Errorf("the wheel zoomed %.3f×, want %.3f×", got, want)
	}
	panel(heading, false)
	if err := chromedp.Run(ctx, chromedp.MouseClickXY(x, y)); err != nil {
		t.Fatal(err)
	}
	panel(heading, true)
	browsertest.Screenshot(t, ctx, "map-moved.png")
}
