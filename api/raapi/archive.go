package raapi

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/appform"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/store"
)

// GET /api/v1/applications/{id}/archive: one application as a zip for
// the CA's archive or a court: manifest.json (the record, its whole
// history, the audit entries naming it or its certificate, the
// documents' metadata with SHA-256), every document file, the printed
// form and the issued certificate. Readers of applications may export
// (a service centre only its own); the export itself is audited.
//
// Everything small is gathered before the answer starts, so a refusal is
// an ordinary problem; the documents are then streamed from docstore
// into the zip one at a time (never held whole) and rehashed on the way:
// a file that no longer matches its SHA-256 aborts the archive, which is
// then unreadable rather than wrong.

// ArchiveFormat names the archive's layout in its manifest.
const ArchiveFormat = "gostca-application-archive/1"

// ArchiveManifest is manifest.json, the archive's first file.
type ArchiveManifest struct {
	Format      string            `json:"format"`
	ExportedAt  time.Time         `json:"exported_at"`
	ExportedBy  string            `json:"exported_by"`
	Application Application       `json:"application"`
	History     []EventJSON       `json:"history"`
	Audit       []wire.AuditEntry `json:"audit"`
	Documents   []ArchiveDocument `json:"documents"`
	Form        *ArchiveFile      `json:"form,omitempty"`
	Certificate *ArchiveFile      `json:"certificate,omitempty"`
}

// ArchiveDocument is one document in the manifest: its metadata and the
// name of its file in the archive.
type ArchiveDocument struct {
	DocumentJSON
	File string `json:"file"`
}

// ArchiveFile is a file of the archive with its digest.
type ArchiveFile struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// maxArchiveAudit bounds the audit entries one archive carries.
const maxArchiveAudit = 100_000

// ApplicationArchive serves GET …/archive.
func (s *API) ApplicationArchive(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	c, cancel := s.callCtx()
	defer cancel()
	actor := appActor(p)
	a, err := s.e.RA().Get(c, actor, string(id))
	if err != nil {
		return err
	}
	if err := s.e.Audit(c, p.Actor(), "application_export", "application:"+a.ID,
		fmt.Sprintf("archive of version %d", a.Version)); err != nil {
		return fmt.Errorf("auditing the export: %w", err)
	}
	evs, err := s.e.RA().History(c, actor, a.ID)
	if err != nil {
		return err
	}
	if uint64(len(evs)) > a.Version { // changed since it was read: the history of the version exported
		evs = evs[:a.Version]
	}
	m := ArchiveManifest{Format: ArchiveFormat, ExportedAt: time.Now().UTC(), ExportedBy: p.Actor(),
		Application: applicationJSON(a), History: make([]EventJSON, 0, len(evs)), Audit: []wire.AuditEntry{},
		Documents: make([]ArchiveDocument, 0, len(a.Documents))}
	for _, e := range evs {
		m.History = append(m.History, eventJSON(e))
	}
	if m.Audit, err = s.auditNaming(c, a); err != nil {
		return err
	}
	for i, d := range a.Documents {
		m.Documents = append(m.Documents, ArchiveDocument{DocumentJSON: m.Application.Documents[i],
			File: "documents/" + d.ID + "-" + d.Type + extension(d.ContentType)})
	}
	type extra struct {
		name string
		data []byte
	}
	var extras []extra
	add := func(name string, data []byte) *ArchiveFile {
		extras = append(extras, extra{name, data})
		sum := sha256.Sum256(data)
		return &ArchiveFile{File: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}
	}
	if f := s.formOf(a); f.Owner.Surname != "" && f.Owner.GivenName != "" {
		if res, err := appform.Render(f); err == nil {
			m.Form = add("application-form.pdf", res.PDF)
		}
	}
	if len(a.Serial) > 0 {
		rec, err := s.e.Certificate(c, p, a.Serial)
		if err != nil {
			return fmt.Errorf("application %s certificate: %w", a.ID, err)
		}
		m.Certificate = add("certificate-"+ca.FormatSerial(a.Serial)+".cer", rec.DER)
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	docs := a.Documents
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/zip")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="application-`+a.ID+`.zip"`)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		z := zip.NewWriter(w)
		err := func() error {
			if err := zipFile(z, "manifest.json", zip.Deflate, m.ExportedAt, bytes.NewReader(manifest), nil); err != nil {
				return err
			}
			for i, d := range docs {
				f, err := s.e.Documents().Open(d.SHA256)
				if err != nil {
					return err
				}
				err = zipFile(z, m.Documents[i].File, zip.Store, d.AddedAt, f, &d.SHA256)
				f.Close()
				if err != nil {
					return fmt.Errorf("document %s: %w", d.ID, err)
				}
			}
			for _, e := range extras {
				if err := zipFile(z, e.name, zip.Store, m.ExportedAt, bytes.NewReader(e.data), nil); err != nil {
					return err
				}
			}
			return z.Close()
		}()
		if err != nil {
			// The status is sent: the archive stays without its central
			// directory, which no unzip accepts.
			s.log.Error("application archive aborted", "application", a.ID, "err", err)
		}
	})
	return nil
}

// zipFile copies r into the archive as name; with want, the content must
// hash to it.
func zipFile(z *zip.Writer, name string, method uint16, mod time.Time, r io.Reader, want *[32]byte) error {
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: mod.UTC()})
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		return err
	}
	if want != nil && !bytes.Equal(h.Sum(nil), want[:]) {
		return fmt.Errorf("%s no longer matches its SHA-256 %x (restore it from a backup)", name, *want)
	}
	return nil
}

// auditNaming collects the audit entries of the application (subject
// "application:<id>") and of its certificate (the entries carrying its
// serial), in log order.
func (s *API) auditNaming(c context.Context, a *store.Application) ([]wire.AuditEntry, error) {
	out := []wire.AuditEntry{}
	subject := "application:" + a.ID
	cursor := ""
	for {
		page, next, err := s.e.AuditEntries(c, cursor, 1000)
		if err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		for i := range page {
			e := &page[i]
			if e.Subject == subject || (len(a.Serial) > 0 && bytes.Equal(e.Serial, a.Serial)) {
				if len(out) == maxArchiveAudit {
					return nil, fmt.Errorf("application %s: more than %d audit entries", a.ID, maxArchiveAudit)
				}
				out = append(out, wire.AuditEntryJSON(e))
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
