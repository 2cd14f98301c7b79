package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/clientlimit"
	"github.com/gostca/gostca/internal/testlog"
)

// dialFrom opens a TCP connection to addr from the loopback address ip.
func dialFrom(t *testing.T, addr, ip string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// holdConn opens a connection from ip and has one request answered on
// it, so that it counts against the limits until the test ends.
func holdConn(t *testing.T, addr, ip string) {
	t.Helper()
	c := dialFrom(t, addr, ip)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("held connection from %s: %v %v", ip, resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// nothingFor reads c for d and fails if a byte arrives.
func nothingFor(t *testing.T, c net.Conn, d time.Duration, what string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	var b [1]byte
	n, err := c.Read(b[:])
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("%s: read %d bytes %q, %v; want nothing until the deadline", what, n, b[:n], err)
	}
}

// closedSilently reads c until it is closed and fails if a byte arrives
// or it is still open after wait.
func closedSilently(t *testing.T, c net.Conn, wait time.Duration, what string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(wait))
	got, err := io.ReadAll(c)
	if len(got) != 0 || err != nil {
		t.Fatalf("%s: got %q, %v; want the connection closed without a byte", what, got, err)
	}
}

// wantRefusal checks a refusal's answer: status, Retry-After,
// Connection: close and the problem's code.
func wantRefusal(t *testing.T, resp *http.Response, status int, code, what string) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var p struct {
		Code string `json:"code"`
	}
	if resp.StatusCode != status || resp.Header.Get("Retry-After") != "1" || !resp.Close ||
		json.Unmarshal(body, &p) != nil || p.Code != code {
		t.Fatalf("%s: %d, Retry-After %q, close %v, %s; want %d %s with Retry-After and Connection: close",
			what, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Close, body, status, code)
	}
}

// A connection over a limit is answered only once it has asked: the
// refused client's own request, from Go's HTTP client (GET, and POST with
// a body the server does not read) and from a raw TCP client (which sees
// no byte before it sends), gets 429 for the per-client limit or 503 for
// the total, with Retry-After and Connection: close, then the connection
// closes. One that sends nothing is closed without a byte. Go's client
// logs no unsolicited response.
func TestConnectionRefusalAnswersTheRequest(t *testing.T) {
	goLog := &testlog.Buffer{}
	log.SetOutput(goLog)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })

	ts := startServerOpts(t, nil, func(o *api.Options) { o.Conns = clientlimit.ConnLimits{PerClient: 1, Total: 2} })
	ts.client.CloseIdleConnections()
	holdConn(t, ts.addr, "127.0.0.1") // 127.0.0.1 is at its limit

	// Raw TCP: no byte before the request, then the answer to it.
	c := dialFrom(t, ts.addr, "127.0.0.1")
	nothingFor(t, c, 300*time.Millisecond, "refused connection before its request")
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("raw client: %v", err)
	}
	wantRefusal(t, resp, 429, "too_many_connections", "raw client")
	if rest, err := io.ReadAll(br); len(rest) != 0 || err != nil {
		t.Fatalf("after the answer: %q, %v; want the connection closed", rest, err)
	}

	// Go's client, GET and POST with an unread body.
	client := clientFrom("127.0.0.1")
	resp, err = client.Get(ts.base + "/healthz")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	wantRefusal(t, resp, 429, "too_many_connections", "GET")
	resp, err = client.Post(ts.base+"/api/v1/certificates", "application/json", bytes.NewReader(bytes.Repeat([]byte("x"), 32<<10)))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	wantRefusal(t, resp, 429, "too_many_connections", "POST")

	// The total: 127.0.0.2 takes the last slot; 127.0.0.3 is refused.
	holdConn(t, ts.addr, "127.0.0.2")
	resp, err = clientFrom("127.0.0.3").Get(ts.base + "/healthz")
	if err != nil {
		t.Fatalf("GET over the total: %v", err)
	}
	wantRefusal(t, resp, 503, "overloaded", "over the total")

	// A refused connection that never asks is closed without a byte.
	start := time.Now()
	closedSilently(t, dialFrom(t, ts.addr, "127.0.0.3"), 5*time.Second, "refused connection that sends nothing")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a silent refused connection was held %v", d)
	}
	if strings.Contains(goLog.String(), "Unsolicited") {
		t.Errorf("Go's client saw an unsolicited response: %s", goLog.String())
	}
}

// A new connection that sends nothing until ReadTimeout, and a keep-alive
// connection idle past IdleTimeout, are closed without a byte (no 400
// nobody asked for); a request cut off mid-head still gets its 400.
func TestIdleConnectionsClosedSilently(t *testing.T) {
	ts := startServerOpts(t, nil, func(o *api.Options) {
		o.ReadTimeout, o.IdleTimeout = 300*time.Millisecond, 300*time.Millisecond
	})
	closedSilently(t, dialFrom(t, ts.addr, "127.0.0.1"), 5*time.Second, "new connection, no request")

	c := dialFrom(t, ts.addr, "127.0.0.1")
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first request: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	if rest, err := io.ReadAll(br); len(rest) != 0 || err != nil {
		t.Fatalf("idle keep-alive connection: %q, %v; want it closed without a byte", rest, err)
	}

	c = dialFrom(t, ts.addr, "127.0.0.1")
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHo")
	resp, err = http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("request cut off mid-head: %v %v; want 400", resp, err)
	}

	// Go's client with idle connections in its pool logs nothing.
	goLog := &testlog.Buffer{}
	log.SetOutput(goLog)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	client := clientFrom("127.0.0.1")
	for range 3 {
		resp, err := client.Get(ts.base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET: %v %v", resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		time.Sleep(500 * time.Millisecond) // past IdleTimeout: the server closes the pooled connection
	}
	if strings.Contains(goLog.String(), "Unsolicited") {
		t.Errorf("Go's client saw an unsolicited response: %s", goLog.String())
	}
}
