package browsertest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The launcher starts Debian's Chromium and opens a loopback page.
func TestOpensLoopbackPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><title>kith</title><p id="p">loopback</p>`))
	}))
	defer srv.Close()
	ctx := New(t, time.Minute)
	var text string
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL), chromedp.Text("#p", &text)); err != nil {
		t.Fatal(err)
	}
	if text != "loopback" {
		t.Fatalf("page text %q", text)
	}
}
