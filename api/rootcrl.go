package api

import (
	"encoding/base64"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/publish"
)

// RootCRLUpload is the body of POST /api/v1/issuers/root/crl that
// uploads the CRL an offline root signed.
type RootCRLUpload struct {
	// CRL is the root's CRL: PEM, or base64 of the DER.
	CRL string `json:"crl"`
}

// rootCRL is POST /api/v1/issuers/root/crl: with an empty body the
// engine signs a new root CRL (the root key must be online); with a
// RootCRLUpload body it adopts the offline root's CRL after checking it
// (publish.UploadRootCRL).
func (s *Server) rootCRL(ctx *fasthttp.RequestCtx, p *auth.Principal) error {
	var body RootCRLUpload
	if err := wire.DecodeJSON(ctx, &body, true); err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	var f *publish.CRLFile
	var err error
	if body.CRL == "" {
		f, err = s.pub.GenerateRootCRL(c, p.Actor())
	} else {
		data := []byte(body.CRL)
		if !strings.Contains(body.CRL, "-----BEGIN") {
			if data, err = base64.StdEncoding.DecodeString(strings.TrimSpace(body.CRL)); err != nil {
				return &caerr.Error{Code: caerr.CodeInvalidRequest, Field: "crl", Detail: "crl: PEM, or base64 of the DER"}
			}
		}
		f, err = s.pub.UploadRootCRL(c, p.Actor(), data)
	}
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusCreated, crlInfo(f))
}

func crlInfo(f *publish.CRLFile) CRLInfo {
	return CRLInfo{Issuer: f.Issuer, Number: f.Number.String(), Entries: f.Entries,
		ThisUpdate: f.ThisUpdate, NextUpdate: f.NextUpdate, Size: f.Size(), URL: "/crl/" + f.Issuer + ".crl"}
}
