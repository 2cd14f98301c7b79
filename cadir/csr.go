package cadir

import (
	"context"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/atomicfile"
	"github.com/gostca/gostca/pkix"
)

// IssuerRequest is what RequestIssuer made: the new issuing CA key, by
// reference, and the PKCS#10 request for it.
type IssuerRequest struct {
	// KeyRef is the key reference to give `gostca init --import-issuer
	// CERT --issuer-key REF` once the root returned the certificate.
	KeyRef string
	// CSR is the request, PEM.
	CSR []byte
	// GeneratedPassphrase is the demo passphrase file, when one was made.
	GeneratedPassphrase string
}

// RequestIssuer is the first half of joining an existing hierarchy (the
// national root, or an offline root of one's own): it generates the
// issuing CA's key pair on cfg.CA.Curve where keys.backend says (a soft
// key file DATA/keys/ID-request-TIME.key, encrypted under the configured
// passphrase, or a key pair on the token) and writes a PKCS#10 request
// for it to out (PEM, never overwriting): the CA name of the
// configuration (ca.issuer_common_name and the ca name fields), with an
// extensionRequest for basicConstraints cA (pathLen 0), keyUsage
// (digitalSignature, keyCertSign, cRLSign) and subjectSignTool
// (ca.sign_tool). The root decides the rest. The second half is Import
// with the returned certificate and the key reference. Nothing is
// written when the data directory already holds a CA; a failure takes
// back the key it made.
func RequestIssuer(ctx context.Context, cfg config.Config, out string, logger *slog.Logger) (res *IssuerRequest, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	if err := checkNoCA(cfg.DataDir); err != nil {
		return nil, err
	}
	if out == "" {
		return nil, fmt.Errorf("cadir: init --csr: no output file")
	}
	if _, err := os.Lstat(out); err == nil {
		return nil, fmt.Errorf("cadir: init --csr: %s exists; give a new file name", out)
	}
	subject := cfg.CA.Name(cfg.CA.IssuerCommonName)
	if err := subject.Validate(); err != nil {
		return nil, fmt.Errorf("cadir: init --csr: the CA name: %w", err)
	}
	exts, err := issuerRequestExtensions(&cfg)
	if err != nil {
		return nil, err
	}
	kr := newKeyring(&cfg, logger)
	defer kr.close()
	km, err := newKeyMaker(ctx, &cfg, kr, logger)
	if err != nil {
		return nil, err
	}
	defer km.close()
	defer func() {
		if err != nil {
			err = km.undo(err)
		}
	}()
	id := issuerIDFor(cfg.CA.Curve)
	key, ref, err := km.newKey(id, id+"-request-"+km.stamp, cfg.CA.Curve)
	if err != nil {
		return nil, err
	}
	der, err := pkix.CreateCertificateRequest(rand.Reader, hsm.AsSigner(key), subject, exts)
	if err != nil {
		return nil, fmt.Errorf("cadir: init --csr: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	if err := atomicfile.Write(out, data, 0o644, true); err != nil {
		return nil, fmt.Errorf("cadir: init --csr: %w", err)
	}
	if ref.Type == KeyTypeSoft {
		// Import reads soft:PATH from wherever it is run.
		if ref.File, err = filepath.Abs(filepath.Join(cfg.DataDir, ref.File)); err != nil {
			return nil, fmt.Errorf("cadir: init --csr: %w", err)
		}
	}
	logger.Info("issuing CA key generated and request written", "request", out, "key", ref.String(), "curve", cfg.CA.Curve)
	return &IssuerRequest{KeyRef: ref.String(), CSR: data, GeneratedPassphrase: km.generatedPassphrase}, nil
}

// issuerRequestExtensions are what an issuing CA asks its root for.
func issuerRequestExtensions(cfg *config.Config) ([]pkix.Extension, error) {
	var exts []pkix.Extension
	for _, mk := range []func() (pkix.Extension, error){
		func() (pkix.Extension, error) { return pkix.MarshalBasicConstraints(true, 0) },
		func() (pkix.Extension, error) {
			return pkix.MarshalKeyUsage(pkix.KeyUsageDigitalSignature | pkix.KeyUsageCertSign | pkix.KeyUsageCRLSign)
		},
		func() (pkix.Extension, error) { return pkix.MarshalSubjectSignTool(cfg.CA.SignTool) },
	} {
		e, err := mk()
		if err != nil {
			return nil, fmt.Errorf("cadir: init --csr: %w", err)
		}
		exts = append(exts, e)
	}
	return exts, nil
}
