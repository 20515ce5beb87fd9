package cypher

// Selection is the part of a GraphQL selection set that the store fetches: which fields of
// a node (or tie) to return, with the arguments of relation fields. The API layer builds it
// from the request, so that a nested read becomes one Cypher query.
type Selection struct {
	Fields []Field
}

// Field is one selected field.
type Field struct {
	// Name is the schema field name, Alias the key it is returned under.
	Name, Alias string
	// Args are the field's arguments, with defaults applied.
	Args map[string]any
	// Sub is the selection on the field's value, for relation fields. For fields whose type
	// is an interface it merges the fields of every fragment.
	Sub *Selection
}

// Has reports whether a field with the given name is selected.
func (s *Selection) Has(name string) bool {
	return s.Find(name) != nil
}

// Find returns the first selected field with the given name, or nil.
func (s *Selection) Find(name string) *Field {
	if s == nil {
		return nil
	}
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}
