package server

import (
	"encoding/json"
	"net"
	"net/http"

	"kith/apierr"
)

// DevToken is a ready development token for one role.
type DevToken struct {
	// Role is the role's name (admin, worker, analyst, partner, researcher).
	Role string `json:"role"`
	// About says in plain words what the role sees.
	About string `json:"about"`
	// Token is the signed bearer token.
	Token string `json:"token"`
}

// devLoginRoutes serves GET /dev/tokens, the development sign-in of Kith's pages (the map,
// GraphiQL): the tokens serve minted on its random development secret, the same ones its
// banner prints. It exists only when serve runs on such a secret (Config.DevTokens), and
// answers only callers on the loopback interface: anyone who can read the server's output
// already has these tokens, and no one else gets them.
func (s *Server) devLoginRoutes(mux *http.ServeMux) {
	if len(s.cfg.DevTokens) == 0 {
		return
	}
	mux.HandleFunc("GET /dev/tokens", func(w http.ResponseWriter, r *http.Request) {
		if !fromLoopback(r) {
			writeError(w, http.StatusForbidden, apierr.Forbidden("", "development sign-in answers loopback callers only"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(struct {
			Tokens []DevToken `json:"tokens"`
		}{s.cfg.DevTokens})
	})
}

// fromLoopback reports whether the request came over the loopback interface and not
// through a proxy on it (which would say so in a Forwarded or X-Forwarded-For header).
func fromLoopback(r *http.Request) bool {
	if r.Header.Get("Forwarded") != "" || r.Header.Get("X-Forwarded-For") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
