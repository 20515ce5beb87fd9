package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"kith/apierr"
)

// This file keeps /graphql true to the GraphQL-over-HTTP specification where gqlgen's
// transports are not, so that Apollo, urql and Relay clients read Kith's answers as GraphQL
// results rather than network failures:
//
//   - A request a client may have sent in good faith but that does not parse or validate is
//     answered 200 with the errors when the client accepts application/json (the
//     specification keeps 4xx for application/graphql-response+json, which stays as gqlgen
//     answers it: 400).
//   - An automatic persisted query the server does not hold is answered with Apollo's
//     PERSISTED_QUERY_NOT_FOUND (presentError keeps the code), so the client's link sends the
//     full query next.
//   - A batched body (a JSON array of operations) is refused with a short error; so is a body
//     that is not a JSON object. Neither echoes the body, which can hold personal data.

// codePersistedQueryNotFound is the code Apollo's persisted-query link retries on.
const codePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

// specHTTP wraps the GraphQL handler (inside requireUTF8, which has read the body).
func specHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && isJSON(r.Header.Get("Content-Type")) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				writeError(w, http.StatusRequestEntityTooLarge, apierr.BadUserInput("", "the request body could not be read"))
				return
			}
			switch first := firstByte(body); {
			case first == '[':
				writeError(w, http.StatusBadRequest, apierr.BadUserInput("", "batched requests (a JSON array of operations) are not supported: send one operation per request"))
				return
			case first != '{' || !json.Valid(body):
				writeError(w, http.StatusBadRequest, apierr.BadUserInput("", "the request body must be a JSON object with a query"))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if isUpload(r) {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&specStatus{ResponseWriter: w}, r)
	})
}

// isJSON reports whether a Content-Type is application/json.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// firstByte returns the first byte of a body that is not JSON white space, 0 if none.
func firstByte(body []byte) byte {
	t := bytes.TrimLeft(body, " \t\r\n")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// specStatus turns gqlgen's 422 for a request that does not parse or validate into 200 when
// the answer is application/json. Answers in application/graphql-response+json keep their
// status (gqlgen gives those 400), as the specification asks, and leave out the data entry
// gqlgen writes as null: a request that never ran has no data.
type specStatus struct {
	http.ResponseWriter
	notRun bool
}

func (w *specStatus) WriteHeader(code int) {
	contentType := w.Header().Get("Content-Type")
	switch {
	case code == http.StatusUnprocessableEntity && strings.HasPrefix(contentType, "application/json"):
		code = http.StatusOK
	case code >= 400 && strings.HasPrefix(contentType, "application/graphql-response+json"):
		w.notRun = true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write drops a null data entry from the answer to a request that never ran. gqlgen writes
// such an answer in one call; anything else passes unchanged.
func (w *specStatus) Write(b []byte) (int, error) {
	if !w.notRun {
		return w.ResponseWriter.Write(b)
	}
	var answer map[string]json.RawMessage
	if err := json.Unmarshal(b, &answer); err != nil || string(answer["data"]) != "null" {
		return w.ResponseWriter.Write(b)
	}
	delete(answer, "data")
	out, err := json.Marshal(answer)
	if err != nil {
		return w.ResponseWriter.Write(b)
	}
	if _, err := w.ResponseWriter.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Unwrap lets http.ResponseController reach the connection (flushes, deadlines).
func (w *specStatus) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// persistedQueryNotFound reports whether err is gqlgen's answer to an automatic persisted
// query it does not hold.
func persistedQueryNotFound(err error) bool {
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) || gerr.Extensions == nil {
		return false
	}
	code, _ := gerr.Extensions["code"].(string)
	return code == codePersistedQueryNotFound
}
