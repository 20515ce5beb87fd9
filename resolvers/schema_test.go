package resolvers

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"kith/cypher"
	"kith/graph"
)

// TestSchemaMatchesStoreTable keeps the SDL and the store's closed table in step: every
// field of a node type is a stored property, a relation field the store fetches, or ties;
// every interface is known to selectionOf.
func TestSchemaMatchesStoreTable(t *testing.T) {
	sdl := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	table := cypher.NewSchema()
	for name, def := range sdl.Types {
		if def.Kind == ast.Interface && !interfaces[name] {
			t.Errorf("interface %s is not listed in interfaces", name)
		}
	}
	// Fields the store serves by code of their own (cypher/project.go, observations.go).
	storeFields := map[string]bool{"ties": true, "observations": true, "respondents": true}
	for _, label := range table.LabelOrder {
		def := sdl.Types[label]
		if def == nil {
			t.Errorf("label %s has no GraphQL type", label)
			continue
		}
		l := table.Labels[label]
		grouped := map[string]bool{} // properties a composite field (Person.consent) shows
		for _, f := range def.Fields {
			_, isProp := l.Prop(f.Name)
			_, isRel := l.Rel(f.Name)
			props, isComposite := l.Composite(f.Name)
			for _, p := range props {
				grouped[p] = true
			}
			if f.Name == "label" {
				if len(l.LabelProps) == 0 {
					t.Errorf("%s.label has no LabelProps in the table", label)
				}
				for _, p := range l.LabelProps {
					if _, ok := l.Prop(p); !ok {
						t.Errorf("%s.label is made of %s, which is not a property", label, p)
					}
				}
				continue
			}
			if !isProp && !isRel && !isComposite && !storeFields[f.Name] {
				t.Errorf("%s.%s is neither a stored property nor a relation of the table", label, f.Name)
			}
		}
		for _, p := range l.Props {
			if def.Fields.ForName(p.Name) == nil && !grouped[p.Name] {
				t.Errorf("property %s.%s is not in the schema", label, p.Name)
			}
		}
	}
	kinds := sdl.Types["TieKind"]
	for _, k := range table.TieOrder {
		if kinds.EnumValues.ForName(k) == nil {
			t.Errorf("tie kind %s is not in the TieKind enum", k)
		}
	}
	if len(kinds.EnumValues) != len(table.TieOrder) {
		t.Errorf("TieKind has %d values, the table %d kinds", len(kinds.EnumValues), len(table.TieOrder))
	}
}
