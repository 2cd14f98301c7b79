package ca

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// ParseSerial reads a serial number written in hex (as the API and the CLI
// print it), with optional colons.
func ParseSerial(s string) ([]byte, error) {
	h := strings.ReplaceAll(s, ":", "")
	if len(h) == 0 || len(h) > 42 {
		return nil, caerr.Newf(caerr.CodeInvalidSerial, "serial must be 1..40 hex digits")
	}
	n, ok := new(big.Int).SetString(h, 16)
	if !ok || n.Sign() <= 0 || len(n.Bytes()) > 20 {
		return nil, caerr.Newf(caerr.CodeInvalidSerial, "serial must be a positive hex number of at most 20 bytes")
	}
	return n.Bytes(), nil
}

// FormatSerial prints a serial as lowercase hex without leading zeros.
func FormatSerial(b []byte) string { return new(big.Int).SetBytes(b).Text(16) }

// Certificate returns a certificate with its status, as p may see it: a
// service centre gets certificate_not_found for another centre's.
func (c *CA) Certificate(ctx context.Context, p *auth.Principal, serial []byte) (*store.CertRecord, error) {
	centre, confined, err := auth.Confinement(p)
	if err != nil {
		return nil, err
	}
	rec, err := c.st.Certificate(ctx, serial)
	if confined {
		return auth.HideForeign(rec, err, centre)
	}
	if err != nil {
		return nil, caerr.Classify(err)
	}
	return rec, nil
}

// SearchQuery finds certificates by one identifier of the subject, or
// lists one service centre's. A service centre's searches are always
// confined to its own certificates.
type SearchQuery struct {
	SNILS   string // 11 digits (separators allowed)
	INN     string // 12 digits: a person's INN; 10 digits: a legal entity's
	OGRN    string // 13 digits: OGRN; 15 digits: OGRNIP
	KeyHash string // store.KeyHash in hex
	// Centre alone lists the certificates of a service centre; with an
	// identifier it keeps only that centre's. A service centre may give
	// only its own id (or none).
	Centre string
	// Status: "", "valid", "revoked" or "on_hold".
	Status string
	// Issuer and Profile keep only the certificates of one issuing CA or
	// one profile; Since and Until (zero: open) those issued (notBefore)
	// in [Since, Until).
	Issuer, Profile string
	Since, Until    time.Time
	Cursor          string
	Limit           int // 0: 100; at most 1000
}

// StateName is the API name of a certificate state.
func StateName(s store.State) string {
	switch s {
	case store.Valid:
		return "valid"
	case store.Revoked:
		return "revoked"
	case store.OnHold:
		return "on_hold"
	}
	return "unknown"
}

// FindCertificates pages through the certificates with an identifier,
// or those of a service centre, that p may see. Without either it lists
// every certificate (through the filters) for the roles that read them
// all (canListAll); a service centre's listing is its own centre's.
func (c *CA) FindCertificates(ctx context.Context, p *auth.Principal, sq SearchQuery) ([]store.CertRecord, string, error) {
	own, confined, err := auth.Confinement(p)
	if err != nil {
		return nil, "", err
	}
	q := store.Query{Cursor: sq.Cursor, Limit: sq.Limit, Since: sq.Since, Until: sq.Until}
	if err := c.checkListFilters(sq); err != nil {
		return nil, "", err
	}
	q.Issuer, q.Profile = sq.Issuer, sq.Profile
	switch {
	case confined && sq.Centre != "" && sq.Centre != own:
		return nil, "", caerr.Forbidden("service_centre", "a service centre searches only its own certificates")
	case confined:
		q.Centre = own
	case sq.Centre != "":
		if !auth.ValidCentreID(sq.Centre) {
			return nil, "", &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "service_centre", Detail: auth.CentreIDRule}
		}
		q.Centre = sq.Centre
	}
	n := 0
	if sq.SNILS != "" {
		n++
		q.Field, q.Value = store.BySNILS, pkix.NormalizeSNILS(sq.SNILS)
	}
	if sq.INN != "" {
		n++
		q.Field, q.Value = store.ByINN, sq.INN
		if len(sq.INN) == 10 {
			q.Field = store.ByINNLE
		}
	}
	if sq.OGRN != "" {
		n++
		q.Field, q.Value = store.ByOGRN, sq.OGRN
		if len(sq.OGRN) == 15 {
			q.Field = store.ByOGRNIP
		}
	}
	if sq.KeyHash != "" {
		n++
		q.Field, q.Value = store.ByKeyHash, strings.ToLower(sq.KeyHash)
	}
	switch {
	case n > 1:
		return nil, "", caerr.Newf(caerr.CodeInvalidRequest, "give one of snils, inn, ogrn and key_hash, not several (each is its own index)")
	case n == 0 && q.Centre != "":
		q.Field, q.Value = store.ByCentre, q.Centre
	case n == 0 && !canListAll(p):
		return nil, "", caerr.Forbidden("", "role %s finds certificates by snils, inn, ogrn or key_hash; listing every certificate is for ca_operator, ca_admin and auditor", p.Role)
	}
	switch sq.Status {
	case "":
	case "valid":
		q.Status = store.Valid
	case "revoked":
		q.Status = store.Revoked
	case "on_hold":
		q.Status = store.OnHold
	default:
		return nil, "", &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "status", Detail: "status must be valid, revoked or on_hold"}
	}
	if sq.Limit < 0 || sq.Limit > store.MaxLimit {
		return nil, "", &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "limit", Detail: fmt.Sprintf("limit must be 1..%d", store.MaxLimit)}
	}
	page, next, err := c.st.FindCertificates(ctx, q)
	if err != nil {
		if errors.Is(err, store.ErrInvalidInput) {
			return nil, "", caerr.New(caerr.CodeInvalidRequest, "bad search parameters or cursor", err)
		}
		return nil, "", caerr.Classify(err)
	}
	return page, next, nil
}

// canListAll reports whether p reads every certificate without naming a
// subscriber: CA operators, administrators and auditors (the command
// line acts as an administrator).
func canListAll(p *auth.Principal) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case auth.RoleCAOperator, auth.RoleCAAdmin, auth.RoleAuditor:
		return true
	}
	return false
}

// checkListFilters refuses an issuer or profile the CA does not have,
// naming the ones it has, and an empty date range.
func (c *CA) checkListFilters(sq SearchQuery) error {
	if sq.Issuer != "" {
		if _, ok := c.issuers[sq.Issuer]; !ok {
			return &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "issuer",
				Detail: fmt.Sprintf("no issuing CA %q; the issuing CAs: %s", sq.Issuer, strings.Join(c.order, ", "))}
		}
	}
	if sq.Profile != "" {
		known := map[string]bool{}
		for _, is := range c.issuers {
			for n := range is.Profiles {
				known[n] = true
			}
		}
		if !known[sq.Profile] {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			return &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "profile",
				Detail: fmt.Sprintf("no profile %q; the profiles: %s", sq.Profile, strings.Join(names, ", "))}
		}
	}
	if !sq.Since.IsZero() && !sq.Until.IsZero() && !sq.Until.After(sq.Since) {
		return &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "until", Detail: "until must be after since"}
	}
	return nil
}
