package certcmd

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gostca/gostca/api"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/command"
)

// listFilters are the flags of `gostca list`, as the query parameters of
// GET /api/v1/certificates.
type listFilters struct {
	status, issuer, profile, centre, since, until string
	limit                                         int
}

func (f *listFilters) register(fs *flag.FlagSet) {
	fs.StringVar(&f.status, "status", "", "valid, revoked or on_hold")
	fs.StringVar(&f.issuer, "issuer", "", "issuing CA id (gostca list shows them in its second column)")
	fs.StringVar(&f.profile, "profile", "", "profile, e.g. qualified-person")
	fs.StringVar(&f.centre, "centre", "", "service centre id")
	fs.StringVar(&f.since, "since", "", "issued at or after: a date (2026-12-01) or an RFC 3339 time")
	fs.StringVar(&f.until, "until", "", "issued before: a date or an RFC 3339 time")
	fs.IntVar(&f.limit, "max", 0, "stop after this many certificates (0: all)")
}

// query is the API form of the filters.
func (f *listFilters) query() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"status": f.status, "issuer": f.issuer, "profile": f.profile,
		"service_centre": f.centre, "since": f.since, "until": f.until} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// search is the library form of the filters.
func (f *listFilters) search() (ca.SearchQuery, error) {
	q := ca.SearchQuery{Status: f.status, Issuer: f.issuer, Profile: f.profile, Centre: f.centre}
	var err error
	if f.since != "" {
		if q.Since, err = api.ParseDateParam(f.since); err != nil {
			return q, fmt.Errorf("--since: %w", err)
		}
	}
	if f.until != "" {
		if q.Until, err = api.ParseDateParam(f.until); err != nil {
			return q, fmt.Errorf("--until: %w", err)
		}
	}
	return q, nil
}

const listHeader = "SERIAL\tISSUER\tPROFILE\tSTATUS\tNOT_BEFORE\tNOT_AFTER\tCENTRE"

func listLine(w io.Writer, serial, issuer, profile, status string, nb, na time.Time, centre string) {
	if centre == "" {
		centre = "-"
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", serial, issuer, profile, status,
		nb.UTC().Format(time.RFC3339), na.UTC().Format(time.RFC3339), centre)
}

// List is `gostca list`: every certificate through the filters, one
// tab-separated line each, following the cursors to the end.
func List(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c, r := command.NewRemoteFlagSet("list", stderr)
	var f listFilters
	f.register(fs)
	pos, err := command.ParseFlags(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "gostca list: unexpected argument %q (filters are flags: --status, --issuer, --profile, --centre, --since, --until)\n", pos[0])
		return 2
	}
	sq, err := f.search()
	if err != nil {
		fmt.Fprintf(stderr, "gostca list: %v\n", err)
		return 2
	}
	shown := 0
	more := func() bool { return f.limit <= 0 || shown < f.limit }
	if r.Enabled() {
		return command.WithServer(ctx, "list", r, stderr, func(cl *apiclient.Client) error {
			q := f.query()
			fmt.Fprintln(stdout, listHeader)
			for more() {
				var page api.CertificatePage
				if err := cl.Do(ctx, http.MethodGet, "/api/v1/certificates?"+q.Encode(), nil, &page); err != nil {
					return err
				}
				for _, it := range page.Items {
					if !more() {
						break
					}
					listLine(stdout, it.Serial, it.Issuer, it.Profile, it.Status, it.NotBefore, it.NotAfter, it.ServiceCentre)
					shown++
				}
				if page.NextCursor == "" {
					break
				}
				q.Set("cursor", page.NextCursor)
			}
			fmt.Fprintln(stderr, countLine(shown))
			return nil
		})
	}
	return command.WithCA(ctx, "list", c, stderr, func(e *ca.CA) error {
		fmt.Fprintln(stdout, listHeader)
		for more() {
			page, next, err := e.FindCertificates(ctx, command.Principal(), sq)
			if err != nil {
				return err
			}
			for i := range page {
				if !more() {
					break
				}
				rec := &page[i]
				listLine(stdout, ca.FormatSerial(rec.Serial), rec.IssuerID, rec.Profile, ca.StateName(rec.Status.State), rec.NotBefore, rec.NotAfter, rec.Centre)
				shown++
			}
			if next == "" {
				break
			}
			sq.Cursor = next
		}
		fmt.Fprintln(stderr, countLine(shown))
		return nil
	})
}

func countLine(n int) string {
	if n == 1 {
		return "1 certificate"
	}
	return fmt.Sprintf("%d certificates", n)
}
