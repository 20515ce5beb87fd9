package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"kith/apierr"
	"kith/auth"
)

var (
	now    = time.Date(2025, 3, 15, 10, 0, 0, 0, time.UTC)
	secret = []byte("0123456789abcdef0123456789abcdef")
)

const (
	issuer   = "https://id.kith.test"
	audience = "kith-api"
)

// claims builds a claim set valid at now, changed by edits.
func claims(edits ...func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{
		"sub": "worker-7", "iss": issuer, "aud": audience,
		"iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		"roles": []string{"worker"}, "areas": []string{"area_barton"},
	}
	for _, e := range edits {
		e(c)
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func verifier(t *testing.T, cfg auth.Config) *auth.Verifier {
	t.Helper()
	cfg.Issuer, cfg.Audience, cfg.Now = issuer, audience, func() time.Time { return now }
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	return v
}

func rsaKey(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return k, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func ecKey(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return k, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func b64(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }

// unsigned builds header.claims. with an empty signature, as an "alg: none" attacker would.
func unsigned(header, body map[string]any) string {
	h, _ := json.Marshal(header)
	b, _ := json.Marshal(body)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

func TestVerify(t *testing.T) {
	rk, rsaPEM := rsaKey(t)
	ek, ecPEM := ecKey(t)
	rk2, _ := rsaKey(t)
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]any{
		{"kty": "RSA", "kid": "r1", "use": "sig", "alg": "RS256", "n": b64(rk.N), "e": b64(big.NewInt(int64(rk.E)))},
		{"kty": "EC", "kid": "e1", "crv": "P-256", "x": b64(ek.X), "y": b64(ek.Y)},
	}})
	hs := verifier(t, auth.Config{Secret: secret})
	rs := verifier(t, auth.Config{PublicKeyPEM: rsaPEM})
	es := verifier(t, auth.Config{PublicKeyPEM: ecPEM})
	ks := verifier(t, auth.Config{JWKS: jwks})
	small := verifier(t, auth.Config{Secret: secret, MaxTokenBytes: 200})

	cases := []struct {
		name  string
		v     *auth.Verifier
		token string
		// want is a substring of the refusal's reason; empty means the token is accepted.
		want string
	}{
		{"HS256 valid", hs, sign(t, jwt.SigningMethodHS256, secret, claims(), nil), ""},
		{"RS256 valid", rs, sign(t, jwt.SigningMethodRS256, rk, claims(), nil), ""},
		{"ES256 valid", es, sign(t, jwt.SigningMethodES256, ek, claims(), nil), ""},
		{"JWKS RSA by kid", ks, sign(t, jwt.SigningMethodRS256, rk, claims(), map[string]any{"kid": "r1"}), ""},
		{"JWKS EC by kid", ks, sign(t, jwt.SigningMethodES256, ek, claims(), map[string]any{"kid": "e1"}), ""},
		{"aud as a list", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["aud"] = []string{"other", audience} }), nil), ""},
		{"admin without areas", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["roles"] = []string{"admin"}; delete(c, "areas") }), nil), ""},

		{"no token", hs, "", "bearer token is required"},
		{"expired", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() }), nil), "expired"},
		{"not yet valid", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }), nil), "not valid yet"},
		{"issued in the future", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() }), nil), "issued in the future"},
		{"exp as a string", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = fmt.Sprint(now.Add(time.Hour).Unix()) }), nil), "exp claim must be a JSON number"},
		{"nbf as a string", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["nbf"] = fmt.Sprint(now.Add(-time.Minute).Unix()) }), nil), "nbf claim must be a JSON number"},
		{"iat as a string", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iat"] = fmt.Sprint(now.Add(-time.Minute).Unix()) }), nil), "iat claim must be a JSON number"},
		{"exp as a date string", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(time.Hour).Format(time.RFC3339) }), nil), "exp claim must be a JSON number"},
		{"exp as an object", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = map[string]any{"n": 1} }), nil), "exp claim must be a JSON number"},
		{"exp with a fraction", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = float64(now.Add(time.Hour).Unix()) + 0.5 }), nil), ""},
		{"no exp", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") }), nil), "required claim"},
		{"wrongly signed", hs, sign(t, jwt.SigningMethodHS256, []byte("another secret of thirty-two b!!"), claims(), nil), "signature is invalid"},
		{"signed by another RSA key", rs, sign(t, jwt.SigningMethodRS256, rk2, claims(), nil), "signature is invalid"},
		{"wrong audience", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["aud"] = "someone-else" }), nil), "audience"},
		{"no audience", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "aud") }), nil), "audience"},
		{"wrong issuer", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.test" }), nil), "issuer"},
		{"malformed: not a JWT", hs, "not-a-token", "malformed"},
		{"malformed: bad base64", hs, "a!.b!.c!", "malformed"},
		{"malformed: JSON header", hs, base64.RawURLEncoding.EncodeToString([]byte("{")) + ".e30.x", "malformed"},
		{"oversized", small, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 300) }), nil), "longer than 200 bytes"},
		{"roles is a string", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["roles"] = "admin" }), nil), "roles claim must be an array"},
		{"roles is a number", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["roles"] = 1 }), nil), "roles claim must be an array"},
		{"roles holds an object", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["roles"] = []any{map[string]any{"admin": true}} }), nil), "roles claim must be an array"},
		{"areas is a string", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["areas"] = "area_barton" }), nil), "areas claim must be an array"},
		{"unknown role", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["roles"] = []string{"superuser"} }), nil), "unknown role"},
		{"no role", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "roles") }), nil), "no role"},
		{"no subject", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "sub") }), nil), "no sub"},
		{"worker without areas", hs, sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "areas") }), nil), "areas"},
		{"alg none", hs, unsigned(map[string]any{"alg": "none", "typ": "JWT"}, claims()), "algorithm"},
		{"alg none against RSA", rs, unsigned(map[string]any{"alg": "none", "typ": "JWT"}, claims()), "algorithm"},
		{"HS256 signed with the RSA public key", rs, sign(t, jwt.SigningMethodHS256, rsaPEM, claims(), nil), "algorithm"},
		{"HS256 signed with the EC public key", es, sign(t, jwt.SigningMethodHS256, ecPEM, claims(), nil), "algorithm"},
		{"RS256 against an HS256 server", hs, sign(t, jwt.SigningMethodRS256, rk, claims(), nil), "algorithm"},
		{"JWKS: ES256 token naming the RSA key", ks, sign(t, jwt.SigningMethodES256, ek, claims(), map[string]any{"kid": "r1"}), "algorithm"},
		{"JWKS: unknown kid", ks, sign(t, jwt.SigningMethodRS256, rk, claims(), map[string]any{"kid": "nope"}), "key this server does not know"},
		{"JWKS: no kid", ks, sign(t, jwt.SigningMethodRS256, rk, claims(), nil), "key this server does not know"},
	}
	// Twice: the second pass meets the tokens the first one accepted, remembered.
	for pass := range 2 {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%d", c.name, pass), func(t *testing.T) { checkVerify(t, c.v, c.token, c.want) })
		}
	}
}

// checkVerify checks that v accepts token (want is empty) or refuses it with a reason
// that says want.
func checkVerify(t *testing.T, v *auth.Verifier, token, want string) {
	t.Helper()
	p, err := v.Verify(token)
	if want == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		if p.Subject != "worker-7" || len(p.Roles) == 0 {
			t.Errorf("principal %+v", p)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted %+v", p)
	}
	e, ok := apierr.As(err)
	if !ok || e.Code != apierr.CodeUnauthenticated {
		t.Fatalf("error %v is not UNAUTHENTICATED", err)
	}
	if !strings.Contains(e.Reason, want) {
		t.Errorf("reason %q does not say %q", e.Reason, want)
	}
	if token != "" && len(token) > 20 && strings.Contains(e.Error(), token[len(token)-20:]) {
		t.Error("the refusal quotes the token")
	}
}

// TestRememberedTokensKeepTheirLimits: a token remembered as verified is refused once its
// exp has passed, before its nbf or iat, and a caller changing the principal it got does
// not change what the next request gets.
func TestRememberedTokensKeepTheirLimits(t *testing.T) {
	clock := now
	v, err := auth.NewVerifier(auth.Config{Secret: secret, Issuer: issuer, Audience: audience,
		Leeway: 10 * time.Second, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) {
		c["exp"] = now.Add(time.Minute).Unix()
		c["nbf"] = now.Add(-time.Second).Unix()
	}), nil)
	checkVerify(t, v, tok, "")
	p, _ := v.Verify(tok)
	p.Roles[0], p.Areas = auth.Admin, nil
	q, err := v.Verify(tok)
	if err != nil || q.Has(auth.Admin) || len(q.Areas) == 0 {
		t.Fatalf("a remembered principal was changed by its caller: %+v, %v", q, err)
	}
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(time.Minute + 5*time.Second), ""}, // within the leeway
		{now.Add(time.Minute + 11*time.Second), "expired"},
		{now.Add(-12 * time.Second), "not valid yet"},
		{now.Add(30 * time.Second), ""},
		{now.Add(10 * time.Minute), "expired"},
	} {
		clock = c.at
		checkVerify(t, v, tok, c.want)
	}
}

func TestPrincipalClaims(t *testing.T) {
	v := verifier(t, auth.Config{Secret: secret})
	tok, err := auth.MintHS256(secret, auth.Grant{Subject: "ana", Roles: []auth.Role{auth.Analyst, auth.Researcher},
		Issuer: issuer, Audience: audience, TTL: time.Hour}, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "ana" || !p.Has(auth.Analyst) || !p.Has(auth.Researcher) || p.Has(auth.Admin) || len(p.Areas) != 0 {
		t.Errorf("principal %+v", p)
	}
	w, _ := auth.MintHS256(secret, auth.Grant{Subject: "wen", Roles: []auth.Role{auth.Worker}, Areas: []string{"a1", "a2"},
		Issuer: issuer, Audience: audience}, now)
	p, err = v.Verify(w)
	if err != nil || len(p.Areas) != 2 || !p.HasAny(auth.Admin, auth.Worker) {
		t.Errorf("worker: %+v %v", p, err)
	}
}

func TestConfigRefused(t *testing.T) {
	_, rsaPEM := rsaKey(t)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	der, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	smallPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ = x509.MarshalPKIXPublicKey(&p384.PublicKey)
	p384PEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	cases := []struct {
		name string
		cfg  auth.Config
	}{
		{"nothing", auth.Config{}},
		{"two kinds of key", auth.Config{Secret: secret, PublicKeyPEM: rsaPEM}},
		{"short secret", auth.Config{Secret: []byte("short")}},
		{"not PEM", auth.Config{PublicKeyPEM: []byte("hello")}},
		{"small RSA key", auth.Config{PublicKeyPEM: smallPEM}},
		{"P-384 key", auth.Config{PublicKeyPEM: p384PEM}},
		{"JWKS not JSON", auth.Config{JWKS: []byte("{")}},
		{"JWKS empty", auth.Config{JWKS: []byte(`{"keys":[]}`)}},
		{"JWKS symmetric key", auth.Config{JWKS: []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := auth.NewVerifier(c.cfg); err == nil {
				t.Error("accepted")
			}
		})
	}
}
