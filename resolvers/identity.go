package resolvers

import (
	"context"

	"kith/cypher"
	"kith/graph/model"
	"kith/paging"
)

// identityCandidates reads one page of the review queue (docs/paging.md).
func (r *Resolver) identityCandidates(ctx context.Context, first *int, after *string, last *int, before *string) (*model.IdentityCandidateConnection, error) {
	_, total := childSelection(ctx, "", "totalCount")
	p, found, err := r.Store.IdentityCandidates(ctx, scopeOf(ctx), pageArgs(first, after, last, before), total)
	if err != nil {
		return nil, err
	}
	nodes := make([]*model.IdentityCandidate, len(found))
	for i, c := range found {
		reasons := c.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		nodes[i] = &model.IdentityCandidate{PersonID: c.PersonID, PersonName: c.PersonName, CandidateID: c.CandidateID,
			CandidateName: c.CandidateName, Score: c.Score, Reasons: reasons, RecordedAt: c.RecordedAt}
	}
	return paging.Connect(p.Page, nodes), nil
}

func mergeResult(m cypher.Merge) *model.MergeResult {
	return &model.MergeResult{Keep: m.Keep, Merged: m.Merged, Ties: m.Ties, Changed: m.Changed}
}
