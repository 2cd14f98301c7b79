package rawhttp

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// serve answers each request read on a connection with the next canned
// response; a nil entry closes the connection.
func serve(t *testing.T, answers ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for _, a := range answers {
					// A request without a body: up to the empty line.
					for {
						l, err := br.ReadString('\n')
						if err != nil {
							return
						}
						if l == "\r\n" {
							break
						}
					}
					if _, err := c.Write([]byte(a)); err != nil {
						return
					}
					if la := strings.ToLower(a); strings.Contains(la, "connection: close") || !strings.Contains(la, "content-length") {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

const req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

func TestDoReadsKeptAliveResponses(t *testing.T) {
	addr := serve(t,
		"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nContent-Type: a/b\r\n\r\nhello",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nCONTENT-LENGTH:3\r\nConnection: close\r\n\r\nbye")
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		status int
		body   string
		reuse  bool
	}{{200, "hello", true}, {404, "", true}, {200, "bye", false}} {
		r, err := c.Do([]byte(req))
		if err != nil || r.Status != want.status || string(r.Body) != want.body || c.Reusable() != want.reuse {
			t.Fatalf("response %d: %v %d %q reusable %v; want %+v", i, err, r.Status, r.Body, c.Reusable(), want)
		}
	}
	if _, err := c.Do([]byte(req)); err == nil {
		t.Fatal("Do on a closed connection succeeded")
	}
}

func TestDoReadsBodyToEOF(t *testing.T) {
	c, err := Dial(serve(t, "HTTP/1.0 200 OK\r\nContent-Type: a/b\r\n\r\nall of it"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Do([]byte(req))
	if err != nil || r.Status != 200 || string(r.Body) != "all of it" || c.Reusable() {
		t.Fatalf("%v %d %q reusable %v", err, r.Status, r.Body, c.Reusable())
	}
}

func TestDoRefusesWhatItCannotRead(t *testing.T) {
	for _, a := range []string{
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
		"SPDY/3 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
	} {
		c, err := Dial(serve(t, a))
		if err != nil {
			t.Fatal(err)
		}
		if r, err := c.Do([]byte(req)); err == nil || c.Reusable() {
			t.Errorf("%q: read %d %q, reusable %v", a, r.Status, r.Body, c.Reusable())
		}
		c.Close()
	}
}
