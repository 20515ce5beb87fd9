package resolvers

import (
	"time"

	"kith/cypher"
	"kith/graph/model"
)

// observationInputs turns the API's observation inputs into the store's.
func observationInputs(input []*model.ObservationInput) []cypher.ObservationInput {
	out := make([]cypher.ObservationInput, len(input))
	for i, in := range input {
		o := cypher.ObservationInput{
			PersonID: in.Person, WaveID: in.Wave, Method: string(in.Method),
			WEMWBSItems: in.WemwbsItems, WEMWBS: in.Wemwbs, SWEMWBSItems: in.SwemwbsItems, SWEMWBSRaw: in.SwemwbsRaw,
			ONSLifeSatisfaction: in.OnsLifeSatisfaction, ONSWorthwhile: in.OnsWorthwhile, ONSHappy: in.OnsHappy, ONSAnxious: in.OnsAnxious,
		}
		if in.RecordedAt != nil {
			o.RecordedAt = time.Time(*in.RecordedAt)
		}
		if in.InterviewID != nil {
			o.InterviewID = *in.InterviewID
		}
		if in.Employment != nil {
			o.Employment = string(*in.Employment)
		}
		if in.Household != nil {
			o.Household = *in.Household
		}
		if in.AgeBand != nil {
			o.AgeBand = *in.AgeBand
		}
		out[i] = o
	}
	return out
}

// wellbeingFilter turns wellbeingSummary's arguments into the store's filter.
func wellbeingFilter(where map[string]any, wave *string, change *model.TieChange) cypher.WellbeingFilter {
	f := cypher.WellbeingFilter{Where: where}
	if wave != nil {
		f.WaveID = *wave
	}
	if change != nil {
		c := &cypher.TieChange{From: change.From, To: change.To, Change: string(change.Change)}
		if change.Kinds != nil {
			c.Kinds = make([]string, len(change.Kinds))
			for i, k := range change.Kinds {
				c.Kinds[i] = string(k)
			}
		}
		f.Change = c
	}
	return f
}
