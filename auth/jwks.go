package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// jwk is the part of a JSON Web Key (RFC 7517) Kith reads: RSA and P-256 EC public keys.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads a JSON Web Key Set into keys by kid. Keys for encryption (use "enc")
// are skipped; a key whose alg is set must be the one its type allows.
func parseJWKS(b []byte) (map[string]verifyKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("auth: JWKS: %w", err)
	}
	out := map[string]verifyKey{}
	for i, k := range set.Keys {
		if k.Use == "enc" {
			continue
		}
		pub, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("auth: JWKS key %d: %w", i, err)
		}
		vk, err := keyOf(pub)
		if err != nil {
			return nil, fmt.Errorf("auth: JWKS key %d: %w", i, err)
		}
		if k.Alg != "" && k.Alg != vk.alg {
			return nil, fmt.Errorf("auth: JWKS key %d: alg %q does not fit a %s key", i, k.Alg, k.Kty)
		}
		if _, dup := out[k.Kid]; dup {
			return nil, fmt.Errorf("auth: JWKS key %d: kid %q repeats", i, k.Kid)
		}
		out[k.Kid] = vk
	}
	if len(out) == 0 {
		return nil, errors.New("auth: the JWKS has no signing keys")
	}
	return out, nil
}

func (k jwk) publicKey() (any, error) {
	switch k.Kty {
	case "RSA":
		n, err := b64int(k.N)
		if err != nil {
			return nil, fmt.Errorf("n: %w", err)
		}
		e, err := b64int(k.E)
		if err != nil {
			return nil, fmt.Errorf("e: %w", err)
		}
		if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
			return nil, errors.New("e is out of range")
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	case "EC":
		if k.Crv != "P-256" {
			return nil, fmt.Errorf("curve %q is not accepted; use P-256", k.Crv)
		}
		x, err := b64int(k.X)
		if err != nil {
			return nil, fmt.Errorf("x: %w", err)
		}
		y, err := b64int(k.Y)
		if err != nil {
			return nil, fmt.Errorf("y: %w", err)
		}
		pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
		if !pub.Curve.IsOnCurve(x, y) { //nolint:staticcheck // the point check is what we want here
			return nil, errors.New("the point is not on P-256")
		}
		return pub, nil
	}
	return nil, fmt.Errorf("kty %q is not accepted; use RSA or EC", k.Kty)
}

func b64int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errors.New("empty")
	}
	return new(big.Int).SetBytes(b), nil
}
