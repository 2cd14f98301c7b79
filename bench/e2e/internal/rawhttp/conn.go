// Package rawhttp is the load generator's lean HTTP/1.1 client: a
// connection writes a request the caller built ahead as bytes and reads
// the answer with a minimal parser (status line, Content-Length,
// Connection), into a buffer the connection reuses. It exists so that
// the CPU the load generator spends per request, on the cores the server
// under test shares, is a write and a read and little else: Go's
// net/http client costs about as much CPU per request as the server's
// answer from memory.
//
// It reads what the suite's servers send: a status line, headers, and a
// body of Content-Length bytes, or up to the end of the connection when
// there is no Content-Length (HTTP/1.0 style, `Connection: close`).
// Chunked bodies are refused as an error: neither gostca's pre-built
// answers nor `openssl ocsp` send them.
package rawhttp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// MaxBody bounds a response body.
const MaxBody = 1 << 20

// Conn is one HTTP/1.1 connection; not safe for concurrent use.
type Conn struct {
	c        net.Conn
	br       *bufio.Reader
	body     []byte
	deadline time.Time
	// closed: the server said Connection: close (or the body ran to
	// EOF); the connection takes no more requests.
	closed bool
}

// Dial connects to addr (host:port) over TCP.
func Dial(addr string) (*Conn, error) {
	return DialContext(context.Background(), addr)
}

// DialContext connects to addr (host:port) over TCP, giving up when ctx
// is done.
func DialContext(ctx context.Context, addr string) (*Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Conn{c: c, br: bufio.NewReaderSize(c, 16<<10), body: make([]byte, 0, 4096)}, nil
}

// Reusable reports whether the connection may carry another request.
func (c *Conn) Reusable() bool { return !c.closed }

// Close closes the connection.
func (c *Conn) Close() error { c.closed = true; return c.c.Close() }

// SetDeadline bounds every later read and write (the zero time: none);
// setting the same deadline again costs nothing.
func (c *Conn) SetDeadline(t time.Time) error {
	if t.Equal(c.deadline) {
		return nil
	}
	c.deadline = t
	return c.c.SetDeadline(t)
}

// Response is what Do read; Body is valid until the connection's next Do.
type Response struct {
	Status int
	Body   []byte
}

// Do writes req, a complete HTTP/1.1 request, and reads one response.
// An error leaves the connection unusable (Reusable is false).
func (c *Conn) Do(req []byte) (Response, error) {
	if c.closed {
		return Response{}, errors.New("rawhttp: connection closed")
	}
	if _, err := c.c.Write(req); err != nil {
		c.closed = true
		return Response{}, err
	}
	r, err := c.read()
	if err != nil {
		c.closed = true
	}
	return r, err
}

// read parses one response.
func (c *Conn) read() (Response, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return Response{}, fmt.Errorf("rawhttp: status line: %w", err)
	}
	// "HTTP/1.x NNN reason"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return Response{}, fmt.Errorf("rawhttp: bad status line %q", trimCRLF(line))
	}
	status, ok := atoi3(line[9:12])
	if !ok {
		return Response{}, fmt.Errorf("rawhttp: bad status line %q", trimCRLF(line))
	}
	http10 := line[7] == '0'
	length := -1
	closing := http10
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return Response{}, fmt.Errorf("rawhttp: header: %w", err)
		}
		h = trimCRLF(h)
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return Response{}, fmt.Errorf("rawhttp: bad header line %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case equalFold(name, "Content-Length"):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 || n > MaxBody {
				return Response{}, fmt.Errorf("rawhttp: Content-Length %q", value)
			}
			length = n
		case equalFold(name, "Transfer-Encoding"):
			return Response{}, fmt.Errorf("rawhttp: Transfer-Encoding %q not supported", value)
		case equalFold(name, "Connection"):
			switch {
			case equalFold(value, "close"):
				closing = true
			case equalFold(value, "keep-alive"):
				closing = false
			}
		}
	}
	c.body = c.body[:0]
	switch {
	case status == 204 || status == 304 || status/100 == 1:
		// No body.
	case length >= 0:
		if cap(c.body) < length {
			c.body = make([]byte, 0, length)
		}
		c.body = c.body[:length]
		if _, err := io.ReadFull(c.br, c.body); err != nil {
			return Response{}, fmt.Errorf("rawhttp: body: %w", err)
		}
	default:
		// No length: the body runs to the end of the connection.
		b, err := io.ReadAll(io.LimitReader(c.br, MaxBody+1))
		if err != nil {
			return Response{}, fmt.Errorf("rawhttp: body: %w", err)
		}
		if len(b) > MaxBody {
			return Response{}, errors.New("rawhttp: body too large")
		}
		c.body = append(c.body, b...)
		closing = true
	}
	if closing {
		c.closed = true
		_ = c.c.Close()
	}
	return Response{Status: status, Body: c.body}, nil
}

func atoi3(b []byte) (int, bool) {
	n := 0
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int(d-'0')
	}
	return n, true
}

func trimCRLF(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold is ASCII case-insensitive equality of b and s.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
