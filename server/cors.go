package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
)

// This file lets browser apps on other origins (a dashboard on its own dev server) call
// Kith: an allow-list of origins (Config.CORSOrigins, KITH_CORS_ORIGINS) answered by
// github.com/rs/cors. A preflight (OPTIONS) is answered here, before the token check: it
// carries no token and reads nothing. Requests themselves still need their bearer token;
// no cookie is ever read, so credentials are not allowed. With no origins listed no CORS
// header is sent, and browsers keep other origins out.

// ParseCORSOrigins reads a comma-separated list of origins (scheme://host[:port]), as
// KITH_CORS_ORIGINS holds them. A wildcard, a path or a query is refused: the list names
// each origin it allows.
func ParseCORSOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Contains(u.Host, "*") ||
			u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("CORS origin %q: want scheme://host[:port], e.g. http://localhost:5173", o)
		}
		out = append(out, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	return out, nil
}

// corsHeaders are the request headers a browser app may send, and exposedHeaders the
// response headers it may read.
var (
	corsHeaders    = []string{"Authorization", "Content-Type", "Accept", BookmarkHeader, "X-Request-Id"}
	exposedHeaders = []string{BookmarkHeader, "X-Request-Id", "Retry-After"}
)

// cors answers preflights and adds the CORS headers for the allowed origins; without any,
// it is next itself.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins: s.cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: corsHeaders,
		ExposedHeaders: exposedHeaders,
		MaxAge:         600,
	}).Handler(next)
}
