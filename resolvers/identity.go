package resolvers

import (
	"context"

	"kith/cypher"
	"kith/graph/model"
)

// identityCandidates reads one page of the review queue (docs/paging.md).
func (r *Resolver) identityCandidates(ctx context.Context, first *int, after *string, last *int, before *string) (*model.IdentityCandidateConnection, error) {
	_, total := childSelection(ctx, "", "totalCount")
	p, found, err := r.Store.IdentityCandidates(ctx, scopeOf(ctx), pageArgs(first, after, last, before), total)
	if err != nil {
		return nil, err
	}
	edges := make([]*model.IdentityCandidateEdge, len(found))
	for i, c := range found {
		reasons := c.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		edges[i] = &model.IdentityCandidateEdge{Cursor: p.Cursors[i], Node: &model.IdentityCandidate{
			PersonID: c.PersonID, PersonName: c.PersonName, CandidateID: c.CandidateID, CandidateName: c.CandidateName,
			Score: c.Score, Reasons: reasons, RecordedAt: c.RecordedAt}}
	}
	return &model.IdentityCandidateConnection{PageInfo: p.PageInfo, TotalCount: p.Total, Edges: edges}, nil
}

func mergeResult(m cypher.Merge) *model.MergeResult {
	return &model.MergeResult{Keep: m.Keep, Merged: m.Merged, Ties: m.Ties, Changed: m.Changed}
}
