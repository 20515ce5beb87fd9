package model

import "time"

// Consent is what a person agreed to, purpose by purpose; nil purposes were never asked.
// It is read from the flat properties the store keeps (consentAnalysis,
// consentAnalysisAt, consentAnalysisHow...), which Person holds.
type Consent struct {
	Analysis    *ConsentGrant
	Suggestions *ConsentGrant
	Contact     *ConsentGrant
	Wellbeing   *ConsentGrant
}

// ConsentGrant is one purpose's consent: given or refused, when, and how.
type ConsentGrant struct {
	Given bool
	At    *time.Time
	How   *string
}

// Consent returns the person's consent, purpose by purpose.
func (p *Person) Consent() *Consent {
	c := p
	grant := func(given *bool, at *time.Time, how *string) *ConsentGrant {
		if given == nil {
			return nil
		}
		return &ConsentGrant{Given: *given, At: at, How: how}
	}
	return &Consent{
		Analysis:    grant(c.ConsentAnalysis, c.ConsentAnalysisAt, c.ConsentAnalysisHow),
		Suggestions: grant(c.ConsentSuggestions, c.ConsentSuggestionsAt, c.ConsentSuggestionsHow),
		Contact:     grant(c.ConsentContact, c.ConsentContactAt, c.ConsentContactHow),
		Wellbeing:   grant(c.ConsentWellbeing, c.ConsentWellbeingAt, c.ConsentWellbeingHow),
	}
}
