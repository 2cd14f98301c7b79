package certcmd

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
	"github.com/gostca/gostca/publish"
)

// The root CRL in `gostca crl`: signed with the root key where this CA
// holds it, else uploaded (--upload-root FILE) from the offline root.

// printCRL is the line `gostca crl` prints for each CRL it generated.
func printCRL(w io.Writer, id string, number string, entries, size int, next string) {
	fmt.Fprintf(w, "%s: CRL number %s, %d entries, %d bytes, next update %s\n", id, number, entries, size, next)
}

// uploadRootCRL is `gostca crl --upload-root FILE`, locally or over the API.
func uploadRootCRL(ctx context.Context, c *command.Common, r *apiclient.Flags, file string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "gostca crl: %v\n", err)
		return 1
	}
	if r.Enabled() {
		return command.WithServer(ctx, "crl", r, stderr, func(cl *apiclient.Client) error {
			body := api.RootCRLUpload{CRL: string(data)}
			if !strings.Contains(body.CRL, "-----BEGIN") {
				body.CRL = base64.StdEncoding.EncodeToString(data)
			}
			var out api.CRLInfo
			if err := cl.Do(ctx, "POST", "/api/v1/issuers/root/crl", &body, &out); err != nil {
				return err
			}
			printCRL(stdout, out.Issuer, out.Number, out.Entries, out.Size, out.NextUpdate.UTC().Format("2006-01-02T15:04:05Z"))
			return nil
		})
	}
	return command.WithCA(ctx, "crl", c, stderr, func(e *ca.CA) error {
		f, err := e.Publisher().UploadRootCRL(ctx, command.Actor(), data)
		if err != nil {
			return err
		}
		printCRL(stdout, f.Issuer, f.Number.String(), f.Entries, f.Size(), f.NextUpdate.UTC().Format("2006-01-02T15:04:05Z"))
		return nil
	})
}

// localRootCRL signs the root CRL when the root key is online, or
// takes the uploaded one, and writes it to outDir when given.
func localRootCRL(ctx context.Context, e *ca.CA, outDir string, stdout io.Writer) error {
	pub := e.Publisher()
	var f *publish.CRLFile
	var err error
	if pub.RootKeyOnline() {
		if f, err = pub.GenerateRootCRL(ctx, command.Actor()); err != nil {
			return err
		}
		printCRL(stdout, f.Issuer, f.Number.String(), f.Entries, f.Size(), f.NextUpdate.UTC().Format("2006-01-02T15:04:05Z"))
	} else if f, err = pub.RootCRL(ctx); caerr.CodeOf(err) == caerr.CodeCRLNotFound {
		fmt.Fprintln(stdout, "root: key offline and no root CRL uploaded (gostca crl --upload-root FILE)")
		return nil
	} else if err != nil {
		return err
	}
	if outDir == "" {
		return nil
	}
	return writeCRLFile(outDir, "root.crl", f.DER)
}

// remoteRootCRL is localRootCRL over the API.
func remoteRootCRL(ctx context.Context, cl *apiclient.Client, outDir string, stdout io.Writer) error {
	f, err := cl.GenerateCRL(ctx, "root")
	var pe *apiclient.ProblemError
	switch {
	case errors.As(err, &pe) && pe.Problem.Code == caerr.CodeInvalidTransition:
		// An offline root: its uploaded CRL is served as it is.
	case err != nil:
		return err
	default:
		printCRL(stdout, f.Issuer, f.Number, f.Entries, f.Size, f.NextUpdate.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if outDir == "" {
		return nil
	}
	der, err := cl.Fetch(ctx, "/crl/root.crl")
	if err != nil {
		if errors.Is(err, apiclient.ErrNotFound) {
			fmt.Fprintln(stdout, "root: key offline and no root CRL uploaded (gostca crl --upload-root FILE)")
			return nil
		}
		return err
	}
	return writeCRLFile(outDir, "root.crl", der)
}
