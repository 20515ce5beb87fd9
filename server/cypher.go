package server

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"kith/apierr"
	"kith/auth"
	"kith/cypher"
)

// CypherConfig configures the read-only Cypher endpoint.
type CypherConfig struct {
	// Timeout bounds one query (and is its transaction timeout).
	Timeout time.Duration
	// MaxRows caps the rows returned; more are cut and the answer says so.
	MaxRows int
}

// cypherRequest is the body of POST /cypher.
type cypherRequest struct {
	Query  string         `json:"query"`
	Params map[string]any `json:"params"`
}

// serveCypher is POST /cypher, the read-only Cypher endpoint of the researcher grant:
// {"query": "...", "params": {...}} in, {"columns", "rows", "truncated"} out, or a
// GraphQL-shaped error. The query runs in a read transaction after its plan shows it only
// reads (cypher.Store.ReadOnly); researchers get pseudonymised data, admins everything.
// Every query, refused or not, is audited by its fingerprint, never its text.
func (s *Server) serveCypher(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := principal(ctx)
	if !p.HasAny(auth.Researcher, auth.Admin) {
		s.log.InfoContext(ctx, "forbidden", "request_id", RequestID(ctx), "path", r.URL.Path, "sub", p.Subject)
		writeError(w, http.StatusForbidden, apierr.Denied("", "the Cypher endpoint needs the researcher grant"))
		return
	}
	var req cypherRequest
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, apierr.BadInput("", "the body must be JSON: {\"query\": \"...\", \"params\": {...}}"))
		return
	}
	pseudonymise := !p.Has(auth.Admin)
	res, err := s.store.ReadOnly(ctx, req.Query, req.Params, cypher.AdHocOptions{
		Timeout: s.cfg.Cypher.Timeout, MaxRows: s.cfg.Cypher.MaxRows, Pseudonymise: pseudonymise,
	})
	ev := cypher.AuditEvent{
		Subject: p.Subject, Roles: roleNames(p), Operation: "cypher", Kind: "cypher", RequestID: RequestID(ctx),
		Detail: map[string]any{"fingerprint": cypher.Fingerprint(req.Query), "params": paramNames(req.Params)},
	}
	if err != nil {
		e, ok := apierr.As(err)
		if !ok {
			s.log.ErrorContext(ctx, "cypher endpoint", "request_id", RequestID(ctx), "error", err.Error())
			e = &apierr.Error{Code: apierr.Internal, Reason: "internal error; quote request id " + RequestID(ctx)}
		}
		ev.Detail["outcome"] = string(e.Code)
		s.audit.submit(ev)
		writeError(w, statusOf(e.Code), e)
		return
	}
	ev.IDs = res.IDs
	ev.Detail["outcome"] = "ok"
	ev.Detail["rows"] = int64(len(res.Rows))
	s.audit.submit(ev)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"columns": res.Columns, "rows": res.Rows, "truncated": res.Truncated})
}

// paramNames lists the names of the parameters, never their values.
func paramNames(params map[string]any) []string {
	out := make([]string, 0, len(params))
	for k := range params {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// statusOf is the HTTP status of an error code outside GraphQL.
func statusOf(c apierr.Code) int {
	switch c {
	case apierr.BadUserInput:
		return http.StatusBadRequest
	case apierr.Unauthenticated:
		return http.StatusUnauthorized
	case apierr.Forbidden:
		return http.StatusForbidden
	case apierr.NotFound:
		return http.StatusNotFound
	case apierr.Conflict:
		return http.StatusConflict
	case apierr.Unavailable:
		return http.StatusServiceUnavailable
	case apierr.Timeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
