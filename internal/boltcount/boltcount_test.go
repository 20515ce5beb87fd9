package boltcount_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"kith/internal/boltcount"
	"kith/internal/neo4jtest"
)

func TestProxyCountsStatements(t *testing.T) {
	uri := neo4jtest.URI(t)
	p, err := boltcount.Start(uri)
	if err != nil {
		t.Fatal(err)
	}
	d := neo4jtest.Driver(t, p.URI())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tests := []struct {
		name       string
		statements []string
	}{
		{"one", []string{"RETURN 1"}},
		{"three in one transaction", []string{"RETURN 1", "RETURN 2", "UNWIND range(1, 1000) AS x RETURN x"}},
		{"none", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, commitsBefore := p.Runs(), p.Commits()
			sess := d.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead})
			defer sess.Close(ctx)
			_, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
				for _, q := range tc.statements {
					res, err := tx.Run(ctx, q, nil)
					if err != nil {
						return nil, err
					}
					if _, err := res.Collect(ctx); err != nil {
						return nil, err
					}
				}
				return nil, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := p.Runs()-before, int64(len(tc.statements)); got != want {
				t.Errorf("counted %d statements, want %d", got, want)
			}
			if got := p.Commits() - commitsBefore; len(tc.statements) > 0 && got != 1 {
				t.Errorf("counted %d commits, want 1", got)
			}
			if n := len(tc.statements); n > 0 && p.Last() != tc.statements[n-1] {
				t.Errorf("last statement %q, want %q", p.Last(), tc.statements[n-1])
			}
		})
	}
	commitsBefore := p.Commits()
	sess := d.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead})
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	sess.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Commits() - commitsBefore; got != 0 {
		t.Errorf("an auto-commit statement counted %d commits, want 0", got)
	}
	if got := p.Statements()["RETURN 1"]; got != 3 {
		t.Errorf("counted RETURN 1 %d times, want 3", got)
	}
	if err := p.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestStartRejectsURIWithoutHost(t *testing.T) {
	for _, uri := range []string{"", "not a uri", "bolt://"} {
		if p, err := boltcount.Start(uri); err == nil {
			_ = p.Close()
			t.Errorf("Start(%q) succeeded, want an error", uri)
		}
	}
}

// TestHandshakeManifest relays a handshake manifest v1 exchange (as Neo4j 5.26 answers
// neo4j-driver 6 for JavaScript) to a fake server and counts the RUN that follows.
func TestHandshakeManifest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	magic := []byte{0x60, 0x60, 0xB0, 0x17}
	proposals := bytes.Repeat([]byte{0, 0, 0x01, 0xFF}, 4)
	serverReply := []byte{0, 0, 0x01, 0xFF, 2, 0, 0, 8, 5, 0, 0, 4, 5, 0} // manifest, 2 versions, no capabilities
	clientPick := []byte{0, 0, 8, 5, 0}                                   // 5.8, no capabilities
	run := []byte{0, 6, 0xB3, 0x10, 0x81, 'x', 0xA0, 0xA0, 0, 0}          // RUN "x" {} {} in one chunk, then the end marker
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		hs := make([]byte, 20)
		if _, err := io.ReadFull(c, hs); err != nil {
			return
		}
		_, _ = c.Write(serverReply)
		rest := make([]byte, len(clientPick)+len(run))
		_, _ = io.ReadFull(c, rest)
		got <- rest
	}()
	p, err := boltcount.Start("bolt://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", strings.TrimPrefix(p.URI(), "bolt://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(append(magic, proposals...)); err != nil {
		t.Fatal(err)
	}
	reply := make([]byte, len(serverReply))
	if _, err := io.ReadFull(c, reply); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(reply, serverReply) {
		t.Fatalf("client got %x, want %x", reply, serverReply)
	}
	// The pick and the first message in one write, as a pipelining driver sends them.
	if _, err := c.Write(append(append([]byte{}, clientPick...), run...)); err != nil {
		t.Fatal(err)
	}
	select {
	case rest := <-got:
		if want := append(append([]byte{}, clientPick...), run...); !bytes.Equal(rest, want) {
			t.Fatalf("server got %x, want %x", rest, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server got nothing after the handshake")
	}
	if p.Runs() != 1 || p.Last() != "x" {
		t.Errorf("counted %d statements, the last %q; want 1, \"x\"", p.Runs(), p.Last())
	}
}
