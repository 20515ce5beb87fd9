package model

import "strings"

// This file gives every node type its label (Node.label): the name to show for it, from
// the properties cypher's table lists as its LabelProps, which the store fetches as the
// caller's scope allows.

// Label is the person's name, or their pseudonym when the name was not fetched.
func (p *Person) Label() string { return firstOf(p.DisplayName, p.Pseudonym) }

// Label is the familiar stranger's name, or their role.
func (f *FamiliarStranger) Label() string { return firstOf(f.DisplayName, &f.Role) }

// Label is the place's name.
func (p *Place) Label() string { return p.Name }

// Label is the group's name.
func (g *Group) Label() string { return g.Name }

// Label is the organisation's name.
func (o *Organisation) Label() string { return o.Name }

// Label is the interest's name.
func (i *Interest) Label() string { return i.Name }

// Label is the gift's description, or its kind in words.
func (g *Gift) Label() string {
	kind := "gift of the " + strings.ToLower(string(g.Kind))
	return firstOf(g.Description, &kind)
}

// Label is the need's description, or its topic in words.
func (n *Need) Label() string {
	topic := strings.ToLower(strings.ReplaceAll(string(n.Topic), "_", " "))
	return firstOf(n.Description, &topic)
}

// Label is the event's title.
func (e *Event) Label() string { return e.Title }

// Label is the area's name.
func (a *Area) Label() string { return a.Name }

// Label is the wave's name.
func (w *Wave) Label() string { return w.Name }

func firstOf(values ...*string) string {
	for _, v := range values {
		if v != nil && *v != "" {
			return *v
		}
	}
	return ""
}
