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
	// MaxBytes caps the bytes of values returned, counted as records are decoded, so that
	// a query of huge rows cannot fill Kith's memory; more are cut and the answer says so.
	MaxBytes int
}

// cypherRequest is the body of POST /cypher.
type cypherRequest struct {
	Query  string         `json:"query"`
	Params map[string]any `json:"params"`
}

// serveCypher is POST /cypher, the read-only Cypher endpoint: {"query": "...", "params":
// {...}} in, {"columns", "rows", "truncated", "source", "copiedAt"} out, or a
// GraphQL-shaped error. Administrators read the live graph; researchers and analysts read
// the research copy (cypher.ResearchCopy), which holds only what they may see, with its
// age in every answer. Either way the query runs in a read transaction after its plan
// shows it only reads (cypher.Store.ReadOnly). Every query, refused or not, is audited by
// its fingerprint, never its text.
func (s *Server) serveCypher(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := principal(ctx)
	live := p.Has(auth.Admin)
	if !live && !p.HasAny(auth.Researcher, auth.Analyst) {
		s.log.InfoContext(ctx, "forbidden", "request_id", RequestID(ctx), "path", r.URL.Path, "sub", p.Subject)
		writeError(w, http.StatusForbidden, apierr.Forbidden("", "the Cypher endpoint is for researchers and analysts (on the research copy) and admins"))
		return
	}
	var req cypherRequest
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, apierr.BadUserInput("", "the body must be JSON: {\"query\": \"...\", \"params\": {...}}"))
		return
	}
	opts := cypher.AdHocOptions{Timeout: s.cfg.Cypher.Timeout, MaxRows: s.cfg.Cypher.MaxRows, MaxBytes: s.cfg.Cypher.MaxBytes}
	source := "live"
	var res *cypher.AdHocResult
	var err error
	switch {
	case live:
		res, err = s.store.ReadOnly(ctx, req.Query, req.Params, opts)
	case s.research == nil:
		source = "research-copy"
		err = apierr.Unavailable("no research copy is configured (KITH_RESEARCH_URI): ask an admin", nil)
	default:
		source = "research-copy"
		res, err = s.research.Query(ctx, req.Query, req.Params, opts)
	}
	ev := cypher.AuditEvent{
		Subject: p.Subject, Roles: roleNames(p), Operation: "cypher", Kind: "cypher", RequestID: RequestID(ctx),
		Detail: map[string]any{"fingerprint": cypher.Fingerprint(req.Query), "params": paramNames(req.Params), "source": source},
	}
	if err != nil {
		e, ok := apierr.As(err)
		if !ok {
			s.log.ErrorContext(ctx, "cypher endpoint", "request_id", RequestID(ctx), "error", err.Error())
			e = &apierr.Error{Code: apierr.CodeInternal, Reason: "internal error; quote request id " + RequestID(ctx)}
		}
		ev.Detail["outcome"] = string(e.Code)
		s.audit.submit(ev)
		writeError(w, statusOf(e.Code), e)
		return
	}
	if live {
		// The copy's ids are pseudonymous and name nobody in the live graph.
		ev.IDs = res.IDs
	}
	ev.Detail["outcome"] = "ok"
	ev.Detail["rows"] = int64(len(res.Rows))
	s.audit.submit(ev)
	out := map[string]any{"columns": res.Columns, "rows": res.Rows, "truncated": res.Truncated, "source": source, "copiedAt": nil}
	if res.Truncated {
		out["truncatedBy"] = res.TruncatedBy
	}
	if res.CopiedAt != nil {
		out["copiedAt"] = res.CopiedAt.UTC().Format(time.RFC3339Nano)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
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
	case apierr.CodeBadUserInput:
		return http.StatusBadRequest
	case apierr.CodeUnauthenticated:
		return http.StatusUnauthorized
	case apierr.CodeForbidden:
		return http.StatusForbidden
	case apierr.CodeNotFound:
		return http.StatusNotFound
	case apierr.CodeConflict:
		return http.StatusConflict
	case apierr.CodeUnavailable:
		return http.StatusServiceUnavailable
	case apierr.CodeTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
