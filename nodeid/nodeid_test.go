package nodeid

import "testing"

func TestRoundTrip(t *testing.T) {
	for label := range prefixes {
		for _, id := range []string{New(label), FromKey(label, "k")} {
			got, ok := Label(id)
			if !ok || got != label {
				t.Errorf("Label(%q) = %q, %v; want %q", id, got, ok, label)
			}
		}
	}
	if FromKey("Person", "a") != FromKey("Person", "a") || FromKey("Person", "a") == FromKey("Person", "b") {
		t.Error("FromKey is not a function of its key")
	}
	if New("Person") == New("Person") {
		t.Error("New repeated an id")
	}
}

func TestLabelRejects(t *testing.T) {
	for _, id := range []string{"", "per_", "per", "xyz_5mq3v0tq7c2k4e6w9xzr", "per_5mq3v0tq7c2k4e6w9xz",
		"per_5mq3v0tq7c2k4e6w9xzrr", "per_5MQ3V0TQ7C2K4E6W9XZR", "per_5mq3v0tq7c2k4e6w9xz}", "') DETACH DELETE n //"} {
		if l, ok := Label(id); ok {
			t.Errorf("Label(%q) accepted as %q", id, l)
		}
	}
}
