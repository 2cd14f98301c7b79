package api

import (
	"strconv"
	"time"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/cadir"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
)

// Issuer describes an issuing CA.
type Issuer struct {
	ID        string    `json:"id"`
	Default   bool      `json:"default"`
	Subject   string    `json:"subject"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	CRL       string    `json:"crl"`
	// CRLs are the paths of every CRL the issuer publishes: the full
	// CRL, and with crl.delta / crl.partitions its delta, each partition
	// and its delta.
	CRLs     []string `json:"crls"`
	Cert     string   `json:"certificate"`
	Profiles []string `json:"profiles,omitempty"`
}

func (s *Server) listIssuers(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	var out []Issuer
	for _, is := range s.e.Issuers() {
		crls := s.pub.CRLPaths(is.ID)
		for i := range crls {
			crls[i] = "/crl/" + crls[i]
		}
		out = append(out, Issuer{ID: is.ID, Default: is.Default, Subject: is.Cert.Subject.String(),
			NotBefore: is.Cert.NotBefore.UTC(), NotAfter: is.Cert.NotAfter.UTC(),
			CRL: "/crl/" + is.ID + ".crl", CRLs: crls, Cert: "/ca/" + is.ID + ".crt", Profiles: is.Profiles})
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, map[string]any{"items": out})
}

// CRLInfo describes a CRL just generated.
type CRLInfo struct {
	Issuer     string    `json:"issuer"`
	Number     string    `json:"number"`
	Entries    int       `json:"entries"`
	ThisUpdate time.Time `json:"this_update"`
	NextUpdate time.Time `json:"next_update"`
	Size       int       `json:"size"`
	URL        string    `json:"url"`
}

func (s *Server) generateCRL(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	if string(param) == cadir.RootID {
		return s.rootCRL(ctx, p)
	}
	c, cancel := s.callCtx()
	defer cancel()
	f, err := s.pub.GenerateCRL(c, p.Actor(), string(param))
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusCreated, crlInfo(f))
}

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	Role  string `json:"role"`
	Scope string `json:"scope,omitempty"`
	Name  string `json:"name,omitempty"`
}

// Token describes an API token; Token (the secret) only in the answer to
// its creation.
type Token struct {
	ID      string    `json:"id"`
	Role    string    `json:"role"`
	Scope   string    `json:"scope,omitempty"`
	Name    string    `json:"name,omitempty"`
	Created time.Time `json:"created"`
	Token   string    `json:"token,omitempty"`
}

func (s *Server) createToken(ctx *fasthttp.RequestCtx, p *auth.Principal, _ []byte) error {
	var body TokenRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	role, err := auth.ParseRole(body.Role)
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	tok, ti, err := s.e.CreateToken(c, p.Actor(), role, body.Scope, body.Name)
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusCreated, Token{ID: ti.ID, Role: string(ti.Role), Scope: ti.Scope, Name: ti.Name, Created: ti.Created, Token: tok})
}

func (s *Server) listTokens(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	list, err := s.tokens.List(c)
	if err != nil {
		return err
	}
	out := make([]Token, len(list))
	for i, ti := range list {
		out[i] = Token{ID: ti.ID, Role: string(ti.Role), Scope: ti.Scope, Name: ti.Name, Created: ti.Created}
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, map[string]any{"items": out})
}

func (s *Server) revokeToken(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	if err := s.e.RevokeToken(c, p.Actor(), string(param)); err != nil {
		return err
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
	return nil
}

func (s *Server) audit(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	args := ctx.QueryArgs()
	limit := 0
	if v := args.Peek("limit"); v != nil {
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 1 || n > 1000 {
			return &wire.Error{Code: wire.CodeInvalidQuery, Field: "limit", Detail: "limit must be 1..1000"}
		}
		limit = n
	}
	c, cancel := s.callCtx()
	defer cancel()
	page, next, err := s.e.AuditEntries(c, string(args.Peek("cursor")), limit)
	if err != nil {
		return err
	}
	out := make([]wire.AuditEntry, len(page))
	for i := range page {
		out[i] = wire.AuditEntryJSON(&page[i])
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, map[string]any{"items": out, "next_cursor": next})
}

// auditCheckpoint signs the audit chain's current head with the default
// issuing CA's key and returns the checkpoint (store.Checkpoint's JSON
// form) for the caller to keep elsewhere; it changes nothing.
func (s *Server) auditCheckpoint(ctx *fasthttp.RequestCtx, _ *auth.Principal, _ []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	cp, err := s.e.Checkpoint(c)
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusCreated, cp)
}
