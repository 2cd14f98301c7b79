package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
	"github.com/gostca/gostca/pkix"
)

// ocspTarget is one certificate of the OCSP population.
type ocspTarget struct {
	Serial  []byte `json:"serial"` // big-endian magnitude
	Issuer  string `json:"issuer"`
	Revoked bool   `json:"revoked"`
}

// ocspIssuer is what a client needs of an issuing CA.
type ocspIssuer struct {
	ids *pkix.OCSPIssuer
	pub crypto.PublicKey
}

func newOCSPIssuer(der []byte) (*ocspIssuer, error) {
	c, err := pkix.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("issuer certificate: %w", err)
	}
	ids, err := pkix.NewOCSPIssuer(c.RawSubject, c.PublicKey.Raw)
	if err != nil {
		return nil, err
	}
	return &ocspIssuer{ids: ids, pub: c.PublicKey.Key}, nil
}

// ocspPopulation is what an OCSP client needs of the population: a
// target per certificate (the first revoked of them revoked) and each
// issuer's CertID hashes, from the certificate the server publishes.
func ocspPopulation(ctx context.Context, cl *target.Client, pop []issued, revoked int) ([]ocspTarget, map[string]*ocspIssuer, error) {
	targets := make([]ocspTarget, len(pop))
	issuers := map[string]*ocspIssuer{}
	for i, c := range pop {
		serial, ok := new(big.Int).SetString(c.Serial, 16)
		if !ok {
			return nil, nil, fmt.Errorf("serial %q is not hex", c.Serial)
		}
		targets[i] = ocspTarget{Serial: serial.Bytes(), Issuer: c.Issuer, Revoked: i < revoked}
		if issuers[c.Issuer] == nil {
			der, err := cl.Get(ctx, "/ca/"+c.Issuer+".crt")
			if err != nil {
				return nil, nil, err
			}
			if issuers[c.Issuer], err = newOCSPIssuer(der); err != nil {
				return nil, nil, err
			}
		}
	}
	return targets, issuers, nil
}

// ocspGETPath is the GET form of RFC 6960 Appendix A.1 as OpenSSL and
// RFC 5019 clients build it: base64 of the DER, then URL-escaped. Base64
// uses '+', '/' and '='; left raw, '/' splits the path into segments
// (and a client or proxy that cleans paths turns "//" into "/"), '+' may
// be read as a space, so all three are percent-encoded.
func ocspGETPath(prefix string, der []byte) string {
	return prefix + ocspGETEscaper.Replace(base64.StdEncoding.EncodeToString(der))
}

// ocspGETEscaper is made once: a Replacer built per request cost the
// load generator tens of microseconds and 7 KB per GET, on the cores the
// server under test shares.
var ocspGETEscaper = strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")

// ocspMode is one way of asking.
type ocspMode struct {
	Name  string
	GET   bool
	Nonce bool
}

// ocspModes are the ways of asking, in report.OCSPModes' order.
var ocspModes = []ocspMode{
	{report.OCSPGet, true, false}, {report.OCSPPost, false, false}, {report.OCSPGetNonce, true, true}, {report.OCSPPostNonce, false, true},
}

// ocspClient sends OCSP requests for a population and checks every answer.
type ocspClient struct {
	base    string // http://host:port
	path    string // "/ocsp" for gostca, "" for openssl ocsp
	hc      *http.Client
	issuers map[string]*ocspIssuer
	targets []ocspTarget
	// plain holds the nonce-less request DER of every target.
	plain [][]byte
	// verifyEvery checks the signature of every k-th response (0: none).
	verifyEvery int
}

// newOCSPClient prepares the requests of targets. keepAlive reuses
// connections (gostca); without it every request opens its own, as
// OpenSSL's responder expects: a single-process `openssl ocsp` serves one
// connection at a time, so a kept-alive idle connection would stall it.
func newOCSPClient(base, path string, conns int, keepAlive bool, issuers map[string]*ocspIssuer, targets []ocspTarget) (*ocspClient, error) {
	tr := &http.Transport{MaxIdleConns: conns + 8, MaxIdleConnsPerHost: conns + 8, MaxConnsPerHost: conns + 8, DisableKeepAlives: !keepAlive}
	c := &ocspClient{base: base, path: path, hc: &http.Client{Transport: tr}, issuers: issuers, targets: targets, verifyEvery: 16}
	for _, t := range targets {
		der, err := c.request(t, nil)
		if err != nil {
			return nil, err
		}
		c.plain = append(c.plain, der)
	}
	return c, nil
}

func (c *ocspClient) request(t ocspTarget, nonce []byte) ([]byte, error) {
	iss, ok := c.issuers[t.Issuer]
	if !ok {
		return nil, fmt.Errorf("no issuer %q", t.Issuer)
	}
	id, err := iss.ids.CertID(pkix.OCSPHashSHA1, t.Serial)
	if err != nil {
		return nil, err
	}
	return pkix.MarshalOCSPRequest([]pkix.CertID{id}, nonce)
}

// op returns the load operation of a mode over the population.
func (c *ocspClient) op(m ocspMode) load.Op {
	return func(ctx context.Context, i int) string {
		t := c.targets[i%len(c.targets)]
		der := c.plain[i%len(c.targets)]
		var nonce []byte
		if m.Nonce {
			nonce = make([]byte, 16)
			_, _ = rand.Read(nonce)
			var err error
			if der, err = c.request(t, nonce); err != nil {
				return "client_error"
			}
		}
		var req *http.Request
		var err error
		if m.GET {
			// A raw request URI: Go's client sends URL.Opaque as it is,
			// with no re-escaping or path cleaning.
			u, _ := url.Parse(c.base)
			u.Opaque = ocspGETPath(c.path+"/", der)
			req, err = http.NewRequestWithContext(ctx, "GET", "", nil)
			if err == nil {
				req.URL = u
				req.Host = u.Host
			}
		} else {
			req, err = http.NewRequestWithContext(ctx, "POST", c.base+c.path, bytes.NewReader(der))
			if err == nil {
				req.Header.Set("Content-Type", "application/ocsp-request")
			}
		}
		if err != nil {
			return "client_error"
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return "transport"
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "transport"
		}
		if resp.StatusCode != 200 {
			return fmt.Sprintf("http_%d", resp.StatusCode)
		}
		return c.check(t, nonce, body, i)
	}
}

// check parses an answer and compares it with what the population says;
// the signature of every verifyEvery-th.
func (c *ocspClient) check(t ocspTarget, nonce, body []byte, i int) string {
	return c.checkAnswer(t, nonce, body, c.verifyEvery > 0 && i%c.verifyEvery == 0)
}

// checkAnswer is check, the signature checked when verify is set.
func (c *ocspClient) checkAnswer(t ocspTarget, nonce, body []byte, verify bool) string {
	r, err := pkix.ParseOCSPResponse(body)
	if err != nil {
		return "malformed"
	}
	if r.Status != 0 {
		return "ocsp_" + r.Status.String()
	}
	if len(r.Responses) != 1 || !bytes.Equal(trimZero(r.Responses[0].CertID.Serial), trimZero(t.Serial)) {
		return "wrong_certificate"
	}
	want := pkix.OCSPGood
	if t.Revoked {
		want = pkix.OCSPRevoked
	}
	if r.Responses[0].Status != want {
		return "wrong_status_" + r.Responses[0].Status.String()
	}
	if nonce != nil && !bytes.Equal(r.Nonce, nonce) {
		return "nonce_not_echoed"
	}
	if verify {
		if err := r.CheckSignatureFrom(c.issuers[t.Issuer].pub); err != nil {
			return "bad_signature"
		}
	}
	return ""
}

func trimZero(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}
