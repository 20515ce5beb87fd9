package model

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
)

// decoders caches, per model type, which struct field each stored property fills.
var decoders sync.Map // reflect.Type -> map[string]int

// Decode turns a store record into its model: *Person, *Group, *Tie... It returns nil for
// a nil record.
func Decode(r *record) (any, error) {
	if r == nil {
		return nil, nil
	}
	var out any
	switch r.Type {
	case "Person":
		out = &Person{}
	case "FamiliarStranger":
		out = &FamiliarStranger{}
	case "Place":
		out = &Place{}
	case "Group":
		out = &Group{}
	case "Organisation":
		out = &Organisation{}
	case "Interest":
		out = &Interest{}
	case "Gift":
		out = &Gift{}
	case "Need":
		out = &Need{}
	case "Event":
		out = &Event{}
	case "Area":
		out = &Area{}
	case "Wave":
		out = &Wave{}
	case "Tie":
		out = &Tie{}
	case "Membership":
		out = &Membership{}
	case "Observation":
		out = &Observation{}
	case "Route":
		out = &Route{}
	case "RouteStep":
		out = &RouteStep{}
	default:
		return nil, fmt.Errorf("decode: unknown type %q", r.Type)
	}
	if err := fill(out, r); err != nil {
		return nil, fmt.Errorf("decode %s: %w", r.Type, err)
	}
	return out, nil
}

// DecodeAs decodes a record into a model of type T.
func DecodeAs[T any](r *record) (T, error) {
	var zero T
	v, err := Decode(r)
	if err != nil || v == nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("decode: record of type %s where %T was expected", r.Type, zero)
	}
	return t, nil
}

func fieldsOf(t reflect.Type) map[string]int {
	if m, ok := decoders.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("db"); tag != "" && tag != "-" {
			m[tag] = i
		}
	}
	decoders.Store(t, m)
	return m
}

func fill(out any, r *record) error {
	v := reflect.ValueOf(out).Elem()
	fields := fieldsOf(v.Type())
	for name, val := range r.Props {
		i, ok := fields[name]
		if !ok || val == nil {
			continue
		}
		if err := set(v.Field(i), val); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	v.FieldByName("Loaded").Set(reflect.ValueOf(Loaded{Rel: r.Rel}))
	return nil
}

// set assigns a value as the Neo4j driver returns it to a model field, allocating
// pointers for optional fields.
func set(f reflect.Value, val any) error {
	if f.Kind() == reflect.Pointer {
		p := reflect.New(f.Type().Elem())
		if err := set(p.Elem(), val); err != nil {
			return err
		}
		f.Set(p)
		return nil
	}
	switch x := val.(type) {
	case string:
		if f.Kind() == reflect.String {
			f.SetString(x)
			return nil
		}
	case int64:
		if f.CanInt() {
			f.SetInt(x)
			return nil
		}
		if f.CanFloat() {
			f.SetFloat(float64(x))
			return nil
		}
	case float64:
		if f.CanFloat() {
			f.SetFloat(x)
			return nil
		}
	case bool:
		if f.Kind() == reflect.Bool {
			f.SetBool(x)
			return nil
		}
	case []any:
		if f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String {
			s := reflect.MakeSlice(f.Type(), len(x), len(x))
			for i, e := range x {
				str, ok := e.(string)
				if !ok {
					return fmt.Errorf("list of %T, not strings", e)
				}
				s.Index(i).SetString(str)
			}
			f.Set(s)
			return nil
		}
	case time.Time:
		if f.Type() == reflect.TypeOf(time.Time{}) {
			f.Set(reflect.ValueOf(x))
			return nil
		}
	case dbtype.Date:
		if f.Kind() == reflect.String {
			f.SetString(x.Time().Format(time.DateOnly))
			return nil
		}
	}
	return fmt.Errorf("cannot store %T in %s", val, f.Type())
}
