package api_test

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/pkix"
)

// BenchmarkHTTPOCSPModes answers OCSP over a real server at 127.0.0.1
// the four ways a client asks (GET, POST, each with and without a
// nonce) from 64 callers over kept-alive connections, with raw HTTP/1.1
// requests built ahead, so that the CPU is mostly the server's. GET
// and POST without a nonce are the pre-signed path; with a nonce every
// answer is signed live.
func BenchmarkHTTPOCSPModes(b *testing.B) {
	ts := startServer(b, nil)
	token := ts.tokens[auth.RoleCAOperator]
	nameHash, keyHash := ts.issuerHashes(b)
	serials := issueForBench(b, ts, token, 64)
	escaper := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")
	addr := strings.TrimPrefix(ts.base, "http://")
	for _, m := range []struct {
		name       string
		get, nonce bool
	}{{"GET", true, false}, {"POST", false, false}, {"GET+nonce", true, true}, {"POST+nonce", false, true}} {
		// Requests made ahead, as raw HTTP/1.1 on kept-alive connections:
		// the client's own work stays out of the loop.
		var reqs [][]byte
		for i := range 256 {
			var nonce []byte
			if m.nonce {
				nonce = make([]byte, 16)
				rand.Read(nonce)
			}
			der, err := pkix.MarshalOCSPRequest([]pkix.CertID{{Hash: pkix.OCSPHashSHA1, IssuerNameHash: nameHash,
				IssuerKeyHash: keyHash, Serial: serials[i%len(serials)]}}, nonce)
			if err != nil {
				b.Fatal(err)
			}
			var raw []byte
			if m.get {
				raw = fmt.Appendf(nil, "GET /ocsp/%s HTTP/1.1\r\nHost: %s\r\n\r\n", escaper.Replace(base64.StdEncoding.EncodeToString(der)), addr)
			} else {
				raw = fmt.Appendf(nil, "POST /ocsp HTTP/1.1\r\nHost: %s\r\nContent-Type: application/ocsp-request\r\nContent-Length: %d\r\n\r\n%s", addr, len(der), der)
			}
			reqs = append(reqs, raw)
		}
		type conn struct {
			c  net.Conn
			br *bufio.Reader
		}
		dial := func(b *testing.B) *conn {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			return &conn{c: c, br: bufio.NewReader(c)}
		}
		send := func(c *conn, resp *fasthttp.Response, raw []byte) error {
			if _, err := c.c.Write(raw); err != nil {
				return err
			}
			return resp.Read(c.br)
		}
		b.Run(m.name, func(b *testing.B) {
			// Every request once, checked: the pre-signed responses are in
			// place before the clock starts.
			c, resp := dial(b), fasthttp.AcquireResponse()
			defer c.c.Close()
			for _, raw := range reqs {
				if err := send(c, resp, raw); err != nil || resp.StatusCode() != http.StatusOK {
					b.Fatalf("OCSP %s: %v %d", m.name, err, resp.StatusCode())
				}
				r, err := pkix.ParseOCSPResponse(resp.Body())
				if err != nil || r.Status != pkix.OCSPSuccessful || r.Responses[0].Status != pkix.OCSPGood {
					b.Fatalf("OCSP %s: %v %+v", m.name, err, r)
				}
			}
			var next, failed atomic.Int64
			b.SetParallelism(32)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				c, resp := dial(b), fasthttp.AcquireResponse()
				defer c.c.Close()
				defer fasthttp.ReleaseResponse(resp)
				for pb.Next() {
					raw := reqs[int(next.Add(1))%len(reqs)]
					if err := send(c, resp, raw); err != nil || resp.StatusCode() != http.StatusOK {
						failed.Add(1)
					}
				}
			})
			b.StopTimer()
			// Server and client share the process: CPU time per
			// request of both, which other load on the machine moves
			// far less than the wall-clock ns/op.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d OCSP requests failed", n, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
		})
	}
}

// cpuTime is the process's CPU time (user + system) in ns.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
