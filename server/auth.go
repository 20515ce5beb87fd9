package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"kith/apierr"
	"kith/auth"
)

// This file is authentication at the HTTP edge: every route but the health checks needs
// a valid bearer token; a request without one is answered 401 with a GraphQL-shaped
// error (code UNAUTHENTICATED and the reason) and logged with its request id and reason,
// never with the token. A verified request carries its auth.Principal in its context; the
// middleware after it (server.go, edge) each do one thing more.

// bearer returns the token of an "Authorization: Bearer ..." header, and whether the
// request sent an Authorization header at all.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(token), true
}

// authenticate lets a request through to next only with a valid token, and puts its
// principal, and the key of its token (tokenKey), in the request's context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		token, sent := bearer(r)
		var p *auth.Principal
		var err error
		switch {
		case s.cfg.Verifier == nil:
			err = apierr.Unauthenticated("this server has no token verifier configured", nil)
		case !sent:
			err = apierr.Unauthenticated("a bearer token is required: send Authorization: Bearer <token>", nil)
		case token == "":
			err = apierr.Unauthenticated("the Authorization header must be: Bearer <token>", nil)
		default:
			p, err = s.cfg.Verifier.Verify(token)
		}
		if err != nil {
			e, _ := apierr.As(err)
			s.log.InfoContext(ctx, "unauthenticated", "request_id", RequestID(ctx), "path", r.URL.Path, "reason", e.Reason)
			w.Header().Set("WWW-Authenticate", `Bearer realm="kith", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, e)
			return
		}
		ctx = context.WithValue(auth.WithPrincipal(ctx, p), tokenCtxKey{}, tokenKey(token))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// tokenCtxKey holds the key of the request's token in its context.
type tokenCtxKey struct{}

// tokenOf returns the key of the request's token (tokenKey), set by authenticate.
func tokenOf(ctx context.Context) string {
	k, _ := ctx.Value(tokenCtxKey{}).(string)
	return k
}

// tokenKey identifies a token for the rate limiter without keeping the token itself.
func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:16])
}

// writeError answers with a GraphQL-shaped error body carrying the error's code.
func writeError(w http.ResponseWriter, status int, e *apierr.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	ext := map[string]any{"code": string(e.Code)}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{
		"errors": []map[string]any{{"message": e.Error(), "extensions": ext}},
	})
}

// principal returns the caller of ctx (nil when there is none).
func principal(ctx context.Context) *auth.Principal { return auth.FromContext(ctx) }
