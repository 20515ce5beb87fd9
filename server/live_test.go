package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"kith/auth"
	"kith/seed"
	"kith/server"
)

// wsMsg is a graphql-transport-ws message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// liveConn opens a graphql-ws socket to the env's server, sending token (if any) in
// connection_init, and returns it with the server's answer to the init.
func liveConn(t *testing.T, e *env, token string) (*websocket.Conn, wsMsg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	init := map[string]any{"type": "connection_init"}
	if token != "" {
		init["payload"] = map[string]any{"Authorization": "Bearer " + token}
	}
	if err := wsjson.Write(ctx, c, init); err != nil {
		t.Fatal(err)
	}
	var m wsMsg
	if err := wsjson.Read(ctx, c, &m); err != nil {
		return c, wsMsg{Type: "closed: " + err.Error()}
	}
	return c, m
}

func subscribe(t *testing.T, c *websocket.Conn, id, by string) {
	t.Helper()
	q := `subscription($by: TileDimension!) { tileCounts(by: $by) { total cells { value count } } }`
	if err := wsjson.Write(context.Background(), c, map[string]any{"id": id, "type": "subscribe",
		"payload": map[string]any{"query": q, "variables": map[string]any{"by": by}}}); err != nil {
		t.Fatal(err)
	}
}

// next reads the next message that is not a ping or pong.
func next(t *testing.T, c *websocket.Conn) wsMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		var m wsMsg
		if err := wsjson.Read(ctx, c, &m); err != nil {
			t.Fatalf("read: %v", err)
		}
		if m.Type != "ping" && m.Type != "pong" {
			return m
		}
	}
}

// nextFor reads messages until the first of subscription id (a next or an error).
func nextFor(t *testing.T, c *websocket.Conn, id string) wsMsg {
	t.Helper()
	for {
		if m := next(t, c); m.ID == id && m.Type != "complete" {
			return m
		}
	}
}

// liveTotal decodes a next message's tileCounts total.
func liveTotal(t *testing.T, m wsMsg) int {
	t.Helper()
	var p struct {
		Data   struct{ TileCounts struct{ Total int } }
		Errors []gqlError
	}
	if m.Type != "next" || json.Unmarshal(m.Payload, &p) != nil || len(p.Errors) > 0 {
		t.Fatalf("not data: %+v %s", m, m.Payload)
	}
	return p.Data.TileCounts.Total
}

// TestLiveTileCounts: over a real WebSocket, a subscription on one instance sends its tile
// at once and again when a person is created through another instance; the socket is
// authenticated by connection_init; every role is authorised as for the query; a token
// holds at most LiveMaxPerToken subscriptions, and a slot comes back when one completes.
func TestLiveTileCounts(t *testing.T) {
	live := func(c *server.Config) { c.LivePoll = 50 * time.Millisecond; c.LiveMaxPerToken = 2 }
	a := setupWith(t, live)
	if err := seed.Demo().Load(context.Background(), a.store, nil); err != nil {
		t.Fatal(err)
	}
	b := a.sibling(live)

	c, ack := liveConn(t, a, a.token)
	if ack.Type != "connection_ack" {
		t.Fatalf("init: %+v", ack)
	}
	subscribe(t, c, "1", "AREA")
	before := liveTotal(t, next(t, c))
	var people struct{ People struct{ TotalCount int } }
	a.ok(`{ people(first: 1) { totalCount } }`, nil, &people)
	if before != people.People.TotalCount {
		t.Fatalf("first tile: %d people, the list has %d", before, people.People.TotalCount)
	}
	b.ok(`mutation { createPeople(input: [{displayName: "Live Tester"}]) { id } }`, nil, nil)
	if after := liveTotal(t, next(t, c)); after != before+1 {
		t.Fatalf("after a create through another instance: %d, want %d", after, before+1)
	}

	// The limit: a second subscription is held, a third refused; completing one frees a slot.
	subscribe(t, c, "2", "GROUP")
	liveTotal(t, next(t, c))
	subscribe(t, c, "3", "WAVE")
	m := nextFor(t, c, "3")
	if !strings.Contains(string(m.Payload), "FORBIDDEN") {
		t.Fatalf("a third subscription: %+v %s", m, m.Payload)
	}
	if err := wsjson.Write(context.Background(), c, map[string]any{"id": "2", "type": "complete"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 4; ; i++ {
		id := string(rune('0' + i%10))
		subscribe(t, c, id, "WAVE")
		m := nextFor(t, c, id)
		if !strings.Contains(string(m.Payload), "errors") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the completed subscription's slot did not come back: %s", m.Payload)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// No token, or a bad one: no connection_ack.
	if _, m := liveConn(t, a, ""); m.Type == "connection_ack" {
		t.Fatal("a socket without a token was acknowledged")
	}
	if _, m := liveConn(t, a, "not-a-token"); m.Type == "connection_ack" {
		t.Fatal("a socket with a bad token was acknowledged")
	}

	// Every role, as for the query.
	for _, role := range auth.Roles() {
		r := a.asRole(role)
		c, ack := liveConn(t, a, r.token)
		if ack.Type != "connection_ack" {
			t.Fatalf("%s: init: %+v", role, ack)
		}
		subscribe(t, c, "1", "AREA")
		m := next(t, c)
		if role == auth.Partner || role == auth.Researcher {
			if !strings.Contains(string(m.Payload), "FORBIDDEN") {
				t.Errorf("%s: %+v %s", role, m, m.Payload)
			}
			continue
		}
		var list struct{ People struct{ TotalCount int } }
		r.ok(`{ people(first: 1) { totalCount } }`, nil, &list)
		if got := liveTotal(t, m); got != list.People.TotalCount {
			t.Errorf("%s: live total %d, people lists %d", role, got, list.People.TotalCount)
		}
	}
}

// TestLiveSocketOrigins: a browser's socket opens from the origins CORS allows and the
// server's own, and is refused (403, before any message) from any other origin.
func TestLiveSocketOrigins(t *testing.T) {
	e := setupWith(t, func(c *server.Config) { c.CORSOrigins = []string{"http://dash.example:5173"} })
	dial := func(origin string) (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/graphql",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if err != nil {
			return status, err
		}
		defer c.CloseNow()
		if err := wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + e.token}}); err != nil {
			return status, err
		}
		var m wsMsg
		if err := wsjson.Read(ctx, c, &m); err != nil {
			return status, err
		}
		if m.Type != "connection_ack" {
			return status, fmt.Errorf("answer to connection_init: %s", m.Type)
		}
		return status, nil
	}
	for _, origin := range []string{"", "http://dash.example:5173", e.srv.URL} {
		if status, err := dial(origin); err != nil || status != http.StatusSwitchingProtocols {
			t.Errorf("origin %q: status %d, %v", origin, status, err)
		}
	}
	for _, origin := range []string{"http://evil.example", "http://dash.example:5174", "https://dash.example:5173", "null"} {
		if status, err := dial(origin); err == nil || status != http.StatusForbidden {
			t.Errorf("origin %q: status %d, %v; want 403", origin, status, err)
		}
	}
}
