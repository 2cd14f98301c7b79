package certcmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
)

// CRL is `gostca crl`: every issuing CA's CRL generated now (and the
// root's, see rootcrl.go), one line each; with --out, every published CRL
// also written under a directory as the server serves it.
func CRL(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c, r := command.NewRemoteFlagSet("crl", stderr)
	outDir := fs.String("out", "", "also write every published CRL under DIR as the server serves it under /crl/ (ISSUER.crl, ISSUER-delta.crl, ISSUER/P.crl, ISSUER/P-delta.crl)")
	uploadRoot := fs.String("upload-root", "", "adopt FILE (PEM or DER), a CRL the offline root signed, as /crl/root.crl (checked against the root certificate first)")
	if _, err := command.ParseFlags(fs, args); err != nil {
		return 2
	}
	if *uploadRoot != "" {
		return uploadRootCRL(ctx, c, r, *uploadRoot, stdout, stderr)
	}
	if r.Enabled() {
		return command.WithServer(ctx, "crl", r, stderr, func(cl *apiclient.Client) error {
			if err := remoteRootCRL(ctx, cl, *outDir, stdout); err != nil {
				return err
			}
			iss, err := cl.Issuers(ctx)
			if err != nil {
				return err
			}
			for _, is := range iss {
				f, err := cl.GenerateCRL(ctx, is.ID)
				if err != nil {
					return err
				}
				printCRL(stdout, f.Issuer, f.Number, f.Entries, f.Size, f.NextUpdate.UTC().Format("2006-01-02T15:04:05Z"))
				if *outDir == "" {
					continue
				}
				for _, path := range is.CRLs {
					der, err := cl.Fetch(ctx, path)
					if err != nil {
						return err
					}
					if err := writeCRLFile(*outDir, strings.TrimPrefix(path, "/crl/"), der); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	return command.WithCA(ctx, "crl", c, stderr, func(e *ca.CA) error {
		if err := localRootCRL(ctx, e, *outDir, stdout); err != nil {
			return err
		}
		for _, is := range e.Issuers() {
			f, err := e.Publisher().GenerateCRL(ctx, command.Actor(), is.ID)
			if err != nil {
				return err
			}
			printCRL(stdout, is.ID, f.Number.String(), f.Entries, f.Size(), f.NextUpdate.Format("2006-01-02T15:04:05Z"))
			if *outDir == "" {
				continue
			}
			all, err := e.Publisher().PublishedCRLs(ctx, is.ID)
			if err != nil {
				return err
			}
			for _, c := range all {
				der, err := c.File.ReadDER()
				if err != nil {
					return err
				}
				if err := writeCRLFile(*outDir, c.Path, der); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// writeCRLFile writes a CRL at DIR/path (path as under /crl/, e.g.
// "gost256/3-delta.crl"), creating the issuer's partition folder.
func writeCRLFile(dir, path string, der []byte) error {
	if path == "" || strings.Contains(path, "..") || filepath.IsAbs(path) {
		return fmt.Errorf("refusing to write CRL path %q", path)
	}
	full := filepath.Join(dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, der, 0o644)
}
