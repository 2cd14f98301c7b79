package main

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
	envURL       = "GOSTCA_URL"        // base URL of a running server
	envToken     = "GOSTCA_TOKEN"      // API token (secret)
	envTokenFile = "GOSTCA_TOKEN_FILE" // file holding the API token
)

// remoteFlags select API mode: with a server URL, an admin command calls
// the HTTP API of a running server (with an API token) instead of opening
// the data directory.
type remoteFlags struct {
	server    string
	tokenFile string
	caFile    string
}

func (r *remoteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.server, "server", os.Getenv(envURL), "URL of a running gostca server: act through its HTTP API (default "+envURL+")")
	fs.StringVar(&r.tokenFile, "token-file", os.Getenv(envTokenFile), "file holding the API token for --server (default "+envTokenFile+", else the token in "+envToken+")")
	fs.StringVar(&r.caFile, "tls-ca", "", "PEM file of CA certificates to trust for an https --server")
}

func (r *remoteFlags) enabled() bool { return r.server != "" }

// client builds the API client: the token from the file or GOSTCA_TOKEN,
// never from a flag value.
func (r *remoteFlags) client() (*apiClient, error) {
	u, err := url.Parse(r.server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want an http:// or https:// URL", r.server)
	}
	if u.User != nil {
		return nil, errors.New("--server: credentials in the URL are not accepted; use --token-file or " + envToken)
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
		token = strings.TrimSpace(os.Getenv(envToken))
	}
	if token == "" {
		return nil, fmt.Errorf("no API token: set --token-file, %s or %s", envTokenFile, envToken)
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
	return &apiClient{base: strings.TrimRight(u.String(), "/"), token: token,
		http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}, nil
}

// apiClient calls the /api/v1 endpoints of a running server.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// problemError is an RFC 9457 answer of the server.
type problemError struct {
	status int
	p      wire.Problem
}

func (e *problemError) Error() string {
	msg := fmt.Sprintf("server: %d %s (%s)", e.status, e.p.Title, e.p.Code)
	if e.p.Detail != "" {
		msg += ": " + e.p.Detail
	}
	if len(e.p.Fields) > 0 {
		msg += " [fields " + strings.Join(e.p.Fields, ", ") + "]"
	} else if e.p.Field != "" {
		msg += " [field " + e.p.Field + "]"
	}
	return msg
}

// do sends a JSON request (body nil: none) and decodes a 2xx answer into
// out (nil: ignored).
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
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
		pe := &problemError{status: resp.StatusCode}
		if json.Unmarshal(raw, &pe.p) != nil || pe.p.Code == "" {
			return fmt.Errorf("%s %s: server answered %s", method, path, resp.Status)
		}
		return pe
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return nil
}

func (c *apiClient) issue(ctx context.Context, req *api.IssueRequest) (*api.Certificate, error) {
	var out api.Certificate
	return &out, c.do(ctx, http.MethodPost, "/api/v1/certificates", req, &out)
}

func (c *apiClient) setStatus(ctx context.Context, serial, action string, req *api.StatusRequest) (*api.Certificate, error) {
	var out api.Certificate
	return &out, c.do(ctx, http.MethodPost, "/api/v1/certificates/"+url.PathEscape(serial)+"/"+action, req, &out)
}

func (c *apiClient) issuers(ctx context.Context) ([]api.Issuer, error) {
	var out struct {
		Items []api.Issuer `json:"items"`
	}
	return out.Items, c.do(ctx, http.MethodGet, "/api/v1/issuers", nil, &out)
}

func (c *apiClient) generateCRL(ctx context.Context, issuer string) (*api.CRLInfo, error) {
	var out api.CRLInfo
	return &out, c.do(ctx, http.MethodPost, "/api/v1/issuers/"+url.PathEscape(issuer)+"/crl", nil, &out)
}

// fetch GETs a public path (a CRL) as bytes.
func (c *apiClient) fetch(ctx context.Context, path string) ([]byte, error) {
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
		return nil, fmt.Errorf("GET %s: %w", path, errFetchNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: server answered %s", path, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<30))
}

// errFetchNotFound: fetch got a 404.
var errFetchNotFound = errors.New("not found (404)")

func (c *apiClient) createToken(ctx context.Context, req *api.TokenRequest) (*api.Token, error) {
	var out api.Token
	return &out, c.do(ctx, http.MethodPost, "/api/v1/tokens", req, &out)
}

func (c *apiClient) listTokens(ctx context.Context) ([]api.Token, error) {
	var out struct {
		Items []api.Token `json:"items"`
	}
	return out.Items, c.do(ctx, http.MethodGet, "/api/v1/tokens", nil, &out)
}

func (c *apiClient) revokeToken(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/tokens/"+url.PathEscape(id), nil, nil)
}

// withRemote runs fn against the API named by r, printing errors.
func withRemote(ctx context.Context, name string, r *remoteFlags, stderr io.Writer, fn func(c *apiClient) error) int {
	c, err := r.client()
	if err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 2
	}
	if err := fn(c); err != nil {
		fmt.Fprintf(stderr, "gostca %s: %v\n", name, err)
		return 1
	}
	return 0
}
