// Package pseudonym gives the roles that work on pseudonymised data (analysts, researchers)
// ids of their own: stable for a role, unlinkable to the live ids and to another role's
// without the server's key, and turned back into live ids only by the server.
//
// A pseudonymous id keeps the type prefix of the id it stands for ("per_…") so that a
// client can still tell a person from a group, but its body is 26 characters instead of
// 20: the id's 100 bits, with 28 zero bits, encrypted as one AES block under a key derived
// from the server's secret, the role and the type. An id of one form is never accepted where
// the other is expected (nodeid.Label refuses a 26-character body), and a forged body
// decrypts to a block whose 28 check bits are zero once in 2^28 tries.
package pseudonym

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"sync"

	"kith/nodeid"
)

// MinSecret is the shortest secret New accepts, in bytes.
const MinSecret = 32

// alphabet is nodeid's: lowercase base32 without i, l, o and u.
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

var enc = base32.NewEncoding(alphabet).WithPadding(base32.NoPadding)

// bodyLen is the length of a pseudonymous id's body: 128 bits in base32.
const bodyLen = 26

// Keys turns live ids into a role's pseudonymous ids and back.
type Keys struct {
	secret []byte
	mu     sync.Mutex
	blocks map[string]cipher.Block // by role and prefix
}

// New returns the keys derived from secret, which must be at least MinSecret bytes.
func New(secret []byte) (*Keys, error) {
	if len(secret) < MinSecret {
		return nil, errors.New("pseudonym: the secret must be at least 32 bytes")
	}
	return &Keys{secret: append([]byte(nil), secret...), blocks: map[string]cipher.Block{}}, nil
}

func (k *Keys) block(role, prefix string) cipher.Block {
	name := role + "\x00" + prefix
	k.mu.Lock()
	defer k.mu.Unlock()
	if b, ok := k.blocks[name]; ok {
		return b
	}
	mac := hmac.New(sha256.New, k.secret)
	mac.Write([]byte("kith pseudonymous id\x00" + name))
	b, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		panic("pseudonym: " + err.Error()) // a 32-byte key is always valid
	}
	k.blocks[name] = b
	return b
}

// Random returns keys from a fresh random secret: pseudonymous ids then last as long as
// the process (development, tests).
func Random() *Keys {
	secret := make([]byte, MinSecret)
	if _, err := rand.Read(secret); err != nil {
		panic("pseudonym: no randomness: " + err.Error())
	}
	k, _ := New(secret)
	return k
}

// Encode returns role's pseudonymous id for a live id. A string that is not a well-formed
// live id is returned as it is: it names nothing, so it reveals nothing.
func (k *Keys) Encode(role, id string) string {
	if _, ok := nodeid.Label(id); !ok {
		return id
	}
	prefix, body, _ := strings.Cut(id, "_")
	var plain, out [aes.BlockSize]byte
	pack(body, plain[:13])
	k.block(role, prefix).Encrypt(out[:], plain[:])
	return prefix + "_" + enc.EncodeToString(out[:])
}

// Decode returns the live id behind role's pseudonymous id, and whether pid is one.
func (k *Keys) Decode(role, pid string) (string, bool) {
	prefix, body, ok := strings.Cut(pid, "_")
	if !ok || len(body) != bodyLen {
		return "", false
	}
	if _, ok := nodeid.Label(prefix + "_" + strings.Repeat("0", 20)); !ok {
		return "", false
	}
	raw, err := enc.DecodeString(body)
	if err != nil || len(raw) != aes.BlockSize {
		return "", false
	}
	var plain [aes.BlockSize]byte
	k.block(role, prefix).Decrypt(plain[:], raw)
	if plain[12]&0x0f != 0 || plain[13] != 0 || plain[14] != 0 || plain[15] != 0 {
		return "", false
	}
	return prefix + "_" + unpack(plain[:13]), true
}

// Name returns role's pseudonym for the person (or node) with a live id, the name a
// pseudonymising role sees in place of theirs: "R-" and six hexadecimal digits keyed by the
// server's secret and the role, so that it joins neither to the live records nor to another
// role's answers (a pseudonym stored with the person would: workers see it beside the name).
// Two people may share one, as two people may share a name.
func (k *Keys) Name(role, id string) string {
	mac := hmac.New(sha256.New, k.secret)
	mac.Write([]byte("kith pseudonym name\x00" + role + "\x00" + id))
	return fmt.Sprintf("R-%X", mac.Sum(nil)[:3])
}

// IsPseudonymous reports whether s has the form of a pseudonymous id (of any role).
func IsPseudonymous(s string) bool {
	prefix, body, ok := strings.Cut(s, "_")
	if !ok || len(body) != bodyLen {
		return false
	}
	_, ok = nodeid.Label(prefix + "_" + strings.Repeat("0", 20))
	return ok
}

// pack writes the 100 bits of a 20-character body into dst (13 bytes, the last 4 bits 0).
func pack(body string, dst []byte) {
	var acc uint64
	bits, j := 0, 0
	for i := 0; i < len(body); i++ {
		acc = acc<<5 | uint64(strings.IndexByte(alphabet, body[i]))
		bits += 5
		for bits >= 8 {
			bits -= 8
			dst[j] = byte(acc >> bits)
			j++
		}
	}
	if bits > 0 {
		dst[j] = byte(acc << (8 - bits))
	}
}

// unpack reads 20 characters back from the 13 bytes pack wrote.
func unpack(src []byte) string {
	var sb strings.Builder
	var acc uint64
	bits := 0
	for _, c := range src {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 && sb.Len() < 20 {
			bits -= 5
			sb.WriteByte(alphabet[(acc>>bits)&31])
		}
	}
	return sb.String()
}
