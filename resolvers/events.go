package resolvers

import (
	"context"

	"kith/cypher"
	"kith/graph/model"
	"kith/paging"
)

// occurrences reads one page of events or myWeek: the occurrences of the window, each with
// its event as selected under edges.node.event and nodes.event, in one store call.
func (r *Resolver) occurrences(ctx context.Context, args cypher.EventsArgs) (*model.OccurrenceConnection, error) {
	sel := &cypher.Selection{}
	for _, path := range [][]string{{"edges", "node", "event"}, {"nodes", "event"}} {
		s, _ := childSelection(ctx, "Event", path...)
		sel.Fields = append(sel.Fields, s.Fields...)
	}
	_, total := childSelection(ctx, "", "totalCount")
	if args.Person != "" {
		auditedPerson(ctx, args.Person)
	}
	p, found, err := r.Store.Events(ctx, scopeOf(ctx), args, sel, total)
	if err != nil {
		return nil, err
	}
	nodes := make([]*model.Occurrence, len(found))
	for i, o := range found {
		ev, err := model.DecodeAs[*model.Event](o.Event)
		if err != nil {
			return nil, err
		}
		n := &model.Occurrence{EventID: o.EventID, Start: o.Start, Event: ev}
		if o.HasEnd {
			end := o.End
			n.End = &end
		}
		nodes[i] = n
	}
	return paging.Connect(p, nodes), nil
}
