package cypher

import (
	"strings"
	"time"

	"kith/apierr"
)

// Consent: each person carries consent per purpose, with when and how it was given. The
// API shows it as one object (Person.consent); the store keeps it as three flat properties
// per purpose, consentAnalysis (bool), consentAnalysisAt (datetime) and
// consentAnalysisHow (string), so a scope can filter on it with one property test.

// Consent purposes.
const (
	// ConsentAnalysis allows pseudonymised analysis; analysts see only people who gave it.
	ConsentAnalysis = "analysis"
	// ConsentSuggestions allows partner apps to suggest connections for the person.
	ConsentSuggestions = "suggestions"
	// ConsentContact allows workers to see and use the person's contact details.
	ConsentContact = "contact"
	// ConsentWellbeing allows workers to see the person's wellbeing score.
	ConsentWellbeing = "wellbeing"
)

// ConsentPurposes lists the purposes a person can consent to.
func ConsentPurposes() []string {
	return []string{ConsentAnalysis, ConsentSuggestions, ConsentContact, ConsentWellbeing}
}

// consentField is the composite field of a Person that groups the consent properties.
const consentField = "consent"

// consentProp is the flat property that says whether consent for purpose was given.
func consentProp(purpose string) string {
	return "consent" + strings.ToUpper(purpose[:1]) + purpose[1:]
}

// consentProps returns the stored properties of every purpose: given, at, how.
func consentProps() []Prop {
	var out []Prop
	for _, p := range ConsentPurposes() {
		base := consentProp(p)
		out = append(out,
			Prop{Name: base, Kind: KindBool, Personal: true},
			Prop{Name: base + "At", Kind: KindDateTime, Personal: true},
			Prop{Name: base + "How", Kind: KindString, Personal: true})
	}
	return out
}

// isConsentProp reports whether a Person property is one of the consent properties, which
// are set only through the consent field. Every such property, and no other, starts with
// "consent" (consentProp).
func isConsentProp(name string) bool { return strings.HasPrefix(name, consentField) }

// consentNames lists the names of the consent properties.
func consentNames() []string {
	var out []string
	for _, p := range consentProps() {
		out = append(out, p.Name)
	}
	return out
}

// consentInput flattens a ConsentInput ({analysis: {given, at, how}, ...}) into
// properties: a purpose given as null removes its three properties; a grant without at
// is dated now.
func consentInput(v any, field string, props map[string]any) error {
	// An input object given as null can reach here as an empty map; a real one is never
	// empty (given and how are required by the schema).
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		v = nil
	}
	if v == nil {
		for _, name := range consentNames() {
			props[name] = nil
		}
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return apierr.BadUserInput(field, "expected an object")
	}
	for _, k := range sortedKeys(m) {
		g := m[k]
		path := field + "." + k
		if !contains(ConsentPurposes(), k) {
			return apierr.BadUserInput(path, "is not a consent purpose (%s)", strings.Join(ConsentPurposes(), ", "))
		}
		base := consentProp(k)
		if m, ok := g.(map[string]any); ok && len(m) == 0 {
			g = nil
		}
		if g == nil {
			props[base], props[base+"At"], props[base+"How"] = nil, nil, nil
			continue
		}
		grant, ok := g.(map[string]any)
		if !ok {
			return apierr.BadUserInput(path, "expected {given, at, how}")
		}
		given, ok := grant["given"].(bool)
		if !ok {
			return apierr.BadUserInput(path+".given", "is required: true or false")
		}
		how, _ := grant["how"].(string)
		if strings.TrimSpace(how) == "" {
			return apierr.BadUserInput(path+".how", "is required: say how consent was given or refused (e.g. paper form, verbal at door)")
		}
		hv, err := paramValue(Prop{Name: base + "How", Kind: KindString}, how, path+".how")
		if err != nil {
			return err
		}
		var at any = time.Now().UTC()
		if grant["at"] != nil {
			if at, err = paramValue(Prop{Name: base + "At", Kind: KindDateTime}, grant["at"], path+".at"); err != nil {
				return err
			}
		}
		props[base], props[base+"At"], props[base+"How"] = given, at, hv
	}
	return nil
}

// compositeProps returns the properties a composite field of the label projects.
func compositeProps(l *Label, field string) ([]string, bool) {
	if l.Name == "Person" && field == consentField {
		return consentNames(), true
	}
	return nil, false
}

// Composite returns the stored properties behind a field of the label that groups
// several of them (Person.consent), and whether field is one.
func (l *Label) Composite(field string) ([]string, bool) { return compositeProps(l, field) }
