package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"kith/apierr"
)

// This file refuses text that is not UTF-8. Go's JSON decoder would quietly turn each bad
// byte into U+FFFD, storing a name that is not what the worker typed; instead the request
// is refused with BAD_USER_INPUT naming the input that holds the bad bytes.

// requireUTF8 refuses a request whose body or query string is not valid UTF-8.
func requireUTF8(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, values := range r.URL.Query() {
			for _, v := range values {
				if !utf8.ValidString(v) || !utf8.ValidString(name) {
					writeError(w, http.StatusBadRequest, apierr.BadUserInput(name, "is not valid UTF-8"))
					return
				}
			}
		}
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			// Too large (MaxBytesReader) or cut off: answered as gqlgen would.
			writeError(w, http.StatusRequestEntityTooLarge, apierr.BadUserInput("", "the request body could not be read: %v", err))
			return
		}
		if isUpload(r) {
			if err := checkUploadText(r, body); err != nil {
				writeError(w, http.StatusBadRequest, err)
				return
			}
		} else if !utf8.Valid(body) {
			writeError(w, http.StatusBadRequest, apierr.BadUserInput(invalidUTF8Field(body), "is not valid UTF-8"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// invalidUTF8Field names the input of a JSON body that holds invalid UTF-8: a variable's
// path ("input[3].displayName"), "query", or "" when the body is not JSON.
func invalidUTF8Field(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []jsonFrame
	path := func() string {
		var b strings.Builder
		for i, f := range stack {
			switch {
			case f.array:
				fmt.Fprintf(&b, "[%d]", f.index)
			default:
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return strings.TrimPrefix(b.String(), "variables.")
	}
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		off := dec.InputOffset()
		raw := body[prev:off]
		prev = off
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, jsonFrame{array: t == '[', expectKey: t == '{'})
			default:
				stack = stack[:top]
				if top > 0 {
					stack[top-1].advance()
				}
			}
			continue
		case string:
			if top >= 0 && !stack[top].array && stack[top].expectKey {
				stack[top].key, stack[top].expectKey = t, false
				if !utf8.Valid(raw) {
					return path()
				}
				continue
			}
			if !utf8.Valid(raw) {
				return path()
			}
		}
		if top >= 0 {
			stack[top].advance()
		}
	}
}

// jsonFrame is where invalidUTF8Field is in one open JSON array or object.
type jsonFrame struct {
	array bool
	index int
	key   string
	// expectKey: in an object, the next string token is a key.
	expectKey bool
}

// advance moves past one value of the array or object.
func (f *jsonFrame) advance() {
	if f.array {
		f.index++
	} else {
		f.expectKey = true
	}
}
