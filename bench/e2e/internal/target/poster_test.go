package target

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The poster sends the prepared body with its headers, reads each answer
// whole, reuses its connections, and drops one the server closes.
func TestPosterKeepAlive(t *testing.T) {
	var conns atomic.Int64
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+r.Header.Get("Content-Type")+" "+string(b))
		mu.Unlock()
		if string(b) == "close" {
			w.Header().Set("Connection", "close")
		}
		w.Header().Set("Content-Length", "7")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"a":1}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	p, err := NewPoster(srv.URL, "/api/v1/certificates", "tok", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	check := func(st int, body []byte) string {
		if st != 201 || string(body) != `{"a":1}` {
			return "wrong"
		}
		return ""
	}
	for i := range 20 {
		if c := p.Post(ctx, []byte(`{"n":`+string(rune('0'+i%10))+`}`), check); c != "" {
			t.Fatalf("request %d: %s", i, c)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("20 requests one after another took %d connections, want 1", n)
	}
	if c := p.Post(ctx, []byte("close"), check); c != "" {
		t.Fatal(c)
	}
	if c := p.Post(ctx, []byte(`{}`), check); c != "" {
		t.Fatal(c)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("after the server's Connection: close, %d connections in all, want 2", n)
	}
	if !strings.HasPrefix(seen[0], `POST /api/v1/certificates Bearer tok application/json {"n":0}`) {
		t.Errorf("server saw %q", seen[0])
	}
	if _, err := NewPoster("https://x:1", "/", "", 1); err == nil {
		t.Error("an https base was accepted")
	}
	p2, _ := NewPoster("http://127.0.0.1:1", "/", "", 1)
	if c := p2.Post(ctx, []byte("{}"), check); c != "transport" {
		t.Errorf("no server: %q, want transport", c)
	}
}

// ParseIssuedAnswer takes the serial and the DER from an answer as the
// server writes it, and refuses answers that are not one.
func TestParseIssuedAnswer(t *testing.T) {
	der := append([]byte{0x30, 0x82, 0x01, 0x2c}, bytes.Repeat([]byte{0xab}, 300)...)
	answer := func(serial, pemText string) []byte {
		b, _ := json.Marshal(map[string]string{"serial": serial, "issuer": "gost256", "certificate_pem": pemText})
		return b
	}
	good := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	a, scratch, ok := ParseIssuedAnswer(answer("1a2B", good), nil)
	if !ok || string(a.Serial) != "1a2B" || !bytes.Equal(a.DER, der) {
		t.Fatalf("good answer: ok=%v serial=%q der equal=%v", ok, a.Serial, bytes.Equal(a.DER, der))
	}
	for name, body := range map[string][]byte{
		"no serial":      answer("", good),
		"non-hex serial": answer("12z", good),
		"no PEM":         answer("01", ""),
		"other PEM type": answer("01", strings.ReplaceAll(good, "CERTIFICATE", "X509 CRL")),
		"bad base64":     answer("01", strings.Replace(good, "MIIB", "MI*B", 1)),
		"short DER":      answer("01", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der[:200]}))),
		"not JSON":       []byte("<html>"),
	} {
		if _, scratch, ok = ParseIssuedAnswer(body, scratch); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}
