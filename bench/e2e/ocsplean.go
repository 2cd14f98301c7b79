package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/rawhttp"
)

// leanOCSP is the OCSP load generator's default client: kept-alive
// HTTP/1.1 connections (internal/rawhttp) writing requests built ahead as
// bytes and reading answers with a minimal parser, so that the generator
// spends little of the CPU it shares with the server. Every answer is
// checked as ocspClient checks it; an answer byte for byte equal to one
// that passed every check for the same certificate, its signature
// included, passes again without being parsed (pre-signed answers repeat;
// answers with a nonce never do, and are always parsed).
type leanOCSP struct {
	oc        *ocspClient // the population, the issuers and the checks
	addr      string      // host:port
	keepAlive bool
	// get and post are the nonce-less raw requests of every target.
	get, post [][]byte
	// nonceDER is every target's request with a placeholder nonce at
	// nonceAt: a request with a nonce is a copy with the nonce written in.
	nonceDER [][]byte
	nonceAt  []int
	host     string
	path     string
	conns    chan *leanConn
	// passed holds, per target, the last nonce-less answer that passed
	// every check, signature included.
	passed []atomic.Pointer[[]byte]
}

type leanConn struct {
	*rawhttp.Conn
	buf, der []byte // scratch for requests with a nonce
}

// nonceLen is the length of the nonces the generator sends (as OpenSSL).
const nonceLen = 16

// newLeanOCSP prepares the raw requests of oc's targets for the responder
// at base (http://host:port) + path. keepAlive as newOCSPClient's.
func newLeanOCSP(oc *ocspClient, conns int, keepAlive bool) (*leanOCSP, error) {
	addr, ok := strings.CutPrefix(oc.base, "http://")
	if !ok || addr == "" || strings.Contains(addr, "/") {
		return nil, fmt.Errorf("lean OCSP client: base %q is not http://host:port", oc.base)
	}
	l := &leanOCSP{oc: oc, addr: addr, keepAlive: keepAlive, host: addr, path: oc.path, conns: make(chan *leanConn, conns),
		passed: make([]atomic.Pointer[[]byte], len(oc.targets))}
	if l.path == "" {
		l.path = "/"
	}
	placeholder := bytes.Repeat([]byte{0xA5}, nonceLen)
	for i, t := range oc.targets {
		der := oc.plain[i]
		l.get = append(l.get, l.appendGET(nil, der))
		l.post = append(l.post, l.appendPOST(nil, der))
		nd, err := oc.request(t, placeholder)
		if err != nil {
			return nil, err
		}
		at := bytes.Index(nd, placeholder)
		if at < 0 || bytes.Contains(nd[at+1:], placeholder) {
			return nil, errors.New("lean OCSP client: cannot place the nonce in the request")
		}
		l.nonceDER, l.nonceAt = append(l.nonceDER, nd), append(l.nonceAt, at)
	}
	return l, nil
}

// appendGET appends the raw GET request of der (ocspGETPath's form).
func (l *leanOCSP) appendGET(dst, der []byte) []byte {
	dst = append(dst, "GET "...)
	dst = append(dst, l.path...)
	if !strings.HasSuffix(l.path, "/") {
		dst = append(dst, '/')
	}
	dst = appendEscapedBase64(dst, der)
	return l.appendHeaders(append(dst, " HTTP/1.1\r\n"...), "", -1)
}

// appendPOST appends the raw POST request of der.
func (l *leanOCSP) appendPOST(dst, der []byte) []byte {
	dst = append(dst, "POST "...)
	dst = append(dst, l.path...)
	dst = l.appendHeaders(append(dst, " HTTP/1.1\r\n"...), "application/ocsp-request", len(der))
	return append(dst, der...)
}

func (l *leanOCSP) appendHeaders(dst []byte, contentType string, length int) []byte {
	dst = append(append(append(dst, "Host: "...), l.host...), "\r\n"...)
	if contentType != "" {
		dst = append(append(append(dst, "Content-Type: "...), contentType...), "\r\n"...)
	}
	if length >= 0 {
		dst = strconv.AppendInt(append(dst, "Content-Length: "...), int64(length), 10)
		dst = append(dst, "\r\n"...)
	}
	if !l.keepAlive {
		dst = append(dst, "Connection: close\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// appendEscapedBase64 appends base64 of der with '+', '/' and '='
// percent-encoded, as ocspGETPath does.
func appendEscapedBase64(dst, der []byte) []byte {
	var tmp [512]byte
	enc := base64.StdEncoding.AppendEncode(tmp[:0], der)
	for _, c := range enc {
		switch c {
		case '+':
			dst = append(dst, "%2B"...)
		case '/':
			dst = append(dst, "%2F"...)
		case '=':
			dst = append(dst, "%3D"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// conn takes a kept-alive connection or dials one.
func (l *leanOCSP) conn() (*leanConn, error) {
	if l.keepAlive {
		select {
		case c := <-l.conns:
			return c, nil
		default:
		}
	}
	c, err := rawhttp.Dial(l.addr)
	if err != nil {
		return nil, err
	}
	return &leanConn{Conn: c}, nil
}

// release keeps c for the next request when it can carry one.
func (l *leanOCSP) release(c *leanConn) {
	if l.keepAlive && c.Reusable() {
		select {
		case l.conns <- c:
			return
		default:
		}
	}
	_ = c.Close()
}

// close closes the kept connections.
func (l *leanOCSP) close() {
	for {
		select {
		case c := <-l.conns:
			_ = c.Close()
		default:
			return
		}
	}
}

// op returns the load operation of a mode over the population.
func (l *leanOCSP) op(m ocspMode) load.Op {
	return func(ctx context.Context, i int) string {
		ti := i % len(l.oc.targets)
		c, err := l.conn()
		if err != nil {
			return "transport"
		}
		defer l.release(c)
		if d, ok := ctx.Deadline(); ok {
			if err := c.SetDeadline(d); err != nil {
				_ = c.Close()
				return "transport"
			}
		}
		var raw, nonce []byte
		switch {
		case m.Nonce:
			c.der = append(c.der[:0], l.nonceDER[ti]...)
			nonce = c.der[l.nonceAt[ti] : l.nonceAt[ti]+nonceLen]
			_, _ = rand.Read(nonce)
			if m.GET {
				c.buf = l.appendGET(c.buf[:0], c.der)
			} else {
				c.buf = l.appendPOST(c.buf[:0], c.der)
			}
			raw = c.buf
		case m.GET:
			raw = l.get[ti]
		default:
			raw = l.post[ti]
		}
		resp, err := c.Do(raw)
		if err != nil {
			if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
				// The connection's deadline is the run's: a request cut
				// by the time limit, which the loop counts once ctx
				// says so (its timer may fire a moment after the
				// connection's).
				<-ctx.Done()
			}
			return "transport"
		}
		if resp.Status != 200 {
			return "http_" + strconv.Itoa(resp.Status)
		}
		return l.check(ti, nonce, resp.Body, i)
	}
}

// check checks an answer for target ti; body is the connection's buffer.
func (l *leanOCSP) check(ti int, nonce, body []byte, i int) string {
	t := l.oc.targets[ti]
	if nonce != nil {
		return l.oc.checkAnswer(t, nonce, body, l.oc.verifyEvery > 0 && i%l.oc.verifyEvery == 0)
	}
	if p := l.passed[ti].Load(); p != nil && bytes.Equal(*p, body) {
		return ""
	}
	// An answer not seen before: every check, the signature included,
	// before it is remembered.
	if class := l.oc.checkAnswer(t, nil, body, true); class != "" {
		return class
	}
	b := bytes.Clone(body)
	l.passed[ti].Store(&b)
	return ""
}

// ocspOps makes the OCSP client of kind ("lean", the default, or
// "nethttp") for the responder at base+path and returns its operation per
// mode and what closes its connections.
func ocspOps(kind, base, path string, conns int, keepAlive bool, issuers map[string]*ocspIssuer, targets []ocspTarget) (func(ocspMode) load.Op, func(), error) {
	oc, err := newOCSPClient(base, path, conns, keepAlive, issuers, targets)
	if err != nil {
		return nil, nil, err
	}
	if kind == "nethttp" {
		return oc.op, oc.hc.CloseIdleConnections, nil
	}
	l, err := newLeanOCSP(oc, conns, keepAlive)
	if err != nil {
		return nil, nil, err
	}
	return l.op, l.close, nil
}
