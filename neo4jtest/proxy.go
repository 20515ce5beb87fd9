package neo4jtest

import (
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Bolt message signatures counted by the proxy.
const boltRun = 0x10

// Proxy is a TCP proxy in front of Neo4j's Bolt port that counts the RUN messages clients
// send: one per Cypher statement, whichever code sent it. Tests use it to check round
// trips independently of Kith's own counters.
type Proxy struct {
	ln   net.Listener
	runs atomic.Int64
	wg   sync.WaitGroup
}

// StartProxy starts a counting proxy to the Bolt URI's host and returns it; its URI()
// is bolt:// to the proxy. It stops when the test ends.
func StartProxy(t testing.TB, boltURI string) *Proxy {
	t.Helper()
	u, err := url.Parse(boltURI)
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &Proxy{ln: ln}
	target := u.Host
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.serve(c, target)
			}()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return p
}

// URI is the bolt:// address of the proxy.
func (p *Proxy) URI() string { return "bolt://" + p.ln.Addr().String() }

// Runs returns how many statements clients have sent through the proxy.
func (p *Proxy) Runs() int64 { return p.runs.Load() }

func (p *Proxy) serve(client net.Conn, target string) {
	defer client.Close()
	server, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer server.Close()
	if err := handshake(client, server); err != nil {
		return
	}
	go func() {
		_, _ = io.Copy(client, server)
		_ = client.Close()
	}()
	start := true // the next chunk begins a message
	hdr := make([]byte, 2)
	for {
		if _, err := io.ReadFull(client, hdr); err != nil {
			return
		}
		size := binary.BigEndian.Uint16(hdr)
		body := make([]byte, size)
		if _, err := io.ReadFull(client, body); err != nil {
			return
		}
		if size == 0 {
			start = true
		} else {
			if start && size >= 2 && body[0]&0xF0 == 0xB0 && body[1] == boltRun {
				p.runs.Add(1)
			}
			start = false
		}
		if _, err := server.Write(append(hdr, body...)); err != nil {
			return
		}
	}
}

// handshake relays Bolt's version negotiation: the client's magic and four proposals, the
// server's choice, and, when the server answers with handshake manifest v1 (0x000001FF),
// the server's version list and capabilities and the client's pick.
func handshake(client, server net.Conn) error {
	hs := make([]byte, 20)
	if _, err := io.ReadFull(client, hs); err != nil {
		return err
	}
	if _, err := server.Write(hs); err != nil {
		return err
	}
	choice := make([]byte, 4)
	if _, err := io.ReadFull(server, choice); err != nil {
		return err
	}
	if _, err := client.Write(choice); err != nil {
		return err
	}
	if binary.BigEndian.Uint32(choice) != 0x000001FF {
		return nil
	}
	n, err := relayVarint(server, client)
	if err != nil {
		return err
	}
	versions := make([]byte, 4*n)
	if _, err := io.ReadFull(server, versions); err != nil {
		return err
	}
	if _, err := client.Write(versions); err != nil {
		return err
	}
	if _, err := relayVarint(server, client); err != nil { // capabilities
		return err
	}
	if _, err := io.ReadFull(client, choice); err != nil {
		return err
	}
	if _, err := server.Write(choice); err != nil {
		return err
	}
	_, err = relayVarint(client, server)
	return err
}

// relayVarint copies one base-128 varint from src to dst and returns its value.
func relayVarint(src, dst net.Conn) (uint64, error) {
	var v uint64
	b := make([]byte, 1)
	for shift := 0; shift < 64; shift += 7 {
		if _, err := io.ReadFull(src, b); err != nil {
			return 0, err
		}
		if _, err := dst.Write(b); err != nil {
			return 0, err
		}
		v |= uint64(b[0]&0x7F) << shift
		if b[0]&0x80 == 0 {
			return v, nil
		}
	}
	return 0, io.ErrUnexpectedEOF
}
