package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Grant is what a minted token says about its holder.
type Grant struct {
	Subject  string
	Roles    []Role
	Areas    []string
	Issuer   string
	Audience string
	TTL      time.Duration
}

// MintHS256 signs a token for the grant with a shared secret. It is for development and
// tests (kith token, the serve banner); production tokens come from an identity provider.
func MintHS256(secret []byte, g Grant, now time.Time) (string, error) {
	if len(secret) < minSecretBytes {
		return "", fmt.Errorf("auth: the secret has %d bytes; at least %d are needed", len(secret), minSecretBytes)
	}
	if g.Subject == "" {
		return "", errors.New("auth: a token needs a subject")
	}
	if len(g.Roles) == 0 {
		return "", errors.New("auth: a token needs a role")
	}
	roles := make([]string, len(g.Roles))
	for i, r := range g.Roles {
		if !r.Known() {
			return "", fmt.Errorf("auth: unknown role %q (known: %v)", r, Roles())
		}
		roles[i] = string(r)
	}
	if g.TTL <= 0 {
		g.TTL = 12 * time.Hour
	}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   g.Subject,
			Issuer:    g.Issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(g.TTL)),
			ID:        randomHex(8),
		},
		Roles: roles,
		Areas: g.Areas,
	}
	if g.Audience != "" {
		c.Audience = jwt.ClaimStrings{g.Audience}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

// NewSecret returns a random 32-byte HS256 secret, for a development server.
func NewSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
