package api_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// BenchmarkHTTPOCSPModes answers OCSP over a real server at 127.0.0.1
// the four ways a client asks (GET, POST, each with and without a
// nonce) from 64 callers over kept-alive connections, with a fasthttp
// client so that the server's share of the CPU is the larger one. GET
// and POST without a nonce are the pre-signed path; with a nonce every
// answer is signed live.
func BenchmarkHTTPOCSPModes(b *testing.B) {
	ts := startServer(b, nil)
	token := ts.tokens[auth.RoleCAOperator]
	c, _ := gost3410.CurveByName("tc26-256-A")
	nameHash, keyHash := ts.issuerHashes(b)
	var serials [][]byte
	for range 64 {
		k, _ := gost3410.GenerateKey(c, rand.Reader)
		csr, _ := pkix.CreateCertificateRequest(rand.Reader, k, &pkix.Subject{CommonName: "bench"}, nil)
		body, _ := json.Marshal(map[string]any{"csr": base64.StdEncoding.EncodeToString(csr), "profile": "qualified-person",
			"subject_sign_tool": "bench", "subject": map[string]string{"common_name": "Иванов Иван", "surname": "Иванов",
				"given_name": "Иван", "country": "RU", "snils": "11223344595", "inn": "500100123426"}})
		resp, data := ts.do(b, "POST", "/api/v1/certificates", token, "application/json", body)
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("issue: %d %s", resp.StatusCode, data)
		}
		var cert struct {
			CertificatePEM string `json:"certificate_pem"`
		}
		json.Unmarshal(data, &cert)
		blk, _ := pem.Decode([]byte(cert.CertificatePEM))
		parsed, err := pkix.ParseCertificate(blk.Bytes)
		if err != nil {
			b.Fatal(err)
		}
		serials = append(serials, parsed.SerialNumber.Bytes())
	}
	escaper := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")
	client := &fasthttp.Client{MaxConnsPerHost: 256, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	for _, m := range []struct {
		name       string
		get, nonce bool
	}{{"GET", true, false}, {"POST", false, false}, {"GET+nonce", true, true}, {"POST+nonce", false, true}} {
		// Requests made ahead: the client's own work stays out of the loop.
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
			reqs = append(reqs, der)
		}
		send := func(req *fasthttp.Request, resp *fasthttp.Response, der []byte) error {
			req.Reset()
			if m.get {
				req.Header.SetMethod("GET")
				req.SetRequestURI(ts.base + "/ocsp/" + escaper.Replace(base64.StdEncoding.EncodeToString(der)))
				// Sent as built: a normalised path would decode %2F and fold "//".
				req.URI().DisablePathNormalizing = true
			} else {
				req.Header.SetMethod("POST")
				req.SetRequestURI(ts.base + "/ocsp")
				req.Header.SetContentType("application/ocsp-request")
				req.SetBodyRaw(der)
			}
			return client.Do(req, resp)
		}
		b.Run(m.name, func(b *testing.B) {
			// Every request once, checked: the pre-signed responses are in
			// place before the clock starts.
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			for _, der := range reqs {
				if err := send(req, resp, der); err != nil || resp.StatusCode() != http.StatusOK {
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
			b.RunParallel(func(pb *testing.PB) {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				for pb.Next() {
					der := reqs[int(next.Add(1))%len(reqs)]
					if err := send(req, resp, der); err != nil || resp.StatusCode() != http.StatusOK {
						failed.Add(1)
					}
				}
			})
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d OCSP requests failed", n, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
		})
	}
}
