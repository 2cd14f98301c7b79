package hooks_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/internal/catest"
)

// A receiver that answers with terminal escapes, a forged log line, a
// bidi override and 10 KB of text: what is logged and stored in the
// outbox row is escaped and bounded.
func TestHookResponseTextEscaped(t *testing.T) {
	evil := "\x1b[2J\x1b[31mdenied\nlevel=ERROR msg=\"forged\" \u202egnp.exe\u200b\x00" + strings.Repeat("A", 10<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(evil))
	}))
	defer srv.Close()
	cfg := hookConfig(t, srv.URL+"/esia")
	cfg.Hooks.MaxBackoff = time.Hour // one attempt is enough
	e := catest.Open(t, cfg)
	catest.Issue(t, e)
	var lastErr string
	waitFor(t, "the failed attempt recorded", func() bool {
		rows, err := e.Store().OutboxPending(context.Background(), hooks.HookESIA, 10)
		if err != nil || len(rows) != 1 || rows[0].Attempts == 0 {
			return false
		}
		lastErr = rows[0].LastError
		return true
	})
	for _, bad := range []string{"\x1b", "\n", "\u202e", "\u200b", "\x00"} {
		if strings.Contains(lastErr, bad) {
			t.Errorf("stored error holds %q: %q", bad, lastErr)
		}
	}
	if !strings.Contains(lastErr, `\x1b[2J`) || !strings.Contains(lastErr, `\u202e`) || !strings.Contains(lastErr, "502") {
		t.Errorf("stored error %q: want the escapes visible and the status", lastErr)
	}
	if len(lastErr) > 300 || !utf8.ValidString(lastErr) {
		t.Errorf("stored error is %d bytes (valid UTF-8 %v)", len(lastErr), utf8.ValidString(lastErr))
	}
	if got := hooks.EscapeResponseText([]byte("ok \xff\\ \u2028 end")); got != `ok \xff\\ \u2028 end` {
		t.Errorf("EscapeResponseText: %q", got)
	}
}

// The hook client ignores the proxy environment variables, and uses
// hooks.proxy_url when it is set: the delivery then reaches the receiver
// only through that proxy.
func TestHookProxy(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	c, err := hooks.NewHTTPClient(&config.HooksConfig{Timeout: time.Second, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "https://esia-connector.example/reg", nil)
	if tr := c.Transport.(*http.Transport); tr.Proxy != nil {
		if u, _ := tr.Proxy(req); u != nil {
			t.Fatalf("hook client uses the environment's proxy %s", u)
		}
	}

	// A proxy on loopback that records the absolute URIs it is asked for
	// and answers 202 itself.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var asked []string
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				mu.Lock()
				asked = append(asked, r.Method+" "+r.RequestURI)
				mu.Unlock()
				conn.Write([]byte("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			}()
		}
	}()
	cfg := hookConfig(t, "http://127.0.0.1:1/esia") // nothing listens there
	cfg.Hooks.ProxyURL = "http://" + ln.Addr().String()
	e := catest.Open(t, cfg)
	catest.Issue(t, e)
	waitFor(t, "the delivery through the proxy", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(asked) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	if asked[0] != "POST http://127.0.0.1:1/esia" {
		t.Errorf("proxy asked %q", asked[0])
	}
}
