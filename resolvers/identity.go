package resolvers

import (
	"context"
	"math"

	"kith/cypher"
	"kith/graph/model"
)

// identityCandidates reads one page of the review queue. Paging is the offset window of
// the analysis connections (window), applied once to find the page and again, with the
// total, for its page information.
func (r *Resolver) identityCandidates(ctx context.Context, first *int, after *string) (*model.IdentityCandidateConnection, error) {
	start, end, _, err := window(math.MaxInt32, first, after, "first", "after")
	if err != nil {
		return nil, err
	}
	total, found, err := r.Store.IdentityCandidates(ctx, scopeOf(ctx), start, end-start)
	if err != nil {
		return nil, err
	}
	start, end, info, err := window(total, first, after, "first", "after")
	if err != nil {
		return nil, err
	}
	out := &model.IdentityCandidateConnection{PageInfo: info, TotalCount: total, Edges: []*model.IdentityCandidateEdge{}}
	for i, c := range found[:min(len(found), end-start)] {
		reasons := c.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		out.Edges = append(out.Edges, &model.IdentityCandidateEdge{Cursor: analysisCursor(start + i), Node: &model.IdentityCandidate{
			PersonID: c.PersonID, PersonName: c.PersonName, CandidateID: c.CandidateID, CandidateName: c.CandidateName,
			Score: c.Score, Reasons: reasons, RecordedAt: c.RecordedAt}})
	}
	return out, nil
}

func mergeResult(m cypher.Merge) *model.MergeResult {
	return &model.MergeResult{Keep: m.Keep, Merged: m.Merged, Ties: m.Ties, Changed: m.Changed}
}
