package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/pkix"
)

// client talks to gostca's HTTP API. Its own JSON types keep the suite
// independent of the api package: it sees the server as any client does.
type client struct {
	base, token string
	hc          *http.Client
}

// newClient opens at most conns connections: all of the suite's clients
// come from 127.0.0.1, and the server refuses connections beyond
// server.max_conns_per_client (512 by default) with a 429. An open-loop
// request that waits for a free connection still counts its latency
// from its due time.
func newClient(base, token string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &client{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

type subjectJSON struct {
	CommonName string `json:"common_name,omitempty"`
	Surname    string `json:"surname,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	Country    string `json:"country,omitempty"`
	SNILS      string `json:"snils,omitempty"`
	INN        string `json:"inn,omitempty"`
}

type issueRequest struct {
	CSR             string      `json:"csr"`
	Profile         string      `json:"profile"`
	Issuer          string      `json:"issuer,omitempty"`
	Subject         subjectJSON `json:"subject"`
	SubjectSignTool string      `json:"subject_sign_tool,omitempty"`
}

type certificateJSON struct {
	Serial         string `json:"serial"`
	Issuer         string `json:"issuer"`
	Status         string `json:"status"`
	CertificatePEM string `json:"certificate_pem"`
}

type problemJSON struct {
	Code string `json:"code"`
}

// errClass names a failed answer: the problem's code (RFC 9457 body), or
// http_NNN when the body is not a problem.
func errClass(status int, body []byte) string {
	var p problemJSON
	if json.Unmarshal(body, &p) == nil && p.Code != "" {
		return p.Code
	}
	return "http_" + strconv.Itoa(status)
}

func (c *client) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// issue posts a prepared request body; on success it returns the
// certificate.
func (c *client) issue(ctx context.Context, body []byte) (*certificateJSON, string) {
	st, b, err := c.do(ctx, "POST", "/api/v1/certificates", body)
	if err != nil {
		return nil, "transport"
	}
	if st != 200 && st != 201 {
		return nil, errClass(st, b)
	}
	var cj certificateJSON
	if err := json.Unmarshal(b, &cj); err != nil || cj.Serial == "" {
		return nil, "wrong_answer"
	}
	return &cj, ""
}

func (c *client) revoke(ctx context.Context, serial string) error {
	st, b, err := c.do(ctx, "POST", "/api/v1/certificates/"+serial+"/revoke", []byte(`{"reason":"keyCompromise"}`))
	if err != nil {
		return err
	}
	if st/100 != 2 {
		return fmt.Errorf("revoke %s: %s", serial, errClass(st, b))
	}
	return nil
}

func (c *client) get(ctx context.Context, path string) ([]byte, error) {
	st, b, err := c.do(ctx, "GET", path, nil)
	if err != nil {
		return nil, err
	}
	if st != 200 {
		return nil, fmt.Errorf("GET %s: %s", path, errClass(st, b))
	}
	return b, nil
}

// csrItem is one pre-generated request: the PEM CSR (also what the
// OpenSSL peer reads) and the API body around it.
type csrItem struct {
	Curve  string
	Issuer string
	PEM    []byte
	Body   []byte
}

// Every subject is the same person, as many certificates of one person
// are; the keys are all distinct (the engine refuses a key twice).
var benchSubject = subjectJSON{CommonName: "Бенчмарков Тест Тестович", Surname: "Бенчмарков", GivenName: "Тест Тестович",
	Country: "RU", SNILS: "11223344595", INN: "500100123426"}

// genCSRs makes n CSRs with fresh keys, alternating over curves; issuers
// maps a curve to the issuing CA that gets its requests.
func genCSRs(n int, curves []string, issuers map[string]string) ([]csrItem, error) {
	out := make([]csrItem, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				it, err := genCSR(curves[i%len(curves)], i, issuers)
				if err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					continue
				}
				out[i] = it
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	return out, first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func genCSR(curve string, i int, issuers map[string]string) (csrItem, error) {
	c, ok := gost3410.CurveByName(curve)
	if !ok {
		return csrItem{}, fmt.Errorf("unknown curve %q", curve)
	}
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		return csrItem{}, err
	}
	subj := &pkix.Subject{CommonName: benchSubject.CommonName, Surname: benchSubject.Surname, GivenName: benchSubject.GivenName,
		Country: "RU", SNILS: benchSubject.SNILS, INN: benchSubject.INN}
	der, err := pkix.CreateCertificateRequest(rand.Reader, key, subj, nil)
	if err != nil {
		return csrItem{}, fmt.Errorf("CSR %d: %w", i, err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	body, err := json.Marshal(issueRequest{CSR: string(p), Profile: report.Profile, Issuer: issuers[curve], Subject: benchSubject,
		SubjectSignTool: "gostca bench"})
	if err != nil {
		return csrItem{}, err
	}
	return csrItem{Curve: curve, Issuer: issuers[curve], PEM: p, Body: body}, nil
}
