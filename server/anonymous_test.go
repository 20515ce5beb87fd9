package server_test

import (
	"net/http"
	"net/netip"
	"testing"

	"kith/server"
)

// TestAnonymousBehindAProxy holds anonymous callers behind a trusted proxy to the rate limit
// by the address X-Forwarded-For gives them, so one caller's burst does not stop the others;
// what a caller writes into the header itself changes nothing, and without trusted proxies
// the header is not read at all.
func TestAnonymousBehindAProxy(t *testing.T) {
	const burst = 2
	get := func(e *env, forwarded string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/openreferral/services", nil)
		if err != nil {
			t.Fatal(err)
		}
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	spend := func(e *env, forwarded string) {
		t.Helper()
		for i := range burst {
			if s := get(e, forwarded); s != http.StatusOK {
				t.Fatalf("request %d from %q: %d", i, forwarded, s)
			}
		}
		if s := get(e, forwarded); s != http.StatusTooManyRequests {
			t.Fatalf("past the burst from %q: %d", forwarded, s)
		}
	}

	t.Run("trusted proxy", func(t *testing.T) {
		e := setupWith(t, func(c *server.Config) {
			c.RateLimit, c.RateBurst = 0.001, burst
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}
		})
		spend(e, "203.0.113.1")
		// A caller who writes another address to the left of their own is still themselves.
		if s := get(e, "198.51.100.7, 203.0.113.1"); s != http.StatusTooManyRequests {
			t.Errorf("a forged left-hand entry escaped the limit: %d", s)
		}
		// Behind two trusted proxies, the address before them.
		if s := get(e, "203.0.113.1, 10.1.2.3"); s != http.StatusTooManyRequests {
			t.Errorf("through a second proxy: %d", s)
		}
		// Another caller still gets through.
		if s := get(e, "203.0.113.2"); s != http.StatusOK {
			t.Errorf("another caller behind the proxy: %d", s)
		}
		// A header that is not an address counts as the proxy itself.
		spend(e, "not-an-address")
		if s := get(e, ""); s != http.StatusTooManyRequests {
			t.Errorf("the proxy's own requests: %d", s)
		}
	})

	t.Run("no trusted proxy", func(t *testing.T) {
		e := setupWith(t, func(c *server.Config) { c.RateLimit, c.RateBurst = 0.001, burst })
		spend(e, "203.0.113.1")
		if s := get(e, "203.0.113.2"); s != http.StatusTooManyRequests {
			t.Errorf("X-Forwarded-For was read without a trusted proxy: %d", s)
		}
	})
}
