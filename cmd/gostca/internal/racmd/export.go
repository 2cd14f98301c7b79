package racmd

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
)

// Application is `gostca application export ID --out F`: the
// application's archive (GET /api/v1/applications/{id}/archive) from a
// running server, saved 0600 and checked: the manifest's format, every
// document's and the form's and certificate's SHA-256 and size against
// the files in the zip, and no file the manifest does not list. A failed
// check removes the download. The archive is built by the server (it
// audits the export), so the command needs --server.
func Application(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, "usage: gostca application export ID --out FILE --server URL --token-file F")
		return 2
	}
	fs := flag.NewFlagSet("application export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var r apiclient.Flags
	r.Register(fs)
	out := fs.String("out", "", "file to write the archive (zip) to; must not exist")
	pos, err := command.ParseFlags(fs, args[1:])
	if err != nil {
		return 2
	}
	if len(pos) != 1 || *out == "" {
		fmt.Fprintln(stderr, "gostca application export: give one application ID and --out FILE")
		return 2
	}
	if !r.Enabled() {
		fmt.Fprintln(stderr, "gostca application export: the running server builds the archive: give --server URL and --token-file F")
		return 2
	}
	if _, err := os.Lstat(*out); err == nil {
		fmt.Fprintf(stderr, "gostca application export: %s exists; choose a new file\n", *out)
		return 2
	}
	return command.WithServer(ctx, "application export", &r, stderr, func(c *apiclient.Client) error {
		m, err := exportArchive(ctx, c, pos[0], *out)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "application %s version %d: %d documents, %d history events, %d audit entries checked; written to %s\n",
			m.Application.ID, m.Application.Version, len(m.Documents), len(m.History), len(m.Audit), *out)
		return nil
	})
}

// maxArchiveBytes bounds a download (documents are ≤ 10 MiB each, at most
// 200 of them).
const maxArchiveBytes = 4 << 30

// exportArchive downloads the archive into a temporary file beside out,
// checks it and renames it to out.
func exportArchive(ctx context.Context, c *apiclient.Client, id, out string) (*raapi.ArchiveManifest, error) {
	path := "/api/v1/applications/" + url.PathEscape(id) + "/archive"
	body, err := c.Download(ctx, path)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	f, err := os.CreateTemp(filepath.Dir(out), ".gostca-export-*") // 0600
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	n, err := io.Copy(f, io.LimitReader(body, maxArchiveBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if n > maxArchiveBytes {
		return nil, fmt.Errorf("GET %s: the archive is larger than %d bytes", path, int64(maxArchiveBytes))
	}
	m, err := CheckArchive(f, n)
	if err != nil {
		return nil, fmt.Errorf("the downloaded archive fails its check (nothing written): %w", err)
	}
	if m.Application.ID != id {
		return nil, fmt.Errorf("the archive is of application %q, not %q", m.Application.ID, id)
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp, out); err != nil { // refuses an existing out
		return nil, err
	}
	ok = true
	os.Remove(tmp)
	return m, nil
}
