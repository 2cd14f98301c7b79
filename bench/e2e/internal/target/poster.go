package target

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Poster sends prepared JSON POSTs to one path over keep-alive HTTP/1.1
// connections of its own: the request head is built once, a request is
// one buffered write of head, length and body, and an answer is read into
// a buffer the connection keeps. It is the issuance workload's generator,
// lean so that the load on a shared machine is the server's: net/http's
// client costs about as much CPU per request as the server's HTTP layer.
// It speaks only what the suite needs: answers with a Content-Length
// (fasthttp's), keep-alive unless the server says "Connection: close".
type Poster struct {
	addr string
	head []byte // request line and headers up to "Content-Length: "
	idle chan *posterConn
	// slots bounds the open connections (the server refuses more than
	// server.max_conns_per_client from one address).
	slots chan struct{}
}

type posterConn struct {
	c    net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	body []byte
}

// NewPoster posts to base+path (base is http://HOST:PORT) with the bearer
// token, over at most conns connections.
func NewPoster(base, path, token string, conns int) (*Poster, error) {
	host, ok := strings.CutPrefix(base, "http://")
	if !ok || host == "" || strings.Contains(host, "/") {
		return nil, fmt.Errorf("poster: %q is not http://HOST:PORT", base)
	}
	head := "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: gostca-bench\r\n"
	if token != "" {
		head += "Authorization: Bearer " + token + "\r\n"
	}
	head += "Content-Type: application/json\r\nContent-Length: "
	return &Poster{addr: host, head: []byte(head), idle: make(chan *posterConn, conns), slots: make(chan struct{}, conns)}, nil
}

// Check looks at one answer; body is valid only during the call. It
// returns "" for a right answer or an error class.
type Check func(status int, body []byte) string

// Post sends body and returns check's verdict on the answer, or
// "transport" when the exchange failed.
func (p *Poster) Post(ctx context.Context, body []byte, check Check) string {
	pc, err := p.get(ctx)
	if err != nil {
		return "transport"
	}
	status, resp, keep, err := pc.exchange(ctx, p.head, body)
	if err != nil {
		p.drop(pc)
		return "transport"
	}
	class := check(status, resp)
	if keep {
		p.idle <- pc
	} else {
		p.drop(pc)
	}
	return class
}

// Close closes the idle connections.
func (p *Poster) Close() {
	for {
		select {
		case pc := <-p.idle:
			p.drop(pc)
		default:
			return
		}
	}
}

func (p *Poster) get(ctx context.Context) (*posterConn, error) {
	select {
	case pc := <-p.idle:
		return pc, nil
	default:
	}
	select {
	case pc := <-p.idle:
		return pc, nil
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return &posterConn{c: c, r: bufio.NewReaderSize(c, 16<<10), w: bufio.NewWriterSize(c, 8<<10)}, nil
}

func (p *Poster) drop(pc *posterConn) {
	pc.c.Close()
	<-p.slots
}

var errAnswer = errors.New("poster: malformed answer")

// exchange writes one request and reads its answer into pc.body.
func (pc *posterConn) exchange(ctx context.Context, head, body []byte) (status int, resp []byte, keep bool, err error) {
	if dl, ok := ctx.Deadline(); ok {
		pc.c.SetDeadline(dl)
	} else {
		pc.c.SetDeadline(time.Now().Add(time.Minute))
	}
	var num [20]byte
	pc.w.Write(head)
	pc.w.Write(strconv.AppendInt(num[:0], int64(len(body)), 10))
	pc.w.WriteString("\r\n\r\n")
	pc.w.Write(body)
	if err := pc.w.Flush(); err != nil {
		return 0, nil, false, err
	}
	line, err := pc.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	// "HTTP/1.1 201 Created\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, false, errAnswer
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, false, errAnswer
	}
	n, keep := -1, true
	for {
		line, err := pc.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, false, errAnswer
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if n, err = strconv.Atoi(string(v)); err != nil || n < 0 || n > 16<<20 {
				return 0, nil, false, errAnswer
			}
		case bytes.EqualFold(k, []byte("Connection")) && bytes.EqualFold(v, []byte("close")):
			keep = false
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			return 0, nil, false, fmt.Errorf("poster: Transfer-Encoding %q not supported", v)
		}
	}
	if n < 0 {
		return 0, nil, false, errAnswer
	}
	if cap(pc.body) < n {
		pc.body = make([]byte, n)
	}
	pc.body = pc.body[:n]
	if _, err := io.ReadFull(pc.r, pc.body); err != nil {
		return 0, nil, false, err
	}
	return status, pc.body, keep, nil
}
