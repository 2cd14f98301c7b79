package target

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

// Client talks to gostca's HTTP API. Its own JSON types keep the suite
// independent of the api package: it sees the server as any client does.
type Client struct {
	Base  string       // http://127.0.0.1:PORT
	HTTP  *http.Client // for requests the methods below do not cover
	token string
}

// NewClient opens at most conns connections: all of the suite's clients
// come from 127.0.0.1, and the server refuses connections beyond
// server.max_conns_per_client (512 by default) with a 429. An open-loop
// request that waits for a free connection still counts its latency
// from its due time.
func NewClient(base, token string, conns int) *Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &Client{Base: base, token: token, HTTP: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

type SubjectJSON struct {
	CommonName string `json:"common_name,omitempty"`
	Surname    string `json:"surname,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	Country    string `json:"country,omitempty"`
	SNILS      string `json:"snils,omitempty"`
	INN        string `json:"inn,omitempty"`
}

type IssueRequest struct {
	CSR             string      `json:"csr"`
	Profile         string      `json:"profile"`
	Issuer          string      `json:"issuer,omitempty"`
	Subject         SubjectJSON `json:"subject"`
	SubjectSignTool string      `json:"subject_sign_tool,omitempty"`
}

type CertificateJSON struct {
	Serial         string `json:"serial"`
	Issuer         string `json:"issuer"`
	Status         string `json:"status"`
	CertificatePEM string `json:"certificate_pem"`
}

type problemJSON struct {
	Code string `json:"code"`
}

// ErrClass names a failed answer: the problem's code (RFC 9457 body), or
// http_NNN when the body is not a problem.
func ErrClass(status int, body []byte) string {
	var p problemJSON
	if json.Unmarshal(body, &p) == nil && p.Code != "" {
		return p.Code
	}
	return "http_" + strconv.Itoa(status)
}

func (c *Client) Do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Issue posts a prepared request body; on success it returns the
// certificate.
func (c *Client) Issue(ctx context.Context, body []byte) (*CertificateJSON, string) {
	st, b, err := c.Do(ctx, "POST", "/api/v1/certificates", body)
	if err != nil {
		return nil, "transport"
	}
	if st != 200 && st != 201 {
		return nil, ErrClass(st, b)
	}
	var cj CertificateJSON
	if err := json.Unmarshal(b, &cj); err != nil || cj.Serial == "" {
		return nil, "wrong_answer"
	}
	return &cj, ""
}

func (c *Client) Revoke(ctx context.Context, serial string) error {
	st, b, err := c.Do(ctx, "POST", "/api/v1/certificates/"+serial+"/revoke", []byte(`{"reason":"keyCompromise"}`))
	if err != nil {
		return err
	}
	if st/100 != 2 {
		return fmt.Errorf("revoke %s: %s", serial, ErrClass(st, b))
	}
	return nil
}

func (c *Client) Get(ctx context.Context, path string) ([]byte, error) {
	st, b, err := c.Do(ctx, "GET", path, nil)
	if err != nil {
		return nil, err
	}
	if st != 200 {
		return nil, fmt.Errorf("GET %s: %s", path, ErrClass(st, b))
	}
	return b, nil
}

// CSRItem is one pre-generated request: the PEM CSR (also what the
// OpenSSL peer reads) and the API body around it.
type CSRItem struct {
	Curve  string
	Issuer string
	PEM    []byte
	Body   []byte
}

// Every subject is the same person, as many certificates of one person
// are; the keys are all distinct (the engine refuses a key twice).
var BenchSubject = SubjectJSON{CommonName: "Бенчмарков Тест Тестович", Surname: "Бенчмарков", GivenName: "Тест Тестович",
	Country: "RU", SNILS: "11223344595", INN: "500100123426"}

// GenCSRs makes n CSRs with fresh keys, alternating over curves; issuers
// maps a curve to the issuing CA that gets its requests.
func GenCSRs(n int, curves []string, issuers map[string]string) ([]CSRItem, error) {
	out := make([]CSRItem, n)
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

func genCSR(curve string, i int, issuers map[string]string) (CSRItem, error) {
	c, ok := gost3410.CurveByName(curve)
	if !ok {
		return CSRItem{}, fmt.Errorf("unknown curve %q", curve)
	}
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		return CSRItem{}, err
	}
	subj := &pkix.Subject{CommonName: BenchSubject.CommonName, Surname: BenchSubject.Surname, GivenName: BenchSubject.GivenName,
		Country: "RU", SNILS: BenchSubject.SNILS, INN: BenchSubject.INN}
	der, err := pkix.CreateCertificateRequest(rand.Reader, key, subj, nil)
	if err != nil {
		return CSRItem{}, fmt.Errorf("CSR %d: %w", i, err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	body, err := json.Marshal(IssueRequest{CSR: string(p), Profile: report.Profile, Issuer: issuers[curve], Subject: BenchSubject,
		SubjectSignTool: "gostca bench"})
	if err != nil {
		return CSRItem{}, err
	}
	return CSRItem{Curve: curve, Issuer: issuers[curve], PEM: p, Body: body}, nil
}
