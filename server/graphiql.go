package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/vektah/gqlparser/v2/formatter"

	"kith/apierr"
	"kith/graph"
	graphiqlweb "kith/web/graphiql"
)

// This file serves Kith's own GraphiQL (web/graphiql: GraphiQL with the explorer plugin, an
// example query and a sign-in that fills the Authorization header) from the bundle embedded
// in the binary, so it works with no network, and the schema as SDL.
//
// The page holds no data, so it is served to every browser, with or without a token: what
// it can show comes from the API, with the token its user signs in with. Its docs and
// explorer read the schema by introspection, which a production server allows admins only
// (KITH_INTROSPECTION); other roles there run queries without them.

// OIDCConfig names an OpenID Connect provider the GraphiQL page signs in with: the
// authorization-code flow with PKCE, run in the page for a public client. The access token
// it gets must be one the server's Verifier accepts (KITH_JWKS).
type OIDCConfig struct {
	// Name is what the sign-in button calls the provider.
	Name string `json:"name,omitempty"`
	// AuthorizationEndpoint and TokenEndpoint are the provider's endpoints.
	AuthorizationEndpoint string `json:"authorizationEndpoint"`
	TokenEndpoint         string `json:"tokenEndpoint"`
	// ClientID is the page's client at the provider, whose redirect URI is
	// <server>/graphiql.
	ClientID string `json:"clientId"`
	// Scope is the scope asked for (default "openid").
	Scope string `json:"scope,omitempty"`
}

// Check reports what is missing or wrong in the configuration.
func (o *OIDCConfig) Check() error {
	for name, v := range map[string]string{"authorization endpoint": o.AuthorizationEndpoint, "token endpoint": o.TokenEndpoint} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("OIDC " + name + " must be an http(s) URL")
		}
	}
	if o.ClientID == "" {
		return errors.New("OIDC needs a client id")
	}
	return nil
}

// pageConfig is what the page reads from its kith-config element.
type pageConfig struct {
	Endpoint  string      `json:"endpoint"`
	DevTokens bool        `json:"devTokens"`
	OIDC      *OIDCConfig `json:"oidc,omitempty"`
}

var graphiqlTemplate = template.Must(template.New("graphiql").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kith GraphiQL</title>
<link rel="stylesheet" href="/graphiql/app.css">
</head>
<body>
<div id="root"></div>
<script id="kith-config" type="application/json">{{.}}</script>
<script src="/graphiql/app.js"></script>
</body>
</html>
`))

// graphiqlPage returns the handler of the page.
func (s *Server) graphiqlPage() http.Handler {
	cfg, _ := json.Marshal(pageConfig{Endpoint: "/graphql", DevTokens: len(s.cfg.DevTokens) > 0, OIDC: s.cfg.OIDC})
	var page bytes.Buffer
	if err := graphiqlTemplate.Execute(&page, template.JS(cfg)); err != nil {
		panic(err)
	}
	connect := "'self'"
	if s.cfg.OIDC != nil {
		if u, err := url.Parse(s.cfg.OIDC.TokenEndpoint); err == nil {
			connect += " " + u.Scheme + "://" + u.Host
		}
	}
	csp := "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src " +
		connect + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	body := page.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	})
}

// wantsPage reports whether a request to /graphql is a browser opening the page.
func wantsPage(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.RawQuery == "" && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// graphiqlRoutes serves the page at /graphiql too (the OIDC redirect comes back there), its
// bundle, and /schema.graphql.
func (s *Server) graphiqlRoutes(mux *http.ServeMux) {
	mux.Handle("GET /graphiql", s.graphiqlPage())
	assets := http.StripPrefix("/graphiql/", http.FileServerFS(graphiqlweb.Dist()))
	mux.Handle("GET /graphiql/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if _, err := fs.Stat(graphiqlweb.Dist(), r.PathValue("file")); err != nil {
			http.NotFound(w, r)
			return
		}
		assets.ServeHTTP(w, r)
	}))
	sdl := []byte(SchemaSDL())
	serveSDL := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !(introspectionGate{always: s.cfg.Introspection}).allows(r.Context()) {
			writeError(w, http.StatusForbidden, apierr.Forbidden("", "the schema is for admins, or for everyone on a development server"))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="schema.graphql"`)
		_, _ = w.Write(sdl)
	})
	if s.cfg.Introspection {
		// A development server lets everyone introspect: the schema needs no token.
		mux.Handle("GET /schema.graphql", serveSDL)
	} else {
		mux.Handle("GET /schema.graphql", s.edge(serveSDL))
	}
}

// SchemaSDL returns Kith's GraphQL schema as SDL, as kith schema prints it and the
// committed schema.graphql holds it.
func SchemaSDL() string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	return b.String()
}
