// Package boltcount is a TCP proxy in front of Neo4j's Bolt port that counts the Cypher
// statements (Bolt RUN messages) its clients send, whichever code sent them. Tests use it
// to check that a nested read is one round trip; `kith bench` puts one in front of each
// system it measures to report statements per request.
//
// It understands just enough of Bolt to count: the version handshake (including handshake
// manifest v1) and the chunked message framing from client to server. Everything is passed
// through unchanged.
package boltcount

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
)

// boltRun and boltCommit are the signature bytes of the RUN and COMMIT messages.
const (
	boltRun    = 0x10
	boltCommit = 0x12
)

// maxQuery bounds how much of a RUN message is kept to read its query text.
const maxQuery = 1 << 20

// Proxy counts the RUN messages that pass through it on their way to Neo4j.
type Proxy struct {
	ln      net.Listener
	target  string
	runs    atomic.Int64
	commits atomic.Int64
	last    atomic.Pointer[string]

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	byText map[string]int64 // statements by query text, up to maxTexts texts
	wg     sync.WaitGroup
}

// maxTexts bounds how many distinct query texts the proxy counts separately.
const maxTexts = 10_000

// Start starts a counting proxy on a free loopback port that forwards to the host of the
// Bolt URI (bolt://host:port; neo4j:// URIs are forwarded to the same host, without
// routing). Close stops it.
func Start(boltURI string) (*Proxy, error) {
	u, err := url.Parse(boltURI)
	if err != nil {
		return nil, fmt.Errorf("boltcount: %w", err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("boltcount: %q names no host", boltURI)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("boltcount: %w", err)
	}
	p := &Proxy{ln: ln, target: u.Host, conns: map[net.Conn]struct{}{}, byText: map[string]int64{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// URI is the bolt:// address of the proxy.
func (p *Proxy) URI() string { return "bolt://" + p.ln.Addr().String() }

// Runs returns how many statements clients have sent through the proxy.
func (p *Proxy) Runs() int64 { return p.runs.Load() }

// Commits returns how many explicit transactions clients have committed through the proxy
// (Bolt COMMIT messages; an auto-commit statement sends none).
func (p *Proxy) Commits() int64 { return p.commits.Load() }

// Last returns the text of the last statement a client sent through the proxy (empty when
// there was none, or when it was longer than a megabyte).
func (p *Proxy) Last() string {
	if q := p.last.Load(); q != nil {
		return *q
	}
	return ""
}

// Statements returns how many statements clients have sent, by query text (texts past the
// first ten thousand distinct ones are not counted here).
func (p *Proxy) Statements() map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int64, len(p.byText))
	for q, n := range p.byText {
		out[q] = n
	}
	return out
}

// record notes a statement's text.
func (p *Proxy) record(q string) {
	p.last.Store(&q)
	p.mu.Lock()
	if _, ok := p.byText[q]; ok || len(p.byText) < maxTexts {
		p.byText[q]++
	}
	p.mu.Unlock()
}

// Close stops accepting, closes every proxied connection and waits for them to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			_ = c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.serve(c)
		}()
	}
}

// track records an open connection so Close can end it; false once the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *Proxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	r := bufio.NewReaderSize(client, 64<<10)
	sr := bufio.NewReaderSize(server, 64<<10)
	if err := handshake(r, client, sr, server); err != nil {
		return
	}
	go func() {
		_, _ = io.Copy(client, sr)
		_ = client.Close()
	}()
	w := bufio.NewWriterSize(server, 64<<10)
	start := true    // the next chunk begins a message
	running := false // the message being read is a RUN
	var hdr [2]byte
	body := make([]byte, 0, 4096)
	var msg []byte // the RUN message so far, to read its query text
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		size := int(binary.BigEndian.Uint16(hdr[:]))
		if cap(body) < size {
			body = make([]byte, size)
		}
		body = body[:size]
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch {
		case size == 0: // a zero chunk ends a message
			if running {
				if q, ok := packString(msg[2:]); ok {
					p.record(q)
				}
			}
			start, running = true, false
		case start:
			running = size >= 2 && body[0]&0xF0 == 0xB0 && body[1] == boltRun
			if size >= 2 && body[0] == 0xB0 && body[1] == boltCommit {
				p.commits.Add(1)
			}
			if running {
				p.runs.Add(1)
				msg = append(msg[:0], body...)
			}
			start = false
		case running && len(msg) < maxQuery:
			msg = append(msg, body...)
		}
		if _, err := w.Write(hdr[:]); err != nil {
			return
		}
		if _, err := w.Write(body); err != nil {
			return
		}
		// Send what we have once the client has nothing more queued, so pipelined
		// messages travel together and nothing waits in the buffer.
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

// packString decodes the PackStream string at the start of b: the query of a RUN message.
func packString(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	var n, off int
	switch m := b[0]; {
	case m >= 0x80 && m <= 0x8F:
		n, off = int(m&0x0F), 1
	case m == 0xD0 && len(b) >= 2:
		n, off = int(b[1]), 2
	case m == 0xD1 && len(b) >= 3:
		n, off = int(binary.BigEndian.Uint16(b[1:3])), 3
	case m == 0xD2 && len(b) >= 5:
		n, off = int(binary.BigEndian.Uint32(b[1:5])), 5
	default:
		return "", false
	}
	if off+n > len(b) {
		return "", false
	}
	return string(b[off : off+n]), true
}

// handshake relays Bolt's version negotiation: the client's magic and four proposals, the
// server's choice, and, when the server answers with handshake manifest v1 (0x000001FF),
// the server's version list and capabilities and the client's pick. Each side's part goes
// on in one write, as some drivers expect the whole of it in one read. cr and sr read
// from client and server; what they read past the handshake stays in them.
func handshake(cr *bufio.Reader, client net.Conn, sr *bufio.Reader, server net.Conn) error {
	hs := make([]byte, 20)
	if _, err := io.ReadFull(cr, hs); err != nil {
		return err
	}
	if _, err := server.Write(hs); err != nil {
		return err
	}
	choice := make([]byte, 4)
	if _, err := io.ReadFull(sr, choice); err != nil {
		return err
	}
	if binary.BigEndian.Uint32(choice) != 0x000001FF {
		_, err := client.Write(choice)
		return err
	}
	reply := append([]byte{}, choice...)
	n, raw, err := readVarint(sr)
	if err != nil {
		return err
	}
	if n > 256 {
		return fmt.Errorf("boltcount: server offers %d versions", n)
	}
	reply = append(reply, raw...)
	versions := make([]byte, 4*n)
	if _, err := io.ReadFull(sr, versions); err != nil {
		return err
	}
	reply = append(reply, versions...)
	_, raw, err = readVarint(sr) // capabilities
	if err != nil {
		return err
	}
	reply = append(reply, raw...)
	if _, err := client.Write(reply); err != nil {
		return err
	}
	pick := make([]byte, 4)
	if _, err := io.ReadFull(cr, pick); err != nil {
		return err
	}
	_, raw, err = readVarint(cr) // the client's capabilities
	if err != nil {
		return err
	}
	_, err = server.Write(append(pick, raw...))
	return err
}

// readVarint reads one base-128 varint and returns its value and its bytes.
func readVarint(r io.ByteReader) (uint64, []byte, error) {
	var v uint64
	var raw []byte
	for shift := 0; shift < 64; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		raw = append(raw, b)
		v |= uint64(b&0x7F) << shift
		if b&0x80 == 0 {
			return v, raw, nil
		}
	}
	return 0, nil, io.ErrUnexpectedEOF
}
