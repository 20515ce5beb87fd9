package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"kith/server"
)

// dashboardFlags are serve's settings for browsers: other origins (dashboards) and the
// GraphiQL page's OpenID Connect sign-in.
type dashboardFlags struct {
	corsOrigins string
	oidc        server.OIDCConfig
	livePoll    time.Duration
	liveMax     int
}

func (f *dashboardFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.corsOrigins, "cors-origins", env("KITH_CORS_ORIGINS", ""),
		"comma-separated browser origins allowed to call the API (e.g. http://localhost:5173); none: no CORS")
	fs.StringVar(&f.oidc.AuthorizationEndpoint, "oidc-authorize-url", env("KITH_OIDC_AUTHORIZE_URL", ""),
		"OpenID Connect authorization endpoint GraphiQL's sign-in sends browsers to (none: no OIDC sign-in)")
	fs.StringVar(&f.oidc.TokenEndpoint, "oidc-token-url", env("KITH_OIDC_TOKEN_URL", ""), "OpenID Connect token endpoint")
	fs.StringVar(&f.oidc.ClientID, "oidc-client-id", env("KITH_OIDC_CLIENT_ID", ""), "GraphiQL's public client id at the provider (redirect URI <server>/graphiql)")
	fs.StringVar(&f.oidc.Scope, "oidc-scope", env("KITH_OIDC_SCOPE", "openid"), "scope GraphiQL's sign-in asks for")
	fs.StringVar(&f.oidc.Name, "oidc-name", env("KITH_OIDC_NAME", ""), "what GraphiQL's sign-in button calls the provider")
	fs.DurationVar(&f.livePoll, "live-poll", durationEnv("KITH_LIVE_POLL", time.Second), "how often a subscription re-reads Neo4j")
	fs.IntVar(&f.liveMax, "live-max-per-token", intEnv("KITH_LIVE_MAX_PER_TOKEN", 5), "subscriptions one token may hold at once on this instance (0: no limit)")
}

// apply puts the flags into the server's configuration.
func (f *dashboardFlags) apply(cfg *server.Config) error {
	origins, err := server.ParseCORSOrigins(f.corsOrigins)
	if err != nil {
		return err
	}
	cfg.CORSOrigins = origins
	if f.livePoll < 10*time.Millisecond {
		return fmt.Errorf("KITH_LIVE_POLL must be at least 10ms")
	}
	cfg.LivePoll, cfg.LiveMaxPerToken = f.livePoll, f.liveMax
	if f.oidc.AuthorizationEndpoint != "" || f.oidc.TokenEndpoint != "" || f.oidc.ClientID != "" {
		if err := f.oidc.Check(); err != nil {
			return err
		}
		cfg.OIDC = &f.oidc
	}
	return nil
}

// browserBanner says what serve offers browsers, exactly as configured.
func browserBanner(cfg server.Config, addr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  GraphiQL: http://%s/graphql in a browser (embedded: works offline), with the explorer\n", addr)
	var signIn []string
	if len(cfg.DevTokens) > 0 {
		signIn = append(signIn, "pick a development role")
	}
	signIn = append(signIn, "paste a token")
	if cfg.OIDC != nil {
		signIn = append(signIn, "sign in with OpenID Connect")
	}
	fmt.Fprintf(&b, "            and an example query; sign in at its top: %s.\n", strings.Join(signIn, ", "))
	if cfg.Introspection {
		fmt.Fprintf(&b, "  Schema:   http://%s/schema.graphql; introspection (Docs, Explorer) is on for every role.\n", addr)
	} else {
		fmt.Fprintf(&b, "  Schema:   http://%s/schema.graphql and introspection (Docs, Explorer) for admins only.\n", addr)
	}
	fmt.Fprintf(&b, "  Live:     subscriptions over graphql-ws at ws://%s/graphql, re-read every %s, %d per token.\n", addr, cfg.LivePoll, cfg.LiveMaxPerToken)
	if len(cfg.CORSOrigins) > 0 {
		fmt.Fprintf(&b, "  CORS:     pages on %s may call the API.\n", strings.Join(cfg.CORSOrigins, ", "))
	} else {
		b.WriteString("  CORS:     off (KITH_CORS_ORIGINS): pages on other origins may not call the API.\n")
	}
	return b.String()
}

// schemaCmd prints the GraphQL schema, as /schema.graphql serves it.
func schemaCmd() error {
	_, err := os.Stdout.WriteString(server.SchemaSDL())
	return err
}
