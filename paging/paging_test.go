package paging

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/apierr"
)

func ptr[T any](v T) *T { return &v }

// field returns the BAD_USER_INPUT field of err, or "" when err is not one.
func field(err error) string {
	var e *apierr.Error
	if errors.As(err, &e) && e.Code == apierr.CodeBadUserInput {
		return e.Field
	}
	return ""
}

func TestCursorRoundTrip(t *testing.T) {
	c := RandomCodec()
	at := time.Date(2026, 5, 1, 9, 30, 0, 123, time.FixedZone("", 3600))
	for _, keys := range [][]any{
		{"per_1"},
		{"Bea", "per_2"},
		{nil, "per_3"},
		{int64(-7), 2.5, true, "per_4"},
		{at, neo4j.DateOf(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)), "per_5"},
	} {
		s := c.encode("people", keys)
		got, err := c.decode(&s, "people", "after")
		if err != nil || len(got) != len(keys) {
			t.Fatalf("%v: %v %v", keys, got, err)
		}
		for i := range keys {
			if tm, ok := keys[i].(time.Time); ok {
				if !tm.Equal(got[i].(time.Time)) {
					t.Errorf("%v: key %d is %v", keys, i, got[i])
				}
			} else if got[i] != keys[i] {
				t.Errorf("%v: key %d is %v (%T)", keys, i, got[i], got[i])
			}
		}
		if again := c.encode("people", keys); again != s {
			t.Errorf("%v: a row has two cursors: %s and %s", keys, s, again)
		}
	}
}

// TestCursorRefused holds that a cursor Kith did not give out for this order, whatever it
// holds, is BAD_USER_INPUT naming the argument, never another error.
func TestCursorRefused(t *testing.T) {
	c := RandomCodec()
	good := c.encode("people", []any{"Bea", "per_2"})
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flipped := slices.Clone(raw)
	flipped[len(flipped)-1] ^= 1
	long := make([]byte, MaxCursor+1)
	for i := range long {
		long[i] = 'A'
	}
	for _, tc := range []struct{ name, cursor, order string }{
		{"empty", "", "people"},
		{"not base64", "!!", "people"},
		{"offset cursor of old", base64.RawURLEncoding.EncodeToString([]byte("kith:5")), "people"},
		{"injection", "'}) DETACH DELETE n //", "people"},
		{"altered", base64.RawURLEncoding.EncodeToString(flipped), "people"},
		{"truncated", good[:len(good)-4], "people"},
		{"other key", RandomCodec().encode("people", []any{"Bea", "per_2"}), "people"},
		{"other order", good, "groups"},
		{"too long", string(long), "people"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []string{"after", "before"} {
				_, err := c.Request(Args{After: ptrIf(f == "after", tc.cursor), Before: ptrIf(f == "before", tc.cursor)}, tc.order, 0, "changes.")
				if got := field(err); got != "changes."+f {
					t.Errorf("%s: %v", f, err)
				}
			}
		})
	}
}

func ptrIf(ok bool, s string) *string {
	if !ok {
		return nil
	}
	return &s
}

func TestRequest(t *testing.T) {
	c := RandomCodec()
	for _, tc := range []struct {
		name     string
		args     Args
		max      int
		size     int
		backward bool
		bad      string
	}{
		{"default", Args{}, 0, DefaultSize, false, ""},
		{"first", Args{First: ptr(3)}, 0, 3, false, ""},
		{"last", Args{Last: ptr(4)}, 0, 4, true, ""},
		{"zero", Args{First: ptr(0)}, 0, 0, false, ""},
		{"largest", Args{First: ptr(MaxSize)}, 0, MaxSize, false, ""},
		{"too many", Args{First: ptr(MaxSize + 1)}, 0, 0, false, "first"},
		{"narrowed", Args{Last: ptr(101)}, 100, 0, false, "last"},
		{"wider than the most", Args{First: ptr(MaxSize + 1)}, MaxSize * 2, 0, false, "first"},
		{"negative", Args{First: ptr(-1)}, 0, 0, false, "first"},
		{"both", Args{First: ptr(1), Last: ptr(1)}, 0, 0, false, "last"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Request(tc.args, "o", tc.max, "")
			if got := field(err); got != tc.bad || (tc.bad == "" && err != nil) {
				t.Fatalf("error %v, want one naming %q", err, tc.bad)
			}
			if tc.bad == "" && (r.Size != tc.size || r.Backward != tc.backward) {
				t.Errorf("request %+v", r)
			}
		})
	}
}

// TestSlice pages a list held in memory forwards and backwards, and refuses a cursor
// whose item is gone.
func TestSlice(t *testing.T) {
	c := RandomCodec()
	ids := []string{"a", "b", "c", "d", "e"}
	id := func(i int) string { return ids[i] }
	page := func(args Args) (string, *Page, error) {
		r, err := c.Request(args, "rank", 0, "")
		if err != nil {
			return "", nil, err
		}
		start, end, p, err := Slice(c, "rank", r, len(ids), id, "")
		if err != nil {
			return "", nil, err
		}
		if len(p.Cursors) != end-start {
			t.Fatalf("%d cursors for [%d, %d)", len(p.Cursors), start, end)
		}
		s := ""
		for i := start; i < end; i++ {
			s += ids[i]
		}
		return s, p, nil
	}
	got, p1, _ := page(Args{First: ptr(2)})
	if got != "ab" || !p1.PageInfo.HasNextPage || p1.PageInfo.HasPreviousPage || p1.Total != 5 {
		t.Fatalf("first page %q %+v", got, p1.PageInfo)
	}
	got, p2, _ := page(Args{First: ptr(2), After: p1.PageInfo.EndCursor})
	if got != "cd" || !p2.PageInfo.HasNextPage || !p2.PageInfo.HasPreviousPage {
		t.Fatalf("second page %q %+v", got, p2.PageInfo)
	}
	got, p3, _ := page(Args{First: ptr(2), After: p2.PageInfo.EndCursor})
	if got != "e" || p3.PageInfo.HasNextPage {
		t.Fatalf("third page %q %+v", got, p3.PageInfo)
	}
	got, back, _ := page(Args{Last: ptr(2), Before: p2.PageInfo.EndCursor})
	if got != "bc" || !back.PageInfo.HasPreviousPage || !back.PageInfo.HasNextPage || back.Cursors[1] != p2.Cursors[0] {
		t.Fatalf("backward page %q %+v", got, back.PageInfo)
	}
	got, tail, _ := page(Args{Last: ptr(2)})
	if got != "de" || !tail.PageInfo.HasPreviousPage || tail.PageInfo.HasNextPage {
		t.Fatalf("last page %q %+v", got, tail.PageInfo)
	}
	stale := c.encode("rank", []any{"gone"})
	if _, _, err := page(Args{After: &stale}); field(err) != "after" {
		t.Errorf("stale cursor: %v", err)
	}
}

func TestConnect(t *testing.T) {
	c := RandomCodec()
	ids := []string{"a", "b", "c", "d"}
	r, err := c.Request(Args{First: ptr(2)}, "letters", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	start, end, p, err := Slice(c, "letters", r, len(ids), func(i int) string { return ids[i] }, "")
	if err != nil {
		t.Fatal(err)
	}
	conn := Connect(p, ids[start:end])
	if len(conn.Edges) != 2 || conn.TotalCount != 4 || !conn.PageInfo.HasNextPage || len(conn.Nodes) != 2 {
		t.Fatalf("connection %+v", conn)
	}
	for i, e := range conn.Edges {
		if e.Node != ids[i] || e.Cursor != p.Cursors[i] {
			t.Errorf("edge %d: %+v", i, e)
		}
	}
	after := conn.Edges[1].Cursor
	r, err = c.Request(Args{First: ptr(2), After: &after}, "letters", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	start, end, p, _ = Slice(c, "letters", r, len(ids), func(i int) string { return ids[i] }, "")
	if conn := Connect(p, ids[start:end]); conn.Edges[0].Node != "c" || conn.PageInfo.HasNextPage || !conn.PageInfo.HasPreviousPage {
		t.Fatalf("second page %+v", conn)
	}
}
