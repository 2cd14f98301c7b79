package target

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/rawhttp"
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

// posterConn is one connection and the buffer its requests are built in.
type posterConn struct {
	*rawhttp.Conn
	req []byte
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
	c, err := rawhttp.DialContext(ctx, p.addr)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return &posterConn{Conn: c}, nil
}

func (p *Poster) drop(pc *posterConn) {
	pc.Close()
	<-p.slots
}

// exchange writes one request (head, the body's length, body) and reads
// its answer; resp is valid until the connection's next exchange.
func (pc *posterConn) exchange(ctx context.Context, head, body []byte) (status int, resp []byte, keep bool, err error) {
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(time.Minute)
	}
	if err := pc.SetDeadline(dl); err != nil {
		return 0, nil, false, err
	}
	pc.req = append(pc.req[:0], head...)
	pc.req = strconv.AppendInt(pc.req, int64(len(body)), 10)
	pc.req = append(pc.req, "\r\n\r\n"...)
	pc.req = append(pc.req, body...)
	r, err := pc.Do(pc.req)
	if err != nil {
		return 0, nil, false, err
	}
	return r.Status, r.Body, pc.Reusable(), nil
}
