package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
)

// benchClient is an HTTP client that keeps a connection per concurrent
// caller.
func benchClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 1024, 1024
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// BenchmarkHTTPIssue issues qualified certificates through POST
// /api/v1/certificates on a real server at 127.0.0.1, with 256 callers
// (fsync on, soft tc26-256-A issuing CA): the whole path a cabinet back
// end sees — JSON, auth, CSR parse and proof of possession, TBS and lints,
// batched intent, signature, verify-after-sign, group commit, OCSP and
// hook bookkeeping. Compare with signer's BenchmarkIssue (the pipeline
// without HTTP) in the same sitting.
func BenchmarkHTTPIssue(b *testing.B) {
	ts := startServer(b, nil)
	token := ts.tokens[auth.RoleCAOperator]
	bodies := make([][]byte, b.N)
	for i := range bodies {
		der := catest.CSR(b, "tc26-256-A")
		bodies[i], _ = json.Marshal(map[string]any{
			"csr": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), "profile": "qualified-person",
			"subject_sign_tool": "bench", "subject": map[string]string{"common_name": "Иванов Иван", "surname": "Иванов",
				"given_name": "Иван", "country": "RU", "snils": "11223344595", "inn": "500100123426"}})
	}
	client := benchClient()
	var next, failed atomic.Int64
	b.SetParallelism(128) // 256 callers on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			req, _ := http.NewRequest("POST", ts.base+"/api/v1/certificates", bytes.NewReader(bodies[i]))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d issuances failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "certs/s")
}

// BenchmarkHTTPOCSP answers OCSP GET requests (RFC 6960 appendix A, SHA-1
// CertID, no nonce: the pre-signed path) for 1,000 certificates from 64
// callers.
func BenchmarkHTTPOCSP(b *testing.B) {
	ts := startServer(b, nil)
	token := ts.tokens[auth.RoleCAOperator]
	var paths []string
	nameHash, keyHash := ts.issuerHashes(b)
	for _, serial := range issueForBench(b, ts, token, 1000) {
		req := ocspRequest(b, nameHash, keyHash, serial)
		paths = append(paths, "/ocsp/"+url.PathEscape(base64.StdEncoding.EncodeToString(req)))
	}
	// Let the pre-signing job catch up, then warm every response.
	client := benchClient()
	for _, p := range paths {
		resp, err := client.Get(ts.base + p)
		if err != nil {
			b.Fatal(err)
		}
		der, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		r, err := pkix.ParseOCSPResponse(der)
		if resp.StatusCode != http.StatusOK || err != nil || r.Status != pkix.OCSPSuccessful || r.Responses[0].Status != pkix.OCSPGood {
			b.Fatalf("OCSP GET: %d %v %+v", resp.StatusCode, err, r)
		}
	}
	var next, failed atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := paths[int(next.Add(1))%len(paths)]
			resp, err := client.Get(ts.base + p)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d OCSP requests failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
}

// issueForBench issues n qualified-person certificates for fresh
// tc26-256-A keys over HTTP and returns their serials.
func issueForBench(b testing.TB, ts *testServer, token string, n int) [][]byte {
	b.Helper()
	c, _ := gost3410.CurveByName("tc26-256-A")
	var serials [][]byte
	for range n {
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
	return serials
}
