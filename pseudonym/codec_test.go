package pseudonym

import (
	"context"
	"strings"
	"testing"

	"kith/nodeid"
)

func TestCodec(t *testing.T) {
	k, _ := New([]byte(strings.Repeat("k", 32)))
	analyst, researcher := k.For("analyst"), k.For("researcher")
	var live *Codec
	per, grp := nodeid.New("Person"), nodeid.New("Group")
	cases := []struct {
		name string
		c    *Codec
		in   string
		want string // "" means refused
	}{
		{"analyst: own id", analyst, k.Encode("analyst", per), per},
		{"analyst: a live id", analyst, per, ""},
		{"analyst: a researcher's id", analyst, researcher.Encode(per), ""},
		{"analyst: a forged id", analyst, "per_" + strings.Repeat("0", 26), ""},
		{"analyst: neither form", analyst, "run_1", "run_1"},
		{"live: a live id", live, per, per},
		{"live: a pseudonymous id passes, naming nothing", live, analyst.Encode(per), analyst.Encode(per)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.c.Decode(c.in)
			if c.want == "" {
				if ok {
					t.Fatalf("accepted %s as %s", c.in, got)
				}
				return
			}
			if !ok || got != c.want {
				t.Fatalf("Decode(%s) = %s, %v; want %s", c.in, got, ok, c.want)
			}
		})
	}
	text := "no Person has id " + per + "; group " + grp + " (" + analyst.Encode(per) + ")"
	want := "no Person has id " + analyst.Encode(per) + "; group " + analyst.Encode(grp) + " (" + analyst.Encode(per) + ")"
	if got := analyst.EncodeText(text); got != want {
		t.Errorf("EncodeText:\n got %s\nwant %s", got, want)
	}
	if got := live.EncodeText(text); got != text {
		t.Errorf("a live codec changed %s to %s", text, got)
	}
	ctx := NewContext(context.Background(), analyst)
	if FromContext(ctx) != analyst || FromContext(context.Background()) != nil || FromContext(ctx).Role() != "analyst" {
		t.Error("context does not carry the codec")
	}
}
