package pseudonym

import (
	"context"
	"regexp"

	"kith/nodeid"
)

// Codec is the ids one caller works with: a role's pseudonymous ids, or (a nil *Codec) the
// live ids. Every method of a nil Codec leaves ids as they are, so code that emits or reads
// ids asks the request's Codec without first asking whether there is one.
type Codec struct {
	keys *Keys
	role string
}

// For returns the Codec of role's pseudonymous ids.
func (k *Keys) For(role string) *Codec { return &Codec{keys: k, role: role} }

// Role is the role whose ids c gives, "" for live ids.
func (c *Codec) Role() string {
	if c == nil {
		return ""
	}
	return c.role
}

// Encode returns the id the caller sees for a live id; a string that is not a live id is
// returned as it is.
func (c *Codec) Encode(id string) string {
	if c == nil {
		return id
	}
	return c.keys.Encode(c.role, id)
}

// Name returns the pseudonym the caller sees for a live id, "" for a caller of live ids.
func (c *Codec) Name(id string) string {
	if c == nil {
		return ""
	}
	return c.keys.Name(c.role, id)
}

// Decode returns the live id behind an id the caller sent. It refuses (false) a live id
// and a pseudonymous id of another role or key; any other string (one that has neither
// form, and so names nothing) comes back as it is. Refusals depend on the form of pid
// alone, never on what the database holds, so they reveal nothing about who is recorded.
func (c *Codec) Decode(pid string) (string, bool) {
	if c == nil {
		return pid, true
	}
	if IsPseudonymous(pid) {
		return c.keys.Decode(c.role, pid)
	}
	if _, live := nodeid.Label(pid); live {
		return "", false
	}
	return pid, true
}

// liveIDs matches the live ids inside a text: a prefix, an underscore and a 20-character
// body, not part of a longer word (a pseudonymous id's 26-character body never matches).
var liveIDs = regexp.MustCompile(`\b[a-z]{3,4}_[0-9a-hjkmnp-tv-z]{20}\b`)

// EncodeText returns s with every live id in it replaced by the caller's id for it: for
// text that carries ids, such as an error message or a JSON document of parameters.
func (c *Codec) EncodeText(s string) string {
	if c == nil {
		return s
	}
	return liveIDs.ReplaceAllStringFunc(s, c.Encode)
}

type ctxKey struct{}

// NewContext returns ctx carrying the caller's Codec (nil: live ids).
func NewContext(ctx context.Context, c *Codec) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the caller's Codec, nil (live ids) when ctx carries none.
func FromContext(ctx context.Context) *Codec {
	c, _ := ctx.Value(ctxKey{}).(*Codec)
	return c
}
