package server

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"kith/apierr"
)

// limiter is a token bucket per bearer token, in memory: each token may make Burst
// requests at once and Rate a second after that. Being in memory, the limit holds per
// server instance; behind a load balancer of n instances a token gets up to n times it.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the limiter's memory: past it, buckets that have refilled are dropped.
const maxBuckets = 100_000

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes one request from key's bucket. When the bucket is empty it returns false
// and how many whole seconds to wait, for Retry-After. A limiter with rate <= 0 allows all.
func (l *limiter) allow(key string) (string, bool) {
	if l == nil || l.rate <= 0 {
		return "", true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		wait := math.Ceil((1 - b.tokens) / l.rate)
		return strconv.Itoa(int(wait)), false
	}
	b.tokens--
	return "", true
}

// sweep drops the buckets that would be full by now: forgetting them changes nothing.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// rateLimit holds each token (authenticate put its key in the context) to the rate
// limit: beyond it, a request is answered 429 with Retry-After and UNAVAILABLE.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if wait, ok := s.limiter.allow(tokenOf(ctx)); !ok {
			s.log.InfoContext(ctx, "rate limited", "request_id", RequestID(ctx), "path", r.URL.Path, "sub", principal(ctx).Subject)
			s.cfg.Telemetry.RateLimited(r.URL.Path)
			w.Header().Set("Retry-After", wait)
			writeError(w, http.StatusTooManyRequests, apierr.Unavailable("too many requests for this token; retry after "+wait+" s", nil))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// anonymous is the edge of the routes callers reach without a bearer token (the directory,
// calendar feeds): each client address (clientAddress) is held to the rate limit, and to
// fair use, as a token is. The limit holds per instance.
func (s *Server) anonymous(next http.Handler) http.Handler {
	fair := s.fairUse(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		key := "anonymous:" + clientAddress(r, s.cfg.TrustedProxies)
		if wait, ok := s.limiter.allow(key); !ok {
			s.log.InfoContext(ctx, "rate limited", "request_id", RequestID(ctx), "path", loggedPath(r), "sub", "")
			s.cfg.Telemetry.RateLimited(loggedPath(r))
			w.Header().Set("Retry-After", wait)
			writeError(w, http.StatusTooManyRequests, apierr.Unavailable("too many requests from this address; retry after "+wait+" s", nil))
			return
		}
		fair.ServeHTTP(w, r.WithContext(context.WithValue(ctx, tokenCtxKey{}, key)))
	})
}

// clientAddress is the address a request comes from: the connection's, or, when that is
// one of the trusted proxies, the nearest address in X-Forwarded-For that is not a trusted
// proxy (read from the right: each proxy appends the address it was reached from, and
// whatever a caller wrote itself stands to the left). An entry that is not an address
// ends the walk at the last trusted hop, so a malformed header counts as the proxy's.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(addr, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		hop = hop.Unmap()
		if !isTrusted(hop, trusted) {
			return hop.String()
		}
		host = hop.String()
	}
	return host
}

// isTrusted says whether addr is one of the trusted proxies.
func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	addr = addr.Unmap()
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
