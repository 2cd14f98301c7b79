package api

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/cadir"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/store"
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

// AuditEntry is one link of the audit chain, its fields apart. Free
// text (actor, subject, reason, comment, attribute values, details) is
// escaped as the inside of a Go string literal (store.AuditText without
// its quotes): control, format (bidi, zero-width) and other
// non-printing characters and invalid UTF-8 appear as \xNN, \uNNNN,
// quotes and backslashes are backslash-escaped, so a value can neither
// drive a terminal nor pass for another field; unquoting "VALUE" gives
// the text as stored. Line is the whole entry on one escaped line, as
// `gostca audit list` prints it.
type AuditEntry struct {
	Seq     uint64       `json:"seq"`
	At      time.Time    `json:"at"`
	Actor   string       `json:"actor"`
	Action  string       `json:"action"`
	Subject string       `json:"subject,omitempty"`
	Serial  string       `json:"serial,omitempty"`
	Status  *AuditStatus `json:"status,omitempty"`
	Reason  string       `json:"reason,omitempty"`
	Comment string       `json:"comment,omitempty"`
	Attrs   []AuditAttr  `json:"attrs,omitempty"`
	Details string       `json:"details,omitempty"`
	Hash    string       `json:"hash"`
	Line    string       `json:"line"`
}

// AuditStatus is the certificate status an entry records (after the
// change).
type AuditStatus struct {
	State   string `json:"state"`
	Version uint32 `json:"version"`
}

// AuditAttr is one named value of an entry (a token's role, scope,
// name).
type AuditAttr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// auditEscape is store.AuditText without the surrounding quotes.
func auditEscape(s string) string {
	q := store.AuditText(s)
	return q[1 : len(q)-1]
}

func auditEntryJSON(a *store.AuditEntry) AuditEntry {
	out := AuditEntry{Seq: a.Seq, At: a.At.UTC(), Actor: auditEscape(a.Actor), Action: auditEscape(a.Action),
		Subject: auditEscape(a.Subject), Reason: auditEscape(a.Reason), Comment: auditEscape(a.Comment),
		Details: auditEscape(a.Details), Hash: hex.EncodeToString(a.Hash[:]), Line: a.String()}
	if len(a.Serial) > 0 {
		out.Serial = ca.FormatSerial(a.Serial)
	}
	if a.CertStatus.State != 0 {
		out.Status = &AuditStatus{State: ca.StateName(a.CertStatus.State), Version: a.CertStatus.Version}
	}
	for _, at := range a.Attrs {
		out.Attrs = append(out.Attrs, AuditAttr{Key: auditEscape(at.Key), Value: auditEscape(at.Value)})
	}
	return out
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
	out := make([]AuditEntry, len(page))
	for i := range page {
		out[i] = auditEntryJSON(&page[i])
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
