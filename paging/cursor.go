package paging

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// MaxCursor is the longest cursor accepted, in bytes, before it is decoded.
const MaxCursor = 4096

// Codec seals and opens cursors. A cursor is the order it was given out under and the key
// values of its row, encrypted and authenticated (AES-GCM with a nonce derived from the
// content, so that a row has one cursor under one order): a caller can neither read the
// keys (a live id, a name an analyst may not see) nor forge or alter them.
type Codec struct {
	aead cipher.AEAD
	mac  []byte
}

// NewCodec returns the codec of a secret of at least 32 bytes; every instance serving the
// same data needs the same secret to accept the others' cursors (kith serve derives it
// from KITH_PSEUDONYM_KEY).
func NewCodec(secret []byte) (*Codec, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("paging: the secret must be at least 32 bytes")
	}
	derive := func(purpose string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("kith cursor\x00" + purpose))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("seal"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Codec{aead: aead, mac: derive("nonce")}, nil
}

// RandomCodec returns a codec of a fresh random secret: its cursors last as long as the
// process (development, tests).
func RandomCodec() *Codec {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic("paging: no randomness: " + err.Error())
	}
	c, _ := NewCodec(secret)
	return c
}

// sealed is a cursor's content: the order and the row's keys, each tagged with its type
// so that it reaches Neo4j as the value it was read as.
type sealed struct {
	Order string   `json:"o"`
	Keys  []tagged `json:"k"`
}

type tagged struct {
	T string `json:"t"`
	V string `json:"v,omitempty"`
}

func (c *Codec) encode(order string, keys []any) string {
	s := sealed{Order: order, Keys: make([]tagged, len(keys))}
	for i, k := range keys {
		s.Keys[i] = tag(k)
	}
	plain, _ := json.Marshal(s)
	m := hmac.New(sha256.New, c.mac)
	m.Write(plain)
	nonce := m.Sum(nil)[:c.aead.NonceSize()]
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, plain, nil))
}

// decode opens a cursor given out under order; nil when none is given.
func (c *Codec) decode(cursor *string, order, field string) ([]any, error) {
	if cursor == nil {
		return nil, nil
	}
	bad := apierr.BadUserInput(field, "is not a cursor this API gave out for this order")
	if len(*cursor) > MaxCursor {
		return nil, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(*cursor)
	n := c.aead.NonceSize()
	if err != nil || len(raw) < n {
		return nil, bad
	}
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return nil, bad
	}
	var s sealed
	if json.Unmarshal(plain, &s) != nil || s.Order != order || len(s.Keys) == 0 {
		return nil, bad
	}
	keys := make([]any, len(s.Keys))
	for i, t := range s.Keys {
		if keys[i], err = t.value(); err != nil {
			return nil, bad
		}
	}
	return keys, nil
}

// tag records a key value as the store returns it: nil, string, bool, int64, float64, a
// date-time or a date.
func tag(v any) tagged {
	switch x := v.(type) {
	case nil:
		return tagged{T: "n"}
	case string:
		return tagged{T: "s", V: x}
	case bool:
		return tagged{T: "b", V: strconv.FormatBool(x)}
	case int64:
		return tagged{T: "i", V: strconv.FormatInt(x, 10)}
	case int:
		return tagged{T: "i", V: strconv.Itoa(x)}
	case float64:
		return tagged{T: "f", V: strconv.FormatFloat(x, 'g', -1, 64)}
	case time.Time:
		return tagged{T: "t", V: x.Format(time.RFC3339Nano)}
	case neo4j.Date:
		return tagged{T: "d", V: x.Time().Format(time.DateOnly)}
	default:
		panic(fmt.Sprintf("paging: a key of type %T cannot be in a cursor", v))
	}
}

func (t tagged) value() (any, error) {
	switch t.T {
	case "n":
		return nil, nil
	case "s":
		return t.V, nil
	case "b":
		return strconv.ParseBool(t.V)
	case "i":
		return strconv.ParseInt(t.V, 10, 64)
	case "f":
		return strconv.ParseFloat(t.V, 64)
	case "t":
		return time.Parse(time.RFC3339Nano, t.V)
	case "d":
		d, err := time.Parse(time.DateOnly, t.V)
		return neo4j.DateOf(d), err
	}
	return nil, fmt.Errorf("paging: unknown key type %q", t.T)
}
