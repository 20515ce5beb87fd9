package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"kith/auth"
	"kith/cypher"
	"kith/internal/browsertest"
	"kith/internal/neo4jtest"
	"kith/seed"
	"kith/server"
)

// BenchmarkMap measures the community map in headless Chromium over a synthetic community
// (KITH_BENCH_PEOPLE, default 10,000 people): the time from sign-in to the first frame drawn
// (reading the network through /graphql included, and without it), and the frames per
// second the browser shows while the map is dragged for three seconds once the layout has
// settled, beside the frames per second the same browser shows a page with no map (the
// ceiling on this machine). Reported in BENCHMARKS.md:
//
//	KITH_BENCH_NEO4J_URI=bolt://127.0.0.1:7690 go test -run XXX -bench Map -benchtime 3x -timeout 30m ./server
func BenchmarkMap(b *testing.B) {
	uri, people := neo4jtest.BenchDatabase(b)
	ctx := context.Background()
	driver := neo4jtest.Driver(b, uri)
	store := cypher.New(driver, cypher.Options{})
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	g := seed.Synthetic(people, 1)
	neo4jtest.EnsurePeople(b, driver, g.People(), func() error { return g.Load(ctx, store, nil) })
	cfg := server.DefaultConfig()
	verifier, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		b.Fatal(err)
	}
	cfg.Verifier, cfg.RateLimit = verifier, 0
	cfg.RequestTimeout = 5 * time.Minute
	cfg.DevTokens = []server.DevToken{{Role: "admin", About: "bench", Token: mint(b, "bench", []auth.Role{auth.Admin}, nil)}}
	api := server.New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(api.Handler())
	defer func() { srv.Close(); api.Close() }()
	browser := browsertest.New(b, 30*time.Minute)

	var toDraw, drawOnly, fps, idleFPS float64
	var nodes, ties int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab, cancel := chromedp.NewContext(browser)
		var timings []float64
		var nodesAttr, tiesAttr string
		// The floor: the frames per second this browser shows a page with no map at all.
		var idle float64
		err := chromedp.Run(tab,
			chromedp.Navigate(srv.URL+"/map/"),
			chromedp.WaitVisible(`#dev-role-list button[data-role="admin"]`),
			chromedp.Evaluate(panScript, &idle, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			chromedp.Click(`#dev-role-list button[data-role="admin"]`),
			chromedp.WaitVisible(`body[data-state="drawn"]`),
			chromedp.Poll(`performance.getEntriesByName("kith-map-drawn").length > 0`, nil),
			chromedp.Evaluate(`["kith-map-signin", "kith-map-loaded", "kith-map-drawn"].map((n) => performance.getEntriesByName(n)[0].startTime)`, &timings),
			chromedp.AttributeValue(`#map`, "data-nodes", &nodesAttr, nil),
			chromedp.AttributeValue(`#map`, "data-ties", &tiesAttr, nil),
			chromedp.WaitVisible(`#map[data-settled="true"]`),
		)
		if err != nil {
			b.Fatal(err)
		}
		toDraw += timings[2] - timings[0]
		drawOnly += timings[2] - timings[1]
		b.Logf("sign-in to draw %.0f ms (data read at %.0f ms)", timings[2]-timings[0], timings[1]-timings[0])
		nodes, _ = strconv.Atoi(nodesAttr)
		ties, _ = strconv.Atoi(tiesAttr)

		// Drag the map to and fro for three seconds, a mouse move every frame, counting the
		// frames the browser shows.
		var frames float64
		if err := chromedp.Run(tab, chromedp.Evaluate(panScript, &frames, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		})); err != nil {
			b.Fatal(err)
		}
		fps += frames
		idleFPS += idle
		cancel()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(toDraw/n, "ms-signin-to-draw")
	b.ReportMetric(drawOnly/n, "ms-data-to-draw")
	b.ReportMetric(fps/n, "fps-panning")
	b.ReportMetric(idleFPS/n, "fps-no-map")
	b.ReportMetric(float64(nodes), "nodes")
	b.ReportMetric(float64(ties), "ties")
}

// panScript drags the map with the mouse for three seconds, one move a frame, and returns
// the frames per second the browser showed meanwhile.
const panScript = `(async () => {
  const map = document.getElementById("map");
  const r = map.getBoundingClientRect();
  const target = map.querySelector("canvas:last-of-type") || map;
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  const ev = (type, x, y) => target.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, button: 0, buttons: type === "mouseup" ? 0 : 1 }));
  ev("mousedown", cx, cy);
  let frames = 0;
  const t0 = performance.now();
  await new Promise((done) => {
    const tick = (t) => {
      frames++;
      const dx = 150 * Math.sin(((t - t0) / 1500) * 2 * Math.PI);
      ev("mousemove", cx + dx, cy + dx / 2);
      if (t - t0 < 3000) requestAnimationFrame(tick); else done();
    };
    requestAnimationFrame(tick);
  });
  ev("mouseup", cx, cy);
  return (frames * 1000) / (performance.now() - t0);
})()`
