package resolvers

import (
	"context"
	"time"

	"kith/apierr"
	"kith/cypher"
	"kith/graph/model"
)

// maxRefresh bounds one refresh of the research copy, which may outlast the request that
// asked for it.
const maxRefresh = time.Hour

// researchCopy returns the research copy, or UNAVAILABLE when none is configured.
func (r *Resolver) researchCopy() (*cypher.ResearchCopy, error) {
	if r.ResearchCopy == nil {
		return nil, apierr.Unavailable("no research copy is configured (KITH_RESEARCH_URI)", nil)
	}
	return r.ResearchCopy, nil
}

// refreshResearchCopy refreshes the copy apart from the request, so that a refresh longer
// than the request's deadline finishes (and is not left half done): the request waits for
// it until its deadline, then answers UNAVAILABLE while it carries on.
func refreshResearchCopy(ctx context.Context, rc *cypher.ResearchCopy) (cypher.ResearchCopyStatus, error) {
	type result struct {
		st  cypher.ResearchCopyStatus
		err error
	}
	done := make(chan result, 1)
	go func() {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), maxRefresh)
		defer cancel()
		st, err := rc.Refresh(bg)
		done <- result{st, err}
	}()
	select {
	case res := <-done:
		return res.st, res.err
	case <-ctx.Done():
		return cypher.ResearchCopyStatus{}, apierr.Unavailable("the refresh of the research copy carries on past this request's deadline; ask researchCopy later", ctx.Err())
	}
}

func researchCopyStatus(st cypher.ResearchCopyStatus) *model.ResearchCopyStatus {
	return &model.ResearchCopyStatus{CopiedAt: st.CopiedAt, People: st.People, Nodes: st.Nodes, Ties: st.Ties}
}
