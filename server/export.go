package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"kith/access"
	"kith/analysisservice"
	"kith/apierr"
	"kith/cypher"
	"kith/export"
	"kith/graph/model"
)

// exportRoutes registers GET /export/{format} behind the edge middleware (token, rate
// limit, revocations, fair use).
func (s *Server) exportRoutes(mux *http.ServeMux) {
	mux.Handle("GET /export/{format}", s.edge(http.HandlerFunc(s.serveExport)))
}

// isExport reports whether r is an export, whose deadline is ExportTimeout.
func isExport(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/export/") }

// exportParams are the query parameters of GET /export/{format}: AnalysisScope's fields.
// communities (not a scope field) gives every node its Louvain community (resolution 1,
// seed 1, as the communities query with its defaults).
var exportParams = []string{"labels", "kinds", "trustPurposes", "areaId", "waveId", "directed", "weighted", "communities"}

// exportStatusTrailer carries "ok", or the code of an error met after the file started.
const exportStatusTrailer = "Kith-Export-Status"

// exportRequest is a parsed GET /export/{format}.
type exportRequest struct {
	format             export.Format
	spec               cypher.ExportSpec
	directed, weighted bool
	communities        bool
}

// parseExport reads the format and the scope. Errors name the query parameter
// ("query.<name>") or "format".
func (s *Server) parseExport(r *http.Request) (exportRequest, error) {
	var req exportRequest
	f, err := export.Lookup(r.PathValue("format"), "format")
	if err != nil {
		return req, err
	}
	req.format, req.directed = f, true
	q := r.URL.Query()
	for name := range q {
		if !slices.Contains(exportParams, name) {
			return req, apierr.BadUserInput("query."+name, "is not a parameter of an export: use %s", strings.Join(exportParams, ", "))
		}
	}
	list := func(name string) []string {
		vals, ok := q[name]
		if !ok {
			return nil
		}
		out := []string{}
		for _, v := range vals {
			for _, x := range strings.Split(v, ",") {
				if x = strings.TrimSpace(x); x != "" {
					out = append(out, x)
				}
			}
		}
		return out
	}
	p := &req.spec.ProjectionSpec
	p.Field = "query"
	if types := list("labels"); types != nil {
		p.Labels = []string{}
		for _, t := range types {
			l, ok := cypher.LabelOfType(strings.ToUpper(t))
			if !ok {
				return req, apierr.BadUserInput("query.labels", "%q is not a node type", t)
			}
			p.Labels = append(p.Labels, l)
		}
	}
	p.Kinds, p.TrustPurposes = list("kinds"), list("trustPurposes")
	codec := s.idCodec(principal(r.Context()))
	for _, id := range []struct {
		name, what string
		dst        *string
	}{{"areaId", "area", &p.AreaID}, {"waveId", "wave", &p.WaveID}} {
		if !q.Has(id.name) {
			continue
		}
		v := q.Get(id.name)
		if v == "" {
			return req, apierr.BadUserInput("query."+id.name, "is empty")
		}
		if codec != nil {
			live, ok := codec.Decode(v)
			if !ok {
				return req, apierr.NotFound("query."+id.name, "there is no %s with this id", id.what)
			}
			v = live
		}
		*id.dst = v
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"directed", &req.directed}, {"weighted", &req.weighted}, {"communities", &req.communities}} {
		if !q.Has(b.name) {
			continue
		}
		switch q.Get(b.name) {
		case "true":
			*b.dst = true
		case "false":
			*b.dst = false
		default:
			return req, apierr.BadUserInput("query."+b.name, "must be true or false")
		}
	}
	for _, m := range model.AllCentralityMeasure {
		req.spec.Scores = append(req.spec.Scores, strings.ToLower(string(m)))
	}
	return req, nil
}

// serveExport is GET /export/{format}: the network an AnalysisScope (as query parameters)
// selects, streamed as a file (package export) with a Content-Disposition naming its area,
// wave and date. Admins and workers get what they read through the API; analysts and
// researchers the analyst's view with ids of the export's own (access.ExportScope). Errors
// before the first byte are GraphQL-shaped with their status; an error after it ends the
// stream early with the Kith-Export-Status trailer holding its code. Every export is
// audited: who, the scope, the counts; never names.
func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := principal(ctx)
	scope, ok := access.ExportScope(p)
	if !ok {
		writeError(w, http.StatusForbidden, apierr.Forbidden("", "exports are for admins, workers, analysts and researchers"))
		return
	}
	ev := cypher.AuditEvent{Subject: p.Subject, Roles: roleNames(p), Operation: "export", Kind: "export", RequestID: RequestID(ctx),
		Detail: map[string]any{}}
	req, err := s.parseExport(r)
	if err == nil {
		ev.Detail = exportDetail(req)
		out := &exportResponse{w: w, format: req.format, started: time.Now()}
		meta := export.Meta{Directed: req.directed, Weighted: req.weighted, Scores: req.spec.Scores, Created: out.started,
			Description: exportDescription(req)}
		writer := req.format.New(out, meta)
		var sink cypher.ExportSink = &exportHeaders{Writer: writer, out: out}
		if scope.Pseudonymise {
			sink = export.Pseudonymise(sink)
		}
		if req.communities {
			sink, err = s.withCommunities(r, scope, req, sink)
		}
		var counts cypher.ExportCounts
		if err == nil {
			counts, err = s.store.Export(ctx, scope, req.spec, sink)
		}
		if err == nil {
			err = writer.Close()
		}
		ev.Detail["nodes"], ev.Detail["ties"] = int64(counts.Nodes), int64(counts.Ties)
		if err == nil {
			ev.Detail["outcome"] = "ok"
			s.audit.submit(ev)
			w.Header().Set(exportStatusTrailer, "ok")
			return
		}
		if out.wrote {
			e := s.exportError(r, err)
			ev.Detail["outcome"] = string(e.Code)
			s.audit.submit(ev)
			w.Header().Set(exportStatusTrailer, string(e.Code))
			return
		}
	}
	e := s.exportError(r, err)
	ev.Detail["outcome"] = string(e.Code)
	s.audit.submit(ev)
	writeError(w, statusOf(e.Code), e)
}

// withCommunities computes the scope's communities (through the analysis cache, as the
// communities query does) and returns a sink that gives each node its community.
func (s *Server) withCommunities(r *http.Request, scope cypher.Scope, req exportRequest, sink cypher.ExportSink) (cypher.ExportSink, error) {
	sc := analysisservice.Scope{ProjectionSpec: req.spec.ProjectionSpec, Directed: req.directed, Weighted: req.weighted}
	res, err := s.caches.analyses.Communities(r.Context(), scope, sc, 1, 1)
	if err != nil {
		return nil, err
	}
	return communitySink{ExportSink: sink, of: res.Of}, nil
}

// communitySink numbers each node's community from 1 (the largest) on its way to the
// writer.
type communitySink struct {
	cypher.ExportSink
	of map[string]int
}

func (c communitySink) Node(n cypher.ExportNode) error {
	if i, ok := c.of[n.ID]; ok {
		n.Community = i + 1
	}
	return c.ExportSink.Node(n)
}

// exportError is err as a coded error; an uncoded one is logged and becomes INTERNAL.
func (s *Server) exportError(r *http.Request, err error) *apierr.Error {
	if e, ok := apierr.As(err); ok {
		return e
	}
	ctx := r.Context()
	s.log.ErrorContext(ctx, "export", "request_id", RequestID(ctx), "error", err.Error())
	return &apierr.Error{Code: apierr.CodeInternal, Reason: "internal error; quote request id " + RequestID(ctx)}
}

// exportDescription says what an export holds, without ids (a pseudonymised file must not
// carry the live ids of its area or wave) or names.
func exportDescription(req exportRequest) string {
	p := req.spec.ProjectionSpec
	labels, kinds := cypher.DefaultProjectionLabels(), cypher.DefaultProjectionKinds()
	if p.Labels != nil {
		labels = p.Labels
	}
	if p.Kinds != nil {
		kinds = p.Kinds
	}
	d := fmt.Sprintf("Kith network export: %s nodes, %s ties", strings.Join(labels, ", "), strings.Join(kinds, ", "))
	if len(p.TrustPurposes) > 0 {
		d += " (TRUSTS for " + strings.Join(p.TrustPurposes, ", ") + ")"
	}
	if p.AreaID != "" {
		d += ", one area"
	}
	if p.WaveID != "" {
		d += ", one wave"
	}
	return d + fmt.Sprintf("; directed %t, weighted %t", req.directed, req.weighted)
}

// exportDetail is the audit detail of an export: format and scope, ids but no names.
func exportDetail(req exportRequest) map[string]any {
	p := req.spec.ProjectionSpec
	d := map[string]any{"format": req.format.Name, "directed": req.directed, "weighted": req.weighted, "communities": req.communities}
	if p.Labels != nil {
		d["labels"] = p.Labels
	}
	if p.Kinds != nil {
		d["kinds"] = p.Kinds
	}
	if p.TrustPurposes != nil {
		d["trustPurposes"] = p.TrustPurposes
	}
	if p.AreaID != "" {
		d["areaId"] = p.AreaID
	}
	if p.WaveID != "" {
		d["waveId"] = p.WaveID
	}
	return d
}

// exportResponse is the response of an export: its headers are set when the header of
// the export is known (exportHeaders), and it notes whether a byte has been sent.
type exportResponse struct {
	w       http.ResponseWriter
	format  export.Format
	started time.Time
	wrote   bool
}

func (o *exportResponse) Write(b []byte) (int, error) {
	o.wrote = true
	return o.w.Write(b)
}

// exportHeaders sets the response's headers from the export's header, then passes it on.
type exportHeaders struct {
	export.Writer
	out *exportResponse
}

func (h *exportHeaders) Begin(eh cypher.ExportHeader) error {
	hd := h.out.w.Header()
	hd.Set("Content-Type", h.out.format.ContentType)
	hd.Set("Content-Disposition", `attachment; filename="`+export.FileName(eh.AreaName, eh.WaveName, h.out.started, h.out.format.Ext)+`"`)
	hd.Set("Trailer", exportStatusTrailer)
	hd.Set("Cache-Control", "no-store")
	return h.Writer.Begin(eh)
}
