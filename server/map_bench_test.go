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
// (KITH_BENCH_PEOPLE, default 10,000 people): the time from sign-in to the first frame shown
// (reading the network through /graphql included, and without it), and the frames per
// second the browser shows while the map is dragged for three seconds once the layout has
// settled (and how long after the release it is drawn again) and while it is zoomed with
// the wheel, beside the frames per second the same browser shows a page with no map (the
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

	var toDraw, drawOnly, fps, redraw, zoomFPS, zoomRedraw, idleFPS float64
	var nodes, ties int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab, cancel := chromedp.NewContext(browser)
		var timings []float64
		var nodesAttr, tiesAttr, tiesShown string
		// The floor: the frames per second this browser shows a page with no map at all.
		var idle struct{ FPS, Redraw float64 }
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
			chromedp.AttributeValue(`#map`, "data-ties-shown", &tiesShown, nil),
		)
		if err != nil {
			b.Fatal(err)
		}
		if tiesShown != "true" {
			b.Fatalf("the layout has settled and the ties are not drawn (data-ties-shown %q)", tiesShown)
		}
		toDraw += timings[2] - timings[0]
		drawOnly += timings[2] - timings[1]
		b.Logf("sign-in to draw %.0f ms (data read at %.0f ms)", timings[2]-timings[0], timings[1]-timings[0])
		nodes, _ = strconv.Atoi(nodesAttr)
		ties, _ = strconv.Atoi(tiesAttr)

		// Drag the map to and fro for three seconds, a mouse move every frame, then wheel it
		// in and out for three, counting the frames the browser shows.
		var pan struct{ FPS, Redraw float64 }
		var zoom struct{ FPS, Redraw float64 }
		await := func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
		if err := chromedp.Run(tab, chromedp.Evaluate(panScript, &pan, await), chromedp.Evaluate(zoomScript, &zoom, await)); err != nil {
			b.Fatal(err)
		}
		b.Logf("dragging %.1f frames/s, drawn again %.0f ms after release; zooming %.1f frames/s, drawn again %.0f ms after the last notch", pan.FPS, pan.Redraw, zoom.FPS, zoom.Redraw)
		fps += pan.FPS
		redraw += pan.Redraw
		zoomFPS += zoom.FPS
		zoomRedraw += zoom.Redraw
		idleFPS += idle.FPS
		cancel()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(toDraw/n, "ms-signin-to-draw")
	b.ReportMetric(drawOnly/n, "ms-data-to-draw")
	b.ReportMetric(fps/n, "fps-panning")
	b.ReportMetric(redraw/n, "ms-redraw-after-pan")
	b.ReportMetric(zoomFPS/n, "fps-zooming")
	b.ReportMetric(zoomRedraw/n, "ms-redraw-after-zoom")
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
  const t1 = performance.now();
  ev("mouseup", cx, cy);
  // The map drawn again where the drag left it: no canvas moved as a picture any more, and
  // two frames later, when the browser has shown what was drawn (without a GPU, it reads
  // the WebGL canvases back while it commits the frame after the draw).
  await new Promise((done) => {
    const drawn = () => [...map.querySelectorAll("canvas")].every((c) => c.style.transform === "") ? requestAnimationFrame(() => requestAnimationFrame(done)) : requestAnimationFrame(drawn);
    drawn();
  });
  return { fps: (frames * 1000) / (t1 - t0), redraw: performance.now() - t1 };
})()`

// zoomScript turns the mouse wheel over the map as a person zooming does, for three
// seconds: bursts of five notches 50 ms apart, in then out, and after each burst waits
// until the map is drawn again at its new zoom and shown. It returns the frames per second over the
// whole three seconds and the mean time from a burst's last notch to the map drawn again
// (the page waits 200 ms for the wheel to be still, then draws).
const zoomScript = `(async () => {
  const map = document.getElementById("map");
  const r = map.getBoundingClientRect();
  const target = map.querySelector("canvas:last-of-type") || map;
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  let frames = 0, going = true;
  const t0 = performance.now();
  const count = () => { frames++; if (going) requestAnimationFrame(count); };
  requestAnimationFrame(count);
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  const drawn = () => new Promise((done) => {
    const check = () => [...map.querySelectorAll("canvas")].every((c) => c.style.transform === "") ? requestAnimationFrame(() => requestAnimationFrame(done)) : requestAnimationFrame(check);
    check();
  });
  let redraws = 0, waited = 0;
  for (let burst = 0; performance.now() - t0 < 3000; burst++) {
    for (let i = 0; i < 5; i++) {
      if (i > 0) await sleep(50);
      target.dispatchEvent(new WheelEvent("wheel", { clientX: cx + 40, clientY: cy - 30, deltaY: burst % 2 ? 100 : -100, bubbles: true, cancelable: true }));
    }
    const last = performance.now();
    await sleep(150);
    await drawn();
    redraws++;
    waited += performance.now() - last;
  }
  going = false;
  return { fps: (frames * 1000) / (performance.now() - t0), redraw: waited / redraws };
})()`
