package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"kith/auth"
	"kith/cypher"
	"kith/server"
)

// This file is authentication on the command line: the token flags of serve, the
// development tokens serve prints, and `kith token`, which mints one.

// authFlags are the flags (and environment variables) that say which tokens serve accepts.
type authFlags struct {
	secret, publicKey, jwks, issuer, audience string
	introspection                             string
}

func (f *authFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.secret, "jwt-secret", env("KITH_JWT_SECRET", ""), "HS256 shared secret (at least 32 bytes); none of the three: a random development secret")
	fs.StringVar(&f.publicKey, "jwt-public-key", env("KITH_JWT_PUBLIC_KEY", ""), "file with an RSA (RS256) or P-256 (ES256) public key, PEM")
	fs.StringVar(&f.jwks, "jwks", env("KITH_JWKS", ""), "file with a JSON Web Key Set (RS256, ES256)")
	fs.StringVar(&f.issuer, "jwt-issuer", env("KITH_JWT_ISSUER", "kith"), "required iss claim (empty: not checked)")
	fs.StringVar(&f.audience, "jwt-audience", env("KITH_JWT_AUDIENCE", "kith-api"), "required aud claim (empty: not checked)")
	fs.StringVar(&f.introspection, "introspection", env("KITH_INTROSPECTION", ""), "allow schema introspection to every caller: true or false (default: true only with a development secret; admins always may)")
}

// verifier builds the token verifier. With no key configured it makes a random
// development secret, which it returns so that serve can print tokens signed with it.
func (f *authFlags) verifier(cfg *server.Config) (devSecret []byte, err error) {
	c := auth.Config{Issuer: f.issuer, Audience: f.audience}
	switch {
	case f.secret != "":
		c.Secret = []byte(f.secret)
	case f.publicKey != "":
		if c.PublicKeyPEM, err = os.ReadFile(f.publicKey); err != nil {
			return nil, fmt.Errorf("jwt public key: %w", err)
		}
	case f.jwks != "":
		if c.JWKS, err = os.ReadFile(f.jwks); err != nil {
			return nil, fmt.Errorf("jwks: %w", err)
		}
	default:
		devSecret = auth.NewSecret()
		c.Secret = devSecret
	}
	if cfg.Verifier, err = auth.NewVerifier(c); err != nil {
		return nil, err
	}
	switch f.introspection {
	case "":
		cfg.Introspection = devSecret != nil
	case "true", "false":
		cfg.Introspection = f.introspection == "true"
	default:
		return nil, fmt.Errorf("--introspection must be true or false, not %q", f.introspection)
	}
	return devSecret, nil
}

// devTokens mints one ready token per role, for a server running on a development secret:
// serve prints them and hands them to the sign-in of its pages (server.Config.DevTokens).
// The worker's token covers every top-level area, so it sees the whole demo.
func (f *authFlags) devTokens(ctx context.Context, store *cypher.Store, secret []byte) ([]server.DevToken, error) {
	var areas []string
	page, err := store.List(ctx, "Area", cypher.ListArgs{
		PageArgs: cypher.PageArgs{First: ptr(100)},
		Where:    map[string]any{"parent": map[string]any{"none": map[string]any{}}},
	}, &cypher.Selection{}, false)
	if err != nil {
		return nil, err
	}
	for _, r := range page.Records {
		if id, ok := r.Props["id"].(string); ok {
			areas = append(areas, id)
		}
	}
	grants := []struct {
		name, about string
		roles       []auth.Role
		areas       []string
	}{
		{"admin", "everything, every area", []auth.Role{auth.Admin}, nil},
		{"worker", "a community worker covering every area of the demo", []auth.Role{auth.Worker}, areas},
		{"analyst", "analysis on pseudonyms: no names, no contacts", []auth.Role{auth.Analyst}, nil},
		{"partner", "a partner app: suggestions for people who consented", []auth.Role{auth.Partner}, nil},
		{"researcher", "an analyst with the research copy's /cypher", []auth.Role{auth.Analyst, auth.Researcher}, nil},
	}
	var out []server.DevToken
	for _, g := range grants {
		if g.name == "worker" && len(areas) == 0 {
			continue // a worker needs areas; an empty database has none
		}
		tok, err := auth.MintHS256(secret, auth.Grant{Subject: "dev-" + g.name, Roles: g.roles, Areas: g.areas,
			Issuer: f.issuer, Audience: f.audience, TTL: 12 * time.Hour}, time.Now())
		if err != nil {
			return nil, err
		}
		out = append(out, server.DevToken{Role: g.name, About: g.about, Token: tok})
	}
	return out, nil
}

// devBanner is the part of serve's banner that lists the development tokens.
func devBanner(tokens []server.DevToken, addr string) string {
	var b strings.Builder
	b.WriteString("  No KITH_JWT_SECRET, KITH_JWT_PUBLIC_KEY or KITH_JWKS is set: this server made a random\n")
	b.WriteString("  development secret, so these tokens (valid 12 hours) work until it stops.\n")
	b.WriteString("  Send one as the header  Authorization: Bearer <token>, or pick a role on the pages'\n")
	fmt.Fprintf(&b, "  development sign-in (http://%s/dev/tokens lists them to loopback callers).\n", addr)
	for _, t := range tokens {
		fmt.Fprintf(&b, "  %-11s %s\n", t.Role+":", t.Token)
	}
	return b.String()
}

// tokenCmd mints a development token: kith token --role R [--role R2] [--area A] [--ttl D].
func tokenCmd(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	var roles, areas listFlag
	fs.Var(&roles, "role", "a role: admin, worker, analyst, partner, researcher (repeat or comma-separate for more)")
	fs.Var(&areas, "area", "an area id a worker covers (repeat or comma-separate for more)")
	ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
	sub := fs.String("sub", "", "the token's subject (default: dev-<first role>)")
	secret := fs.String("secret", env("KITH_JWT_SECRET", ""), "HS256 secret the server verifies with (KITH_JWT_SECRET)")
	issuer := fs.String("issuer", env("KITH_JWT_ISSUER", "kith"), "iss claim")
	audience := fs.String("audience", env("KITH_JWT_AUDIENCE", "kith-api"), "aud claim")
	_ = fs.Parse(args)
	if *secret == "" {
		return errors.New("token: set KITH_JWT_SECRET (the secret `kith serve` verifies with) or pass --secret")
	}
	if len(roles) == 0 {
		return errors.New("token: give at least one --role")
	}
	g := auth.Grant{Subject: *sub, Areas: areas, Issuer: *issuer, Audience: *audience, TTL: *ttl}
	for _, r := range roles {
		g.Roles = append(g.Roles, auth.Role(r))
	}
	if g.Subject == "" {
		g.Subject = "dev-" + roles[0]
	}
	if slicesContains(g.Roles, auth.Worker) && !slicesContains(g.Roles, auth.Admin) && len(areas) == 0 {
		return errors.New("token: a worker token needs --area (the ids of the areas they cover)")
	}
	tok, err := auth.MintHS256([]byte(*secret), g, time.Now())
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

// listFlag is a flag that may be repeated or given comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func slicesContains(list []auth.Role, r auth.Role) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

func intEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func floatEnv(name string, def float64) float64 {
	if f, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return f
	}
	return def
}

func ptr[T any](v T) *T { return &v }
