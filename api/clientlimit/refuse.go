package clientlimit

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"time"
)

// How a plain-HTTP connection over a limit is refused. HTTP has no
// response without a request (RFC 9112 §9.3, RFC 9110 §15): bytes a
// server writes before the client's request are, to the client, an
// answer to the next request it sends, or junk on an idle connection
// (Go's client logs "Unsolicited response received on idle HTTP
// channel"). So the refusal waits for the request head, as nginx's
// limit_conn does, and answers that request: 429 (per-client limit) or
// 503 (total), with Retry-After and Connection: close. The refusal stays
// cheap: the head is read only up to refuseHeadMax bytes and
// refuseHeadWait, the answer and a short drain of what the client still
// sends (so that closing does not reset the connection over the answer)
// have deadlines, and at most refuseInFlight connections are refused
// this way at a time; beyond that they are closed at once, without a
// word. A connection that sends nothing is closed without a word too.
// Under TLS a refused connection is closed at once, before any handshake.
const (
	refuseInFlight = 64
	refuseHeadMax  = 8 << 10
	refuseHeadWait = time.Second
	refuseWrite    = time.Second
	refuseDrain    = 500 * time.Millisecond
	refuseDrainMax = 64 << 10
)

// Refuser answers refused connections off the accept loop; one serves
// every listener of a server, so the bound is the server's.
type Refuser struct{ slots chan struct{} }

// NewRefuser makes a refuser with refuseInFlight slots.
func NewRefuser() *Refuser { return &Refuser{slots: make(chan struct{}, refuseInFlight)} }

// refuse takes c over and closes it, after answering its request when a
// slot is free. It never blocks.
func (r *Refuser) refuse(c net.Conn, reason string) {
	select {
	case r.slots <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-r.slots }()
		answerRefused(c, reason)
	}()
}

// answerRefused reads c's request head (bounded), answers it with the
// refusal and closes c; with nothing read it only closes c.
func answerRefused(c net.Conn, reason string) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(refuseHeadWait))
	if n := readHead(c); n == 0 {
		return
	}
	_ = c.SetWriteDeadline(time.Now().Add(refuseWrite))
	if _, err := c.Write(refusal(reason)); err != nil {
		return
	}
	// Half-close and drain: closing with unread bytes (a request body)
	// would reset the connection, and a reset may reach the client
	// before it has read the answer.
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(refuseDrain))
	_, _ = io.CopyN(io.Discard, c, refuseDrainMax)
}

// readHead reads until the end of a request head (an empty line), EOF,
// an error, the deadline or refuseHeadMax bytes, and returns how many
// bytes it read.
func readHead(c net.Conn) int {
	buf := make([]byte, refuseHeadMax)
	n := 0
	for n < len(buf) {
		m, err := c.Read(buf[n:])
		from := max(0, n-3) // the end may straddle two reads
		n += m
		if err != nil || bytes.Contains(buf[from:n], []byte("\r\n\r\n")) || bytes.Contains(buf[from:n], []byte("\n\n")) {
			break
		}
	}
	return n
}

// refusal is the answer to a request on a refused connection.
func refusal(reason string) []byte {
	status, detail, code := "429 Too Many Requests", "too many connections from this address", "too_many_connections"
	if reason == "total" {
		status, detail, code = "503 Service Unavailable", "the server has too many connections", "overloaded"
	}
	body := `{"type":"urn:gostca:problem:` + code + `","title":"Connection refused","status":` + status[:3] +
		`,"detail":"` + detail + `","code":"` + code + `"}`
	return []byte("HTTP/1.1 " + status + "\r\nConnection: close\r\nRetry-After: 1\r\nCache-Control: no-store\r\n" +
		"Content-Type: application/problem+json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}
