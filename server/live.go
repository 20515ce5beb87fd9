package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kith/apierr"
	"kith/auth"
	"kith/pseudonym"
	"kith/resolvers"
)

// This file serves subscriptions (schema/dashboard.graphqls) over GraphQL over WebSocket
// (the graphql-ws protocol, and the older subscriptions-transport-ws) at /graphql. A
// browser cannot set headers on a WebSocket, so the socket is opened without a token and
// authenticated by connection_init's payload (Authorization: Bearer <token>), checked as the
// HTTP edge checks a header: the verifier, then revocations. Each subscription is then
// authorised like a query (authorise.go) and scoped like one (access). A token may hold
// Config.LiveMaxPerToken subscriptions at once on an instance (liveLimit). Subscriptions
// re-read Neo4j every Config.LivePoll (resolvers/dashboard.go), so several instances show
// each other's writes.

// liveLifetime bounds how long one socket stays open; clients reconnect.
const liveLifetime = time.Hour

// isWebsocket reports whether the request opens a WebSocket.
func isWebsocket(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// liveTransport is gqlgen's WebSocket transport, authenticating connection_init. The
// WebSocket library accepts the server's own origin and the origins CORS allows
// (liveOrigin's rule, which liveSocket applies first to answer with a coded error).
func (s *Server) liveTransport() transport.Websocket {
	return transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: s.cfg.CORSOrigins}},
		KeepAlivePingInterval: 15 * time.Second,
		InitFunc: func(ctx context.Context, init transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			token, ok := strings.CutPrefix(init.Authorization(), "Bearer ")
			if !ok || s.cfg.Verifier == nil {
				return ctx, nil, apierr.Unauthenticated("connection_init must carry Authorization: Bearer <token>", nil)
			}
			p, err := s.cfg.Verifier.Verify(strings.TrimSpace(token))
			if err != nil {
				return ctx, nil, err
			}
			if revoked, _, _ := s.state.check(p.Subject, p.IssuedAt); revoked {
				return ctx, nil, apierr.Unauthenticated("this token has been revoked", nil)
			}
			ctx = context.WithValue(auth.WithPrincipal(ctx, p), tokenCtxKey{}, tokenKey(token))
			return pseudonym.NewContext(ctx, s.idCodec(p)), nil, nil
		},
	}
}

// liveSocket serves a WebSocket on /graphql: the GraphQL handler with the socket's own
// lifetime instead of a request's deadline, and the writer the socket needs.
func (s *Server) liveSocket(gql http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.liveOrigin(r) {
			writeError(w, http.StatusForbidden, apierr.Forbidden("Origin", "a page on this origin may not open a socket: list it in KITH_CORS_ORIGINS"))
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), liveLifetime)
		defer cancel()
		gql.ServeHTTP(w, r.WithContext(ctx))
	})
}

// liveOrigin reports whether a socket may open from the request's Origin: none (not a
// browser), the server's own, or one CORS allows (Config.CORSOrigins, cors.go), as for a
// request. Browsers do not preflight sockets, so this is where other pages are kept out.
func (s *Server) liveOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, allowed := range s.cfg.CORSOrigins {
		if strings.EqualFold(origin, allowed) {
			return true
		}
	}
	return false
}

// Unwrap lets the WebSocket upgrade reach the connection through the access log's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// liveConfig is what the resolvers need of the live settings.
func (c Config) liveConfig() resolvers.Live {
	return resolvers.Live{Poll: c.LivePoll, Timeout: c.RequestTimeout}
}

// liveLimit bounds the subscriptions one token holds at once on this instance.
type liveLimit struct {
	max  int
	mu   *sync.Mutex
	held map[string]int
}

func newLiveLimit(max int) liveLimit {
	return liveLimit{max: max, mu: &sync.Mutex{}, held: map[string]int{}}
}

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = liveLimit{}

// ExtensionName names the extension.
func (liveLimit) ExtensionName() string { return "KithLiveLimit" }

// Validate accepts any schema.
func (liveLimit) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation holds a slot for each subscription until its context ends, and refuses
// one more than the limit with FORBIDDEN.
func (l liveLimit) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if l.max <= 0 || op.Operation == nil || op.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	key := tokenOf(ctx)
	l.mu.Lock()
	if l.held[key] >= l.max {
		l.mu.Unlock()
		err := &gqlerror.Error{Message: "this token already holds the most subscriptions allowed at once; end one first",
			Extensions: map[string]any{"code": string(apierr.CodeForbidden), "field": "subscription"}}
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
	}
	l.held[key]++
	l.mu.Unlock()
	go func() {
		<-ctx.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.held[key]--; l.held[key] <= 0 {
			delete(l.held, key)
		}
	}()
	return next(ctx)
}
