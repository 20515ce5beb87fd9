package survey

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
	"kith/cypher"
	"kith/identity"
	"kith/nodeid"
)

// Formats an import reads.
const (
	FormatNetworkCanvas = "network-canvas"
	FormatRoster        = "roster"
)

// Importer imports survey interviews into the store.
type Importer struct {
	Store   *cypher.Store
	Matcher Matcher
}

// Options say what one import does.
type Options struct {
	// Wave is the id or name of the Wave the interviews belong to (it must exist).
	Wave string
	// Area is the id or name of the area respondents live in when their row gives none.
	Area string
	// DryRun reads, checks and matches everything and writes nothing.
	DryRun bool
	// Scope is the caller's: a worker's areas bound where respondents may live, and what
	// the report shows of alters outside them.
	Scope cypher.Scope
	// Progress, when set, is called after each interview with how many are done.
	Progress func(done, total int)
}

// Read reads the interviews of the files: a roster when they hold respondents.csv,
// otherwise a Network Canvas export under mapping (which it then needs).
func Read(fs *Files, mapping *File) (format string, ivs []*Interview, err error) {
	if IsRoster(fs) {
		ivs, err = ReadRoster(fs)
		return FormatRoster, ivs, err
	}
	if mapping == nil {
		return FormatNetworkCanvas, nil, problem(CodeMissingFile, "mapping", 0, 0,
			"a Network Canvas export needs a mapping file (--mapping, or the mapping upload); docs/import.md describes it")
	}
	m, err := ParseMapping(*mapping)
	if err != nil {
		return FormatNetworkCanvas, nil, err
	}
	ivs, err = ReadNetworkCanvas(fs, m)
	return FormatNetworkCanvas, ivs, err
}

// plan is what is known before the interviews are written: the wave, the areas.
type plan struct {
	opts    Options
	format  string
	wave    string
	area    string            // default respondent area id
	areas   map[string]string // area text → id
	visible map[string]bool   // areas within the caller's; nil: all
	now     time.Time
	// session matches every interview against the people read when the import began and
	// the interviews before it; nil when the Matcher reads the graph per interview.
	session *identity.Session
}

// Import writes the interviews, each in its own transaction (or, in a dry run, checks
// them in a read transaction), and reports what happened. An error is returned only for
// what stops the whole import (an unknown wave, an area outside the caller's); a refused
// interview is in the report.
func (im *Importer) Import(ctx context.Context, format string, ivs []*Interview, opts Options) (*Report, error) {
	if opts.Scope.None || opts.Scope.Pseudonymise || opts.Scope.Consent != "" {
		return nil, apierr.Forbidden("", "only admins and workers import surveys")
	}
	p := &plan{opts: opts, format: format, now: time.Now().UTC()}
	if len(ivs) == 0 {
		return nil, apierr.BadUserInput("file", "holds no interview")
	}
	if err := im.prepare(ctx, p, ivs); err != nil {
		return nil, err
	}
	rep := &Report{Format: format, DryRun: opts.DryRun, Wave: p.wave}
	for i, iv := range ivs {
		rep.add(im.one(ctx, p, iv))
		if opts.Progress != nil {
			opts.Progress(i+1, len(ivs))
		}
	}
	return rep, nil
}

// prepare resolves the wave, the default area and every area the interviews name, and
// the areas the caller covers, in one read transaction.
func (im *Importer) prepare(ctx context.Context, p *plan, ivs []*Interview) error {
	texts := map[string]bool{}
	if p.opts.Area != "" {
		texts[p.opts.Area] = true
	}
	for _, iv := range ivs {
		if iv.Respondent.Area != "" {
			texts[iv.Respondent.Area] = true
		}
		for _, a := range iv.Alters {
			if a.Mention.Area != "" {
				texts[a.Mention.Area] = true
			}
		}
	}
	return im.Store.ReadTx(ctx, func(ntx neo4j.ManagedTransaction) error {
		t := tx{ctx: ctx, store: im.Store, tx: ntx}
		var err error
		if p.opts.Wave == "" {
			return apierr.BadUserInput("wave", "is required: the id or name of the wave the interviews belong to")
		}
		if p.wave, err = t.waveID(p.opts.Wave); err != nil {
			return err
		}
		if p.wave == "" {
			return apierr.NotFound("wave", "no Wave has that id or name (or several share the name); create it first")
		}
		if p.areas, err = t.resolveAreas(sortedKeys(texts)); err != nil {
			return err
		}
		if p.opts.Area != "" {
			if p.area = p.areas[p.opts.Area]; p.area == "" {
				return apierr.NotFound("area", "no Area has that id, or that name alone")
			}
		}
		if p.opts.Scope.Areas != nil {
			if p.visible, err = t.areasWithin(p.opts.Scope.Areas); err != nil {
				return err
			}
			if p.area != "" && !p.visible[p.area] {
				return apierr.Forbidden("area", "is not one of the areas you cover")
			}
		}
		if sm, ok := im.Matcher.(SessionMatcher); ok {
			areas := []string{p.area}
			for _, id := range p.areas {
				areas = append(areas, id)
			}
			sort.Strings(areas)
			if p.session, err = sm.Session(ctx, ntx, areas); err != nil {
				return err
			}
		}
		return nil
	})
}

// one imports one interview and reports it.
func (im *Importer) one(ctx context.Context, p *plan, iv *Interview) InterviewReport {
	ir := InterviewReport{Key: iv.Key, File: iv.File, Line: iv.Line}
	if iv.Problem == nil {
		iv.Problem = p.checkRespondentArea(iv)
	}
	if iv.Problem != nil {
		ir.Status, ir.Problem = StatusRejected, iv.Problem
		return ir
	}
	work := func(ntx neo4j.ManagedTransaction) error {
		var err error
		ir.Records, ir.Ties, err = im.write(tx{ctx: ctx, store: im.Store, tx: ntx}, p, iv)
		return err
	}
	var err error
	if p.opts.DryRun {
		ir.Status = StatusChecked
		err = im.Store.ReadTx(ctx, work)
	} else {
		ir.Status = StatusLoaded
		err = im.Store.WriteTx(ctx, work)
	}
	if p.session != nil {
		// Later interviews match against this one's people only when it was written.
		if err == nil && !p.opts.DryRun {
			p.session.Commit()
		} else {
			p.session.Rollback()
		}
	}
	var refused *Problem
	if errors.As(err, &refused) {
		ir.Status, ir.Records, ir.Ties, ir.Problem = StatusRejected, nil, 0, refused
		return ir
	}
	if err != nil {
		msg := "the interview could not be written; nothing of it was"
		if e, ok := apierr.As(err); ok {
			msg += ": " + string(e.Code) + ": " + e.Reason
		}
		ir.Status, ir.Records, ir.Ties = StatusRejected, nil, 0
		ir.Problem = problem(CodeInterviewWrite, iv.File, iv.Line, 0, "%s", msg)
	}
	return ir
}

// checkRespondentArea resolves the respondent's area, which must name one area, within
// the caller's areas.
func (p *plan) checkRespondentArea(iv *Interview) *Problem {
	r := &iv.Respondent
	switch {
	case r.Area == "" && p.area == "":
		return problem(CodeMissingValue, iv.File, iv.Line, 0, "the respondent has no area: give one in the file or with the import's area")
	case r.Area == "":
		r.AreaID = p.area
	default:
		if r.AreaID = p.areas[r.Area]; r.AreaID == "" {
			return problem(CodeUnknownArea, iv.File, iv.Line, 0, "the respondent's area names no area (by id, or by a name only one area has)")
		}
	}
	if p.visible != nil && !p.visible[r.AreaID] {
		return problem(CodeOutsideAreas, iv.File, iv.Line, 0, "the respondent's area is not one of the areas you cover")
	}
	for _, a := range iv.Alters {
		a.Mention.AreaID = p.areas[a.Mention.Area]
		if a.Mention.Area == "" {
			// Named without an area: a neighbour, recorded in the respondent's area.
			a.Mention.AreaID = r.AreaID
		}
	}
	return nil
}

// entry is a respondent or alter on its way to the graph.
type entry struct {
	m       *identity.Mention
	role    string
	id      string
	outcome string
	cands   []identity.Candidate
	create  bool
	// newID is the id the matcher gave a new person (so that later interviews of the
	// import that name them again are linked to the id created).
	newID string
}

// write resolves, and unless the import is a dry run writes, one interview in t.
func (im *Importer) write(t tx, p *plan, iv *Interview) ([]Record, int, error) {
	entries := []*entry{{m: &iv.Respondent, role: "RESPONDENT"}}
	for _, a := range iv.Alters {
		entries = append(entries, &entry{m: &a.Mention, role: "ALTER"})
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.m.SourceKey
	}
	known, err := t.sourceKeys(keys)
	if err != nil {
		return nil, 0, err
	}
	var people []identity.Mention
	var peopleAt []*entry
	named := map[string][]*entry{}
	for _, e := range entries {
		if k, ok := known[e.m.SourceKey]; ok {
			e.id, e.outcome = k[0], OutcomeAlreadyImported
			continue
		}
		switch e.m.Label {
		case "Person", "FamiliarStranger":
			people, peopleAt = append(people, *e.m), append(peopleAt, e)
		default:
			named[e.m.Label] = append(named[e.m.Label], e)
		}
	}
	if len(people) > 0 {
		var ds []identity.Decision
		if p.session != nil {
			ds, err = p.session.Match(people)
		} else {
			ds, err = im.Matcher.Match(t.ctx, t.tx, people)
		}
		if err != nil {
			return nil, 0, err
		}
		for i, e := range peopleAt {
			var d identity.Decision
			if i < len(ds) {
				d = ds[i]
			}
			e.decide(d)
		}
	}
	for _, label := range sortedKeys(named) {
		items := make([]map[string]any, len(named[label]))
		for i, e := range named[label] {
			items[i] = map[string]any{"key": e.m.SourceKey, "name": e.m.Name, "area": e.m.AreaID}
		}
		found, err := t.namedNodes(label, items)
		if err != nil {
			return nil, 0, err
		}
		for _, e := range named[label] {
			if ids := found[e.m.SourceKey]; len(ids) > 0 {
				e.id, e.outcome = ids[0], OutcomeLinked
				e.cands = []identity.Candidate{{PersonID: ids[0], Score: 1, Reasons: []string{"same name"}}}
			} else {
				e.outcome, e.create = OutcomeCreated, true
			}
		}
	}
	// A respondent is written to (an Observation): one linked to a person outside the
	// caller's areas is recorded anew and queued against them instead; one imported before
	// who no longer lives in them is refused.
	resp := entries[0]
	if p.visible != nil && (resp.outcome == OutcomeLinked || resp.outcome == OutcomeAlreadyImported) {
		in, err := t.livingIn([]string{resp.id}, p.visible)
		if err != nil {
			return nil, 0, err
		}
		switch {
		case in[resp.id]:
		case resp.outcome == OutcomeLinked:
			// A matching session keeps the mention with the person it matched, so a later
			// interview naming this respondent is linked to that person, not to this record.
			resp.outcome, resp.create, resp.id = OutcomeQueued, true, ""
		default:
			return nil, 0, problem(CodeOutsideAreas, iv.File, iv.Line, 0, "the respondent no longer lives in the areas you cover")
		}
	}
	for _, e := range entries {
		if e.create && !p.opts.DryRun {
			e.id = e.newID
			if l, _ := nodeid.Label(e.id); l != e.m.Label {
				e.id = nodeid.New(e.m.Label)
			}
		}
	}
	ties := p.ties(iv, entries)
	if !p.opts.DryRun {
		if err := im.apply(t, p, iv, entries, ties); err != nil {
			return nil, 0, err
		}
	}
	recs, err := p.records(t, entries)
	return recs, len(ties), err
}

// decide turns a matcher's decision into the entry's outcome.
func (e *entry) decide(d identity.Decision) {
	switch {
	case d.Kind == identity.Linked && d.PersonID != "":
		e.id, e.outcome = d.PersonID, OutcomeLinked
		e.cands = []identity.Candidate{{PersonID: d.PersonID, Score: d.Score, Reasons: d.Reasons}}
	case d.Kind == identity.Linked && len(d.Candidates) > 0:
		e.id, e.outcome, e.cands = d.Candidates[0].PersonID, OutcomeLinked, d.Candidates[:1]
	case d.Kind == identity.Queued && len(d.Candidates) > 0:
		e.outcome, e.create, e.cands, e.newID = OutcomeQueued, true, d.Candidates, d.PersonID
	default:
		e.outcome, e.create, e.newID = OutcomeCreated, true, d.PersonID
	}
}

// ties lists the interview's ties: respondent to each alter per name generator, and
// between alters.
func (p *plan) ties(iv *Interview, entries []*entry) []tieRow {
	byKey := map[string]*entry{}
	for _, e := range entries {
		byKey[e.m.SourceKey] = e
	}
	resp := entries[0]
	var out []tieRow
	for _, a := range iv.Alters {
		e := byKey[a.Mention.SourceKey]
		for _, spec := range a.Named {
			r := tieRow{Spec: spec, From: resp.id, To: e.id}
			if spec.reversed() {
				r.From, r.To = r.To, r.From
			}
			out = append(out, r)
		}
	}
	for _, t := range iv.Ties {
		out = append(out, tieRow{Spec: t.Spec, From: byKey[t.From].id, To: byKey[t.To].id})
	}
	return out
}

// apply writes the interview: new nodes with their areas, source keys, ties in the wave,
// candidates for review, the respondent's Observation, and the audit record.
func (im *Importer) apply(t tx, p *plan, iv *Interview, entries []*entry, ties []tieRow) error {
	at := iv.At
	if at.IsZero() {
		at = p.now
	}
	source := "import:" + p.format
	var nodes []newNode
	keys := map[string]string{}
	var queue []any
	var ids []string
	for i, e := range entries {
		keys[e.m.SourceKey] = e.id
		ids = append(ids, e.id)
		if !e.create {
			continue
		}
		nodes = append(nodes, newNode{Label: e.m.Label, ID: e.id, Area: e.m.AreaID, Props: props(e.m, i == 0, iv, at)})
		if e.outcome == OutcomeQueued && e.m.Label == "Person" {
			for _, c := range e.cands {
				if l, _ := nodeid.Label(c.PersonID); l == "Person" {
					queue = append(queue, map[string]any{"from": e.id, "to": c.PersonID, "score": c.Score, "reasons": c.Reasons, "id": nodeid.New("Tie")})
				}
			}
		}
	}
	if err := t.createNodes(nodes, source, at); err != nil {
		return err
	}
	if err := t.keepSourceKeys(keys); err != nil {
		return err
	}
	if err := t.recordTies(ties, p.wave, source, at); err != nil {
		return err
	}
	if err := t.queueCandidates(queue, source); err != nil {
		return err
	}
	if err := t.recordObservation(entries[0].id, p.wave, iv.Observation, at, iv.Method, iv.Key); err != nil {
		return err
	}
	return t.store.AuditWrite(t.ctx, t.tx, ids, map[string]any{"import": p.format, "ties": len(ties)})
}

// props are the stored properties of a new node: for someone named, the least: the name
// as given, the role, the area as given; nothing else, no contact, no consent (so
// analysts and partners never see them). A respondent's consent answers are kept with
// when and how they were given.
func props(m *identity.Mention, respondent bool, iv *Interview, at time.Time) map[string]any {
	out := map[string]any{}
	if m.Area != "" {
		out["areaAsGiven"] = m.Area
	}
	switch m.Label {
	case "Person":
		if m.Name != "" {
			out["displayName"] = m.Name
		}
		if m.Role != "" {
			out["roles"] = []string{m.Role}
		}
	case "FamiliarStranger":
		out["role"] = m.Role
		if m.Role == "" {
			out["role"] = m.Name
		}
		if m.Name != "" {
			out["displayName"] = m.Name
		}
	default:
		out["name"] = m.Name
	}
	if respondent {
		for purpose, given := range iv.Consent {
			base := "consent" + string(purpose[0]-'a'+'A') + purpose[1:]
			out[base] = given
			out[base+"At"] = at
			out[base+"How"] = "survey interview (" + iv.Method + ")"
		}
	}
	return out
}

// records reports the entries; ids of nodes outside the caller's areas are left out.
func (p *plan) records(t tx, entries []*entry) ([]Record, error) {
	var hidden map[string]bool
	if p.visible != nil {
		var ids []string
		for _, e := range entries {
			if e.id != "" {
				ids = append(ids, e.id)
			}
			for _, c := range e.cands {
				ids = append(ids, c.PersonID)
			}
		}
		in, err := t.livingIn(ids, p.visible)
		if err != nil {
			return nil, err
		}
		hidden = map[string]bool{}
		for _, id := range ids {
			if l, _ := nodeid.Label(id); (l == "Person" || l == "FamiliarStranger") && !in[id] {
				hidden[id] = true
			}
		}
	}
	out := make([]Record, len(entries))
	for i, e := range entries {
		r := Record{SourceKey: e.m.SourceKey, Role: e.role, Label: e.m.Label, Outcome: e.outcome}
		if e.id != "" {
			id := e.id
			r.ID = &id
		}
		outside := hidden[e.id] || (e.id == "" && e.create && p.visible != nil && e.m.Label == "Person" && !p.visible[e.m.AreaID])
		if outside {
			r.ID, r.OutsideAreas = nil, true
		}
		for _, c := range e.cands {
			if outside || hidden[c.PersonID] {
				continue
			}
			r.Candidates = append(r.Candidates, Candidate{ID: c.PersonID, Score: c.Score, Reasons: c.Reasons})
		}
		if e.outcome == OutcomeLinked && r.ID == nil {
			r.Candidates = nil
		}
		out[i] = r
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].SourceKey < out[1+j].SourceKey })
	return out, nil
}
