// Package apiclient is the gostca command line's client of a running
// server's /api/v1: the flags that name the server and the token
// (--server, --token-file, --tls-ca, or GOSTCA_URL and GOSTCA_TOKEN_FILE
// or GOSTCA_TOKEN), JSON calls with the server's problem+json answers as
// errors, and the few typed calls the commands share.
package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/hsm"
)

// Environment variables of the admin commands' API mode. They are not
// configuration keys (config.LoadConfig ignores them).
const (
	EnvURL       = "GOSTCA_URL"        // base URL of a running server
	EnvToken     = "GOSTCA_TOKEN"      // API token (secret)
	EnvTokenFile = "GOSTCA_TOKEN_FILE" // file holding the API token
)

// Flags select API mode: with a server URL, an admin command calls the
// HTTP API of a running server (with an API token) instead of opening the
// data directory.
type Flags struct {
	server    string
	tokenFile string
	caFile    string
}

// Register adds --server, --token-file and --tls-ca to fs.
func (r *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&r.server, "server", os.Getenv(EnvURL), "URL of a running gostca server: act through its HTTP API (default "+EnvURL+")")
	fs.StringVar(&r.tokenFile, "token-file", os.Getenv(EnvTokenFile), "file holding the API token for --server (default "+EnvTokenFile+", else the token in "+EnvToken+")")
	fs.StringVar(&r.caFile, "tls-ca", "", "PEM file of CA certificates to trust for an https --server")
}

// Enabled says whether a server was named (API mode).
func (r *Flags) Enabled() bool { return r.server != "" }

// Client builds the API client: the token from the file or GOSTCA_TOKEN,
// never from a flag value.
func (r *Flags) Client() (*Client, error) {
	u, err := url.Parse(r.server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want an http:// or https:// URL", r.server)
	}
	if u.User != nil {
		return nil, errors.New("--server: credentials in the URL are not accepted; use --token-file or " + EnvToken)
	}
	var token string
	switch {
	case r.tokenFile != "":
		if err := hsm.CheckPrivateFile(r.tokenFile); err != nil {
			return nil, fmt.Errorf("token file: %w", err)
		}
		b, err := os.ReadFile(r.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("token file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	default:
		token = strings.TrimSpace(os.Getenv(EnvToken))
	}
	if token == "" {
		return nil, fmt.Errorf("no API token: set --token-file, %s or %s", EnvTokenFile, EnvToken)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if r.caFile != "" {
		pem, err := os.ReadFile(r.caFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca %s: no PEM certificates", r.caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), token: token,
		http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}, nil
}

// Client calls the /api/v1 endpoints of a running server.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// ProblemError is an RFC 9457 answer of the server.
type ProblemError struct {
	Status  int
	Problem wire.Problem
}

func (e *ProblemError) Error() string {
	p := &e.Problem
	msg := fmt.Sprintf("server: %d %s (%s)", e.Status, p.Title, p.Code)
	if p.Detail != "" {
		msg += ": " + p.Detail
	}
	if len(p.Fields) > 0 {
		msg += " [fields " + strings.Join(p.Fields, ", ") + "]"
	} else if p.Field != "" {
		msg += " [field " + p.Field + "]"
	}
	return msg
}

// problem is the error of a non-2xx answer whose body is raw: a
// *ProblemError when the body is problem+json, else the status line.
func problem(resp *http.Response, raw []byte, what string) error {
	pe := &ProblemError{Status: resp.StatusCode}
	if json.Unmarshal(raw, &pe.Problem) != nil || pe.Problem.Code == "" {
		return fmt.Errorf("%s: server answered %s", what, resp.Status)
	}
	return pe
}

// Do sends a JSON request (body nil: none) and decodes a 2xx answer into
// out (nil: ignored).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return problem(resp, raw, method+" "+path)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return nil
}

// Download GETs an authenticated path whose answer is too large to hold
// in memory (an application's archive); the caller reads and closes the
// body. An answer other than 200 is the server's problem as an error.
func (c *Client) Download(ctx context.Context, path string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, errors.Unwrap(err))
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, problem(resp, raw, "GET "+path)
	}
	return resp.Body, nil
}

// Issue is POST /api/v1/certificates.
func (c *Client) Issue(ctx context.Context, req *api.IssueRequest) (*api.Certificate, error) {
	var out api.Certificate
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/certificates", req, &out)
}

// SetStatus is POST /api/v1/certificates/SERIAL/ACTION (revoke, suspend,
// resume).
func (c *Client) SetStatus(ctx context.Context, serial, action string, req *api.StatusRequest) (*api.Certificate, error) {
	var out api.Certificate
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/certificates/"+url.PathEscape(serial)+"/"+action, req, &out)
}

// Issuers is GET /api/v1/issuers.
func (c *Client) Issuers(ctx context.Context) ([]api.Issuer, error) {
	var out struct {
		Items []api.Issuer `json:"items"`
	}
	return out.Items, c.Do(ctx, http.MethodGet, "/api/v1/issuers", nil, &out)
}

// GenerateCRL is POST /api/v1/issuers/ID/crl.
func (c *Client) GenerateCRL(ctx context.Context, issuer string) (*api.CRLInfo, error) {
	var out api.CRLInfo
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/issuers/"+url.PathEscape(issuer)+"/crl", nil, &out)
}

// Fetch GETs a public path (a CRL) as bytes.
func (c *Client) Fetch(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("GET %s: %w", path, ErrNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: server answered %s", path, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<30))
}

// ErrNotFound: Fetch got a 404.
var ErrNotFound = errors.New("not found (404)")

// CreateToken is POST /api/v1/tokens.
func (c *Client) CreateToken(ctx context.Context, req *api.TokenRequest) (*api.Token, error) {
	var out api.Token
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/tokens", req, &out)
}

// ListTokens is GET /api/v1/tokens.
func (c *Client) ListTokens(ctx context.Context) ([]api.Token, error) {
	var out struct {
		Items []api.Token `json:"items"`
	}
	return out.Items, c.Do(ctx, http.MethodGet, "/api/v1/tokens", nil, &out)
}

// RevokeToken is DELETE /api/v1/tokens/ID.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, "/api/v1/tokens/"+url.PathEscape(id), nil, nil)
}
