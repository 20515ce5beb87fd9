// Package nodeid makes and reads Kith's identifiers.
//
// Every node and tie carries one id, the same in the API, the database and exports:
// a short prefix naming its type, an underscore and 20 characters of base32
// (lowercase, no padding), for example "per_5mq3v0tq7c2k4e6w9xzr". The prefix lets
// the API resolve node(id:) with one indexed lookup and reject an id of the wrong
// type before it reaches Neo4j; the rest is random (New) or derived from a key (FromKey)
// so that generated demo data is deterministic.
package nodeid

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// bodyLen is the number of base32 characters after the prefix: 100 bits.
const bodyLen = 20

var enc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// prefixes maps each node label, and "Tie", to its id prefix. It is the closed list of
// types an id may name.
var prefixes = map[string]string{
	"Person":           "per",
	"FamiliarStranger": "fam",
	"Place":            "plc",
	"Group":            "grp",
	"Organisation":     "org",
	"Interest":         "int",
	"Gift":             "gft",
	"Need":             "need",
	"Area":             "area",
	"Wave":             "wave",
	"Event":            "evt",
	"Tie":              "tie",
}

var labels = func() map[string]string {
	m := make(map[string]string, len(prefixes))
	for l, p := range prefixes {
		m[p] = l
	}
	return m
}()

// New returns a fresh random id for a node with the given label (or "Tie").
// It panics on a label outside the closed list: that is a programming error.
func New(label string) string {
	var b [13]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("nodeid: no randomness: " + err.Error())
	}
	return compose(label, b[:])
}

// FromKey returns the id that a node with the given label and key always gets, for
// deterministic generated data.
func FromKey(label, key string) string {
	sum := sha256.Sum256([]byte(label + "\x00" + key))
	return compose(label, sum[:13])
}

func compose(label string, b []byte) string {
	p, ok := prefixes[label]
	if !ok {
		panic("nodeid: unknown label " + label)
	}
	return p + "_" + enc.EncodeToString(b)[:bodyLen]
}

// Label returns the label an id names, and whether the id is well formed.
func Label(id string) (string, bool) {
	p, body, ok := strings.Cut(id, "_")
	if !ok || len(body) != bodyLen {
		return "", false
	}
	l, ok := labels[p]
	if !ok {
		return "", false
	}
	for i := 0; i < len(body); i++ {
		if strings.IndexByte("0123456789abcdefghjkmnpqrstvwxyz", body[i]) < 0 {
			return "", false
		}
	}
	return l, true
}
