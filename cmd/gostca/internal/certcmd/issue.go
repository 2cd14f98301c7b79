// Package certcmd holds the commands on certificates: `gostca issue`,
// `revoke`, `suspend` and `resume`, `list`, and `crl` (the issuing CAs'
// CRLs and the root's, signed here or uploaded from an offline root).
// Each acts on the CA of the data directory with the server stopped, or
// through a running server's API with --server.
package certcmd

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
)

// Issue is `gostca issue --csr F --subject F`: a certificate for the
// request in the CSR file and the JSON file (POST /api/v1/certificates'
// body without the CSR), written as PEM; its serial goes to standard
// error.
func Issue(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c, r := command.NewRemoteFlagSet("issue", stderr)
	csrFile := fs.String("csr", "", "PKCS#10 request file (PEM or DER)")
	subjFile := fs.String("subject", "", "JSON file with the request: {profile, subject{…}, subject_sign_tool, …} as POST /api/v1/certificates takes, csr omitted")
	profile := fs.String("profile", "", "profile (overrides the JSON)")
	out := fs.String("out", "", "write the certificate (PEM) here; default standard output")
	if _, err := command.ParseFlags(fs, args); err != nil {
		return 2
	}
	if *csrFile == "" || *subjFile == "" {
		fmt.Fprintln(stderr, "gostca issue: --csr and --subject are required")
		return 2
	}
	csr, err := os.ReadFile(*csrFile)
	if err != nil {
		fmt.Fprintf(stderr, "gostca issue: %v\n", err)
		return 1
	}
	raw, err := os.ReadFile(*subjFile)
	if err != nil {
		fmt.Fprintf(stderr, "gostca issue: %v\n", err)
		return 1
	}
	var body api.IssueRequest
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		fmt.Fprintf(stderr, "gostca issue: %s: %v\n", *subjFile, err)
		return 2
	}
	if *profile != "" {
		body.Profile = *profile
	}
	writeCert := func(p []byte) error {
		if *out != "" {
			return os.WriteFile(*out, p, 0o644)
		}
		_, err := stdout.Write(p)
		return err
	}
	if r.Enabled() {
		body.CSR = string(csr)
		if !strings.Contains(body.CSR, "-----BEGIN") {
			body.CSR = base64.StdEncoding.EncodeToString(csr)
		}
		return command.WithServer(ctx, "issue", r, stderr, func(cl *apiclient.Client) error {
			cert, err := cl.Issue(ctx, &body)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "issued serial %s by %s\n", cert.Serial, cert.Issuer)
			return writeCert([]byte(cert.CertificatePEM))
		})
	}
	return command.WithCA(ctx, "issue", c, stderr, func(e *ca.CA) error {
		res, err := e.Issue(ctx, command.Principal(), &ca.IssueRequest{
			Issuer: body.Issuer, Profile: body.Profile, CSR: csr, Subject: api.SubjectFromJSON(body.Subject),
			SubjectSignTool: body.SubjectSignTool, IdentificationKind: body.IdentificationKind, Emails: body.Emails,
			ExtKeyUsage: body.ExtKeyUsage,
			Centre:      body.ServiceCentre,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "issued serial %s by %s\n", ca.FormatSerial(res.Cert.Serial), res.Cert.IssuerID)
		return writeCert(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: res.Cert.DER}))
	})
}
