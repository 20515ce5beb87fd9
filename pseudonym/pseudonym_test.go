package pseudonym

import (
	"strings"
	"testing"

	"kith/nodeid"
)

func TestRoundTripAndUnlinkable(t *testing.T) {
	k, err := New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte(strings.Repeat("o", 32)))
	for _, label := range []string{"Person", "Group", "Area", "Tie", "FamiliarStranger"} {
		for i := 0; i < 200; i++ {
			id := nodeid.New(label)
			a := k.Encode("analyst", id)
			r := k.Encode("researcher", id)
			if a == r || a == id || other.Encode("analyst", id) == a {
				t.Fatalf("%s: pseudonyms not distinct per role and key: %s %s %s", id, id, a, r)
			}
			if !strings.HasPrefix(a, strings.SplitN(id, "_", 2)[0]+"_") || !IsPseudonymous(a) {
				t.Fatalf("%s: %s keeps no prefix or is not recognised", id, a)
			}
			if _, ok := nodeid.Label(a); ok {
				t.Fatalf("%s: live ids accept the pseudonym %s", id, a)
			}
			if back, ok := k.Decode("analyst", a); !ok || back != id {
				t.Fatalf("Decode(%s) = %s, %v, want %s", a, back, ok, id)
			}
			if _, ok := k.Decode("researcher", a); ok {
				t.Fatalf("a researcher's decode accepts an analyst's pseudonym %s", a)
			}
			if _, ok := other.Decode("analyst", a); ok {
				t.Fatalf("another key decodes %s", a)
			}
			if k.Encode("analyst", id) != a {
				t.Fatal("Encode is not stable")
			}
		}
	}
}

func TestRefusesWhatIsNotAPseudonym(t *testing.T) {
	k, _ := New([]byte(strings.Repeat("k", 32)))
	for _, s := range []string{"", "per_", nodeid.New("Person"), "per_" + strings.Repeat("0", 26), "xyz_" + strings.Repeat("a", 26), "per_" + strings.Repeat("!", 26)} {
		if id, ok := k.Decode("analyst", s); ok {
			t.Errorf("Decode(%q) = %q, want refusal", s, id)
		}
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("New accepts a short secret")
	}
	if got := k.Encode("analyst", "not an id"); got != "not an id" {
		t.Errorf("Encode of a non-id = %q", got)
	}
}
