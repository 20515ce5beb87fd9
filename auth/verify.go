package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"kith/apierr"
)

// DefaultMaxTokenBytes is the largest token accepted when Config.MaxTokenBytes is zero.
const DefaultMaxTokenBytes = 8 << 10

// minSecretBytes is the shortest HS256 secret accepted: RFC 7518 asks for a key at least
// as long as the hash (256 bits).
const minSecretBytes = 32

// Config says which tokens a Verifier accepts. Exactly one of Secret, PublicKeyPEM and
// JWKS gives the key material.
type Config struct {
	// Secret is the HS256 shared secret (at least 32 bytes).
	Secret []byte
	// PublicKeyPEM is an RSA (RS256) or P-256 ECDSA (ES256) public key, PEM encoded.
	PublicKeyPEM []byte
	// JWKS is a JSON Web Key Set of RSA and P-256 EC public keys; a token names its key
	// with the kid header (optional when the set has one key).
	JWKS []byte
	// Issuer, when set, must equal the token's iss claim.
	Issuer string
	// Audience, when set, must be among the token's aud claim.
	Audience string
	// MaxTokenBytes caps the token's length (default DefaultMaxTokenBytes).
	MaxTokenBytes int
	// Leeway tolerates clock skew in exp and nbf.
	Leeway time.Duration
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
}

// verifyKey is one key a token may be signed with, and the one algorithm it allows.
type verifyKey struct {
	alg string
	key any
}

// Verifier checks bearer tokens. It is safe for concurrent use.
type Verifier struct {
	cfg    Config
	keys   map[string]verifyKey // by kid; "" for a single key without kid
	algs   []string
	parser *jwt.Parser

	mu       sync.Mutex
	verified map[string]verified // tokens that passed, by token text
}

// verified is a token that passed every check, and the span in which it still does.
type verified struct {
	principal Principal
	from      time.Time // nbf and iat, less the leeway
	until     time.Time // exp plus the leeway, at most verifiedFor after it was checked
}

// A verified token is remembered so that the next request with it skips the signature
// and the claims' decoding (a dashboard sends many requests with one token). The keys do
// not change in a Verifier's life, so only time can make a remembered token fail, and it
// is checked on every use.
const (
	verifiedMax = 1024
	verifiedFor = 5 * time.Minute
)

// NewVerifier returns a Verifier for the key material and checks in cfg.
func NewVerifier(cfg Config) (*Verifier, error) {
	v := &Verifier{cfg: cfg, keys: map[string]verifyKey{}, verified: map[string]verified{}}
	given := 0
	for _, b := range [][]byte{cfg.Secret, cfg.PublicKeyPEM, cfg.JWKS} {
		if len(b) > 0 {
			given++
		}
	}
	if given != 1 {
		return nil, errors.New("auth: give exactly one of a secret, a public key PEM or a JWKS")
	}
	switch {
	case len(cfg.Secret) > 0:
		if len(cfg.Secret) < minSecretBytes {
			return nil, fmt.Errorf("auth: the HS256 secret has %d bytes; at least %d are needed", len(cfg.Secret), minSecretBytes)
		}
		v.keys[""] = verifyKey{alg: jwt.SigningMethodHS256.Alg(), key: cfg.Secret}
	case len(cfg.PublicKeyPEM) > 0:
		k, err := parsePublicKeyPEM(cfg.PublicKeyPEM)
		if err != nil {
			return nil, err
		}
		v.keys[""] = k
	default:
		keys, err := parseJWKS(cfg.JWKS)
		if err != nil {
			return nil, err
		}
		v.keys = keys
	}
	seen := map[string]bool{}
	for _, k := range v.keys {
		if !seen[k.alg] {
			seen[k.alg] = true
			v.algs = append(v.algs, k.alg)
		}
	}
	if v.cfg.MaxTokenBytes <= 0 {
		v.cfg.MaxTokenBytes = DefaultMaxTokenBytes
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.algs),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithStrictDecoding(),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	if cfg.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// Algorithms returns the signing algorithms the verifier accepts.
func (v *Verifier) Algorithms() []string { return append([]string(nil), v.algs...) }

// claims are the claims Kith reads from a token.
type claims struct {
	jwt.RegisteredClaims
	Roles roleList   `json:"roles"`
	Areas stringList `json:"areas,omitempty"`
}

// UnmarshalJSON reads the claims, refusing an exp, nbf or iat that is not a JSON number:
// RFC 7519 makes them NumericDates, and the jwt package would also accept a number written
// as a string ("exp": "1999999999"), which no conforming issuer sends.
func (c *claims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		v, ok := raw[name]
		if !ok {
			continue
		}
		var n json.Number
		if bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) || json.Unmarshal(v, &n) != nil {
			return fmt.Errorf("the %s claim must be a JSON number (NumericDate)", name)
		}
	}
	type plain claims // without this method
	return json.Unmarshal(b, (*plain)(c))
}

// roleList is the roles claim: a JSON array of strings, nothing else.
type roleList []string

// UnmarshalJSON refuses a roles claim that is not an array of strings (a single string,
// a number, an object).
func (r *roleList) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("the roles claim must be an array of strings")
	}
	*r = list
	return nil
}

// stringList is the areas claim: a JSON array of strings.
type stringList []string

// UnmarshalJSON refuses an areas claim that is not an array of strings.
func (s *stringList) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("the areas claim must be an array of strings")
	}
	*s = list
	return nil
}

// Verify checks a token and returns the principal it names. A refusal is an
// UNAUTHENTICATED *apierr.Error whose reason says what is wrong, never quoting the token.
func (v *Verifier) Verify(token string) (*Principal, error) {
	if token == "" {
		return nil, apierr.Unauthenticated("a bearer token is required", nil)
	}
	if len(token) > v.cfg.MaxTokenBytes {
		return nil, apierr.Unauthenticated(fmt.Sprintf("the token is longer than %d bytes", v.cfg.MaxTokenBytes), nil)
	}
	now := v.now()
	if p, ok := v.remembered(token, now); ok {
		return p, nil
	}
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, v.keyFor)
	if err != nil {
		return nil, apierr.Unauthenticated(reason(err), err)
	}
	if c.Subject == "" {
		return nil, apierr.Unauthenticated("the token has no sub claim", nil)
	}
	if len(c.Roles) == 0 {
		return nil, apierr.Unauthenticated("the token grants no role", nil)
	}
	p := &Principal{Subject: c.Subject, Areas: []string(c.Areas)}
	if c.IssuedAt != nil {
		p.IssuedAt = c.IssuedAt.Time
	}
	for _, r := range c.Roles {
		role := Role(r)
		if !role.Known() {
			return nil, apierr.Unauthenticated(fmt.Sprintf("the token grants an unknown role %q", truncate(r, 32)), nil)
		}
		p.Roles = append(p.Roles, role)
	}
	if p.Has(Worker) && !p.Has(Admin) && len(p.Areas) == 0 {
		return nil, apierr.Unauthenticated("a worker token must name the areas it covers", nil)
	}
	v.remember(token, p, &c, now)
	return p, nil
}

func (v *Verifier) now() time.Time {
	if v.cfg.Now != nil {
		return v.cfg.Now()
	}
	return time.Now()
}

// remembered returns a copy of the principal of a token verified before that is still
// within its span at now.
func (v *Verifier) remembered(token string, now time.Time) (*Principal, bool) {
	v.mu.Lock()
	e, ok := v.verified[token]
	v.mu.Unlock()
	if !ok || now.Before(e.from) || !now.Before(e.until) {
		return nil, false
	}
	p := e.principal
	p.Roles, p.Areas = slices.Clone(p.Roles), slices.Clone(p.Areas)
	return &p, true
}

// remember keeps a token that has just passed, with the span its claims allow.
func (v *Verifier) remember(token string, p *Principal, c *claims, now time.Time) {
	e := verified{principal: *p, until: now.Add(verifiedFor)}
	e.principal.Roles, e.principal.Areas = slices.Clone(p.Roles), slices.Clone(p.Areas)
	if c.ExpiresAt != nil && c.ExpiresAt.Add(v.cfg.Leeway).Before(e.until) {
		e.until = c.ExpiresAt.Add(v.cfg.Leeway)
	}
	for _, t := range []*jwt.NumericDate{c.NotBefore, c.IssuedAt} {
		if t != nil && t.Add(-v.cfg.Leeway).After(e.from) {
			e.from = t.Add(-v.cfg.Leeway)
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.verified) >= verifiedMax {
		for k, old := range v.verified {
			if !now.Before(old.until) {
				delete(v.verified, k)
			}
		}
		if len(v.verified) >= verifiedMax {
			clear(v.verified)
		}
	}
	v.verified[token] = e
}

// keyFor picks the key a token names and checks that its alg is the key's.
func (v *Verifier) keyFor(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	k, ok := v.keys[kid]
	if !ok && kid != "" && len(v.keys) == 1 {
		k, ok = v.keys[""]
	}
	if !ok && kid == "" && len(v.keys) == 1 {
		for _, only := range v.keys {
			k, ok = only, true
		}
	}
	if !ok {
		return nil, errUnknownKey
	}
	if t.Method.Alg() != k.alg {
		return nil, errWrongAlg
	}
	return k.key, nil
}

var (
	errUnknownKey = errors.New("the token names a key this server does not know")
	errWrongAlg   = errors.New("the token's algorithm is not the one its key is for")
)

// reason turns a parse error into a sentence for the caller.
func reason(err error) string {
	switch {
	case errors.Is(err, errUnknownKey):
		return errUnknownKey.Error()
	case errors.Is(err, errWrongAlg):
		return errWrongAlg.Error()
	case errors.Is(err, jwt.ErrTokenMalformed):
		msg := err.Error()
		if strings.Contains(msg, "roles claim") {
			return "the token is malformed: the roles claim must be an array of strings"
		} else if strings.Contains(msg, "areas claim") {
			return "the token is malformed: the areas claim must be an array of strings"
		}
		for _, claim := range []string{"exp", "nbf", "iat"} {
			if strings.Contains(msg, "the "+claim+" claim must be a JSON number") {
				return "the token is malformed: the " + claim + " claim must be a JSON number (NumericDate)"
			}
		}
		return "the token is malformed"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if strings.Contains(err.Error(), "signing method") {
			return "the token's algorithm (alg) is not accepted here"
		}
		return "the token's signature is invalid"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token cannot be verified: its algorithm is not accepted here"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet (nbf)"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "the token was issued in the future (iat)"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token is not for this audience (aud)"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token is from an issuer this server does not trust (iss)"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		msg := err.Error()
		for _, c := range []struct{ claim, what string }{{"aud", "audience"}, {"iss", "issuer"}, {"exp", "expiry"}, {"nbf", "start"}} {
			if strings.Contains(msg, c.claim+" claim") {
				return fmt.Sprintf("the token is missing a required claim: %s (%s)", c.what, c.claim)
			}
		}
		return "the token is missing a required claim"
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return "the token's claims are invalid"
	}
	return "the token cannot be accepted"
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// parsePublicKeyPEM reads an RSA or P-256 EC public key (PKIX "PUBLIC KEY", or PKCS#1
// "RSA PUBLIC KEY", or a certificate).
func parsePublicKeyPEM(b []byte) (verifyKey, error) {
	block, _ := pem.Decode(bytes.TrimSpace(b))
	if block == nil {
		return verifyKey{}, errors.New("auth: the public key is not PEM")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	default:
		return verifyKey{}, fmt.Errorf("auth: PEM block %q is not a public key", block.Type)
	}
	if err != nil {
		return verifyKey{}, fmt.Errorf("auth: public key: %w", err)
	}
	return keyOf(pub)
}

// keyOf pins the algorithm a public key may verify.
func keyOf(pub any) (verifyKey, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return verifyKey{}, fmt.Errorf("auth: the RSA key has %d bits; at least 2048 are needed", k.N.BitLen())
		}
		return verifyKey{alg: jwt.SigningMethodRS256.Alg(), key: k}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return verifyKey{}, errors.New("auth: only P-256 EC keys (ES256) are accepted")
		}
		return verifyKey{alg: jwt.SigningMethodES256.Alg(), key: k}, nil
	}
	return verifyKey{}, fmt.Errorf("auth: a %T key is not accepted; use RSA or P-256 ECDSA", pub)
}
