package resolvers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"kith/cypher"
	"kith/graph/model"
	"kith/paging"
)

// helpFinder is WhoCouldHelp or WhoCouldBeHelpedBy.
type helpFinder func(ctx context.Context, scope cypher.Scope, person string, args cypher.PageArgs, wantTotal bool) (*cypher.Page, []cypher.HelpMatch, error)

// helpMatches reads one page of whoCouldHelp or whoCouldBeHelpedBy, in the scope of
// suggestions (access.SuggestionScope).
func (r *Resolver) helpMatches(ctx context.Context, find helpFinder, person string, args cypher.PageArgs) (*model.HelpMatchConnection, error) {
	_, total := childSelection(ctx, "", "totalCount")
	p, found, err := find(ctx, suggestionScope(ctx), person, args, total)
	if err != nil {
		return nil, err
	}
	nodes := make([]*model.HelpMatch, len(found))
	for i, m := range found {
		n := &model.HelpMatch{PersonID: m.PersonID, Label: m.Label, Topics: helpTopics(m.Topics),
			SharedInterests: nonNil(m.SharedInterests), Score: m.Score, Reasons: helpReasons(m)}
		if m.TrustedSteps > 0 {
			n.TrustedSteps = &m.TrustedSteps
		}
		if near := model.Nearness(m.Reach); near.IsValid() {
			n.Reach = &near
		}
		nodes[i] = n
	}
	return paging.Connect(p.Page, nodes), nil
}

// volunteerMatches reads one page of volunteerMatches.
func (r *Resolver) volunteerMatches(ctx context.Context, group string, args cypher.PageArgs) (*model.VolunteerMatchConnection, error) {
	_, total := childSelection(ctx, "", "totalCount")
	p, found, err := r.Store.VolunteerMatches(ctx, suggestionScope(ctx), group, args, total)
	if err != nil {
		return nil, err
	}
	nodes := make([]*model.VolunteerMatch, len(found))
	for i, m := range found {
		reasons := append(topicReasons(m.Topics, "has a gift for what the group needs: "), interestReasons(m.SharedInterests)...)
		reasons = append(reasons, knownReasons(m.KnownMembers, "member")...)
		if m.Nearby {
			reasons = append(reasons, "lives near where the group meets")
		}
		nodes[i] = &model.VolunteerMatch{PersonID: m.PersonID, Label: m.Label, Topics: helpTopics(m.Topics),
			SharedInterests: nonNil(m.SharedInterests), KnownMembers: m.KnownMembers, Nearby: m.Nearby, Score: m.Score, Reasons: reasons}
	}
	return paging.Connect(p.Page, nodes), nil
}

// volunteeringFor reads one page of volunteeringFor.
func (r *Resolver) volunteeringFor(ctx context.Context, person string, args cypher.PageArgs) (*model.VolunteerOpportunityConnection, error) {
	_, total := childSelection(ctx, "", "totalCount")
	p, found, err := r.Store.VolunteeringFor(ctx, suggestionScope(ctx), person, args, total)
	if err != nil {
		return nil, err
	}
	nodes := make([]*model.VolunteerOpportunity, len(found))
	for i, o := range found {
		reasons := append(topicReasons(o.Topics, "needs what the person can give: "), interestReasons(o.SharedInterests)...)
		reasons = append(reasons, knownReasons(o.KnownPeople, "person there")...)
		if o.Nearby {
			reasons = append(reasons, "meets near where the person lives")
		}
		nodes[i] = &model.VolunteerOpportunity{ID: o.ID, Kind: model.OpportunityKind(o.Kind), Name: o.Name, Topics: helpTopics(o.Topics),
			SharedInterests: nonNil(o.SharedInterests), KnownPeople: o.KnownPeople, Nearby: o.Nearby, Score: o.Score, Reasons: reasons}
	}
	return paging.Connect(p.Page, nodes), nil
}

// helpReasons says in words why two people were matched.
func helpReasons(m cypher.HelpMatch) []string {
	reasons := append(topicReasons(m.Topics, "a gift meets a need: "), interestReasons(m.SharedInterests)...)
	switch {
	case m.TrustedSteps == 1:
		reasons = append(reasons, "they already know each other")
	case m.TrustedSteps > 1:
		reasons = append(reasons, "within "+strconv.Itoa(m.TrustedSteps)+" trusted steps")
	}
	switch m.Reach {
	case cypher.ReachSame:
		reasons = append(reasons, "they live in the same area")
	case cypher.ReachNeighbouring:
		reasons = append(reasons, "they live in neighbouring areas")
	}
	return reasons
}

func topicReasons(topics []string, lead string) []string {
	if len(topics) == 0 {
		return nil
	}
	words := make([]string, len(topics))
	for i, t := range topics {
		words[i] = strings.ToLower(strings.ReplaceAll(t, "_", " "))
	}
	return []string{lead + strings.Join(words, ", ")}
}

func interestReasons(shared []string) []string {
	if len(shared) == 0 {
		return nil
	}
	return []string{"shared interests: " + strings.Join(shared, ", ")}
}

func knownReasons(n int, what string) []string {
	switch {
	case n == 1:
		return []string{"knows 1 " + what}
	case n > 1:
		return []string{"knows " + strconv.Itoa(n) + " " + what + "s"}
	}
	return nil
}

func helpTopics(ts []string) []model.HelpTopic {
	out := make([]model.HelpTopic, len(ts))
	for i, t := range ts {
		out[i] = model.HelpTopic(t)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// auditedPerson sets the person argument of a root field whose answer is about one person
// (server's aboutPerson) to the id the store found, so that the audit trail records whom a
// partner asked about when it named them by externalId.
func auditedPerson(ctx context.Context, id string) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && id != "" {
		fc.Args["person"] = id
	}
}

// eventSuggestionWindow is how far ahead eventSuggestions looks when not told: four weeks.
const eventSuggestionWindow = 28 * 24 * time.Hour

// companions gives the people to go along with of a suggestion.
func companions(cs []cypher.Companion) []*model.Companion {
	out := make([]*model.Companion, len(cs))
	for i, c := range cs {
		kinds := make([]model.TieKind, len(c.Ties))
		for j, k := range c.Ties {
			kinds[j] = model.TieKind(k)
		}
		out[i] = &model.Companion{PersonID: c.PersonID, ExternalID: optString(c.ExternalID), Label: c.Label, Ties: kinds}
	}
	return out
}

// eventReasons are an event suggestion's reasons in words.
func eventReasons(s cypher.EventSuggestion) []string {
	reasons := append(interestReasons(s.SharedInterests), knownReasons(s.KnownGoing, "regular")...)
	if s.Nearby {
		reasons = append(reasons, "near where the person lives")
	}
	return reasons
}
