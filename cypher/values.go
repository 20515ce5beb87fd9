package cypher

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

// Limits on what one value may hold, so that no input can make a node unreasonably large.
const (
	// MaxStringLen is the longest string property, in characters.
	MaxStringLen = 10_000
	// MaxListLen is the longest list property or filter list.
	MaxListLen = 1_000
)

// paramValue converts a value as GraphQL delivered it (string, json.Number, int64, bool,
// []any...) into the value stored for a property of the given kind, or explains why it
// cannot be. A nil value stays nil (it removes the property when set).
func paramValue(p Prop, v any, field string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch p.Kind {
	case KindString:
		s, ok := v.(string)
		if !ok {
			return nil, apierr.BadUserInput(field, "expected a string")
		}
		if n := utf8.RuneCountInString(s); n > MaxStringLen {
			return nil, apierr.BadUserInput(field, "is %d characters long; at most %d are accepted", n, MaxStringLen)
		}
		return s, nil
	case KindEnum:
		s, ok := v.(string)
		if !ok || !contains(p.Enum, s) {
			return nil, apierr.BadUserInput(field, "must be one of %v", p.Enum)
		}
		return s, nil
	case KindInt:
		n, err := toInt64(v)
		if err != nil {
			return nil, apierr.BadUserInput(field, "expected an integer")
		}
		if (p.Min != 0 || p.Max != 0) && (float64(n) < p.Min || float64(n) > p.Max) {
			return nil, apierr.BadUserInput(field, "must be between %g and %g", p.Min, p.Max)
		}
		return n, nil
	case KindFloat:
		f, err := toFloat64(v)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, apierr.BadUserInput(field, "expected a finite number")
		}
		if (p.Min != 0 || p.Max != 0) && (f < p.Min || f > p.Max) {
			return nil, apierr.BadUserInput(field, "must be between %g and %g", p.Min, p.Max)
		}
		return f, nil
	case KindBool:
		b, ok := v.(bool)
		if !ok {
			return nil, apierr.BadUserInput(field, "expected a boolean")
		}
		return b, nil
	case KindStringList:
		list, ok := v.([]any)
		if !ok {
			if ss, ok2 := v.([]string); ok2 {
				list = make([]any, len(ss))
				for i, s := range ss {
					list[i] = s
				}
			} else {
				return nil, apierr.BadUserInput(field, "expected a list of strings")
			}
		}
		if len(list) > MaxListLen {
			return nil, apierr.BadUserInput(field, "has %d entries; at most %d are accepted", len(list), MaxListLen)
		}
		out := make([]string, len(list))
		for i, e := range list {
			s, err := paramValue(Prop{Kind: KindString}, e, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return nil, err
			}
			if s == nil {
				return nil, apierr.BadUserInput(fmt.Sprintf("%s[%d]", field, i), "must not be null")
			}
			out[i] = s.(string)
		}
		return out, nil
	case KindDate:
		s, ok := v.(string)
		if !ok {
			if t, ok2 := v.(time.Time); ok2 {
				return neo4j.DateOf(t), nil
			}
			return nil, apierr.BadUserInput(field, "expected a date, YYYY-MM-DD")
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, apierr.BadUserInput(field, "expected a date, YYYY-MM-DD")
		}
		return neo4j.DateOf(t), nil
	case KindDateTime:
		switch t := v.(type) {
		case time.Time:
			return t, nil
		case string:
			parsed, err := time.Parse(time.RFC3339Nano, t)
			if err != nil {
				return nil, apierr.BadUserInput(field, "expected a date and time, RFC 3339 (2025-03-15T10:00:00Z)")
			}
			return parsed, nil
		}
		return nil, apierr.BadUserInput(field, "expected a date and time, RFC 3339 (2025-03-15T10:00:00Z)")
	}
	return nil, apierr.BadUserInput(field, "cannot be set")
}

func toInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case json.Number:
		return n.Int64()
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
	}
	return 0, fmt.Errorf("not an integer: %T", v)
}

func toFloat64(v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case float32:
		return float64(n), nil
	case int:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case json.Number:
		return n.Float64()
	}
	return 0, fmt.Errorf("not a number: %T", v)
}

// intArg reads an optional integer argument, checking 0 <= n <= max.
func intArg(v any, field string, max int) (int, bool, error) {
	if v == nil {
		return 0, false, nil
	}
	n, err := toInt64(v)
	if err != nil {
		return 0, false, apierr.BadUserInput(field, "expected an integer")
	}
	if n < 0 {
		return 0, false, apierr.BadUserInput(field, "must not be negative")
	}
	if n > int64(max) {
		return 0, false, apierr.BadUserInput(field, "is %d; at most %d are returned at once", n, max)
	}
	return int(n), true, nil
}

// plain turns a value as gqlgen coerced it (pointers, typed nils, named string types for
// enums, typed slices) into plain Go values: nil, string, bool, int64, float64,
// time.Time, []any and map[string]any. The builders then handle one shape only.
func plain(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, time.Time, json.Number:
		return x
	case int:
		return int64(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return plain(rv.Elem().Interface())
	case reflect.String:
		return rv.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Slice:
		if rv.IsNil() {
			return nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plain(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.IsNil() {
			return nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[it.Key().String()] = plain(it.Value().Interface())
		}
		return out
	case reflect.Struct:
		if t, ok := v.(interface{ MarshalText() ([]byte, error) }); ok {
			b, _ := t.MarshalText()
			return string(b)
		}
	}
	return v
}

// plainMap applies plain to a map.
func plainMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return plain(m).(map[string]any)
}

// plainMaps applies plain to a list of maps.
func plainMaps(list []map[string]any) []map[string]any {
	out := make([]map[string]any, len(list))
	for i, m := range list {
		out[i] = plainMap(m)
	}
	return out
}

// stringsOf reads a list of strings the driver returned, skipping anything else.
func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
