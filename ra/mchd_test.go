package ra_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/mchdtest"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/ra/mchd"
	"github.com/gostca/gostca/store"
)

// memDocs is a document store in memory.
type memDocs map[[32]byte][]byte

func (m memDocs) Open(sum [32]byte) (io.ReadSeekCloser, error) {
	b, ok := m[sum]
	if !ok {
		return nil, errors.New("no such document")
	}
	return struct {
		io.ReadSeeker
		io.Closer
	}{bytes.NewReader(b), io.NopCloser(nil)}, nil
}

func (m memDocs) input(typ, contentType string, data []byte) ra.DocumentInput {
	sum := sha256.Sum256(data)
	m[sum] = data
	return ra.DocumentInput{Type: typ, SHA256: sum, Size: int64(len(data)), ContentType: contentType}
}

// TestMCHDAtSubmitAndApproval: an employee application's МЧД is checked
// from the document store at submission and again at approval: a
// printout alone is no МЧД, a signature over other content refuses the
// submission without writing anything, the valid pair submits, and an
// МЧД that expired while the application waited refuses the approval.
// XML and signatures are refused for other document types.
func TestMCHDAtSubmitAndApproval(t *testing.T) {
	o := openssltest.Gost(t)
	h := ratest.New(t)
	docs := memDocs{}
	var err error
	h.Svc, err = ra.New(h.St, h.CA, ra.Options{Logger: slog.New(slog.DiscardHandler), Documents: docs,
		Now: h.Now})
	if err != nil {
		t.Fatal(err)
	}
	g := mchdtest.Romashka
	org := &store.Organisation{Name: g.Name, INN: g.INN, KPP: g.KPP, OGRN: g.OGRN, Region: "77 г. Москва", Locality: "Москва", Street: "ул. Тестовая, д. 5"}
	a := h.Create(t, "employee", g.INN)
	o2 := ratest.Owner()
	o2.Position = "Главный бухгалтер"
	a = h.Must(t)(h.Svc.UpdateData(ctx, ratest.ScActor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: o2}))
	a = h.Confirm(t, a, appdata.CheckEGRUL, org)
	a = h.Confirm(t, a, appdata.CheckSNILS, nil)
	a = h.Confirm(t, a, appdata.CheckINN, nil)
	for i, typ := range []string{appdata.DocPassport, appdata.DocSignedApplication} {
		a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, ratest.Doc(typ, i)))
	}

	rep := mchdtest.Person{Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: ratest.SNILS, INN: ratest.INN}
	d := mchdtest.Valid(rep, ratest.T0)
	d.Until = ratest.T0.AddDate(0, 0, 10)
	xml := d.XML()
	head := mchdtest.NewSigner(t, o, mchdtest.HeadPetr, mchdtest.Romashka)
	sig := head.Sign(t, xml)
	other := d
	other.Number = "другая"

	_, err = h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, docs.input(appdata.DocPassport, mchd.ContentTypeXML, xml))
	if e := (*ra.Error)(nil); !errors.As(err, &e) || e.Code != ra.CodeInvalidData || !strings.Contains(e.Fields[0].Problem, "only as type mchd") {
		t.Fatalf("XML as a passport: %v", err)
	}

	// A printout alone does not count as the МЧД.
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, ratest.Doc(appdata.DocMCHD, 7)))
	_, err = h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version)
	if e := (*ra.Error)(nil); !errors.As(err, &e) || e.Code != ra.CodeIncomplete || !strings.Contains(strings.Join(e.Missing, ";"), "counts by its XML") {
		t.Fatalf("submission with a printout only: %v", err)
	}
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, docs.input(appdata.DocMCHD, mchd.ContentTypeXML, xml)))
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, docs.input(appdata.DocMCHD, mchd.ContentTypeCMS, head.Sign(t, other.XML()))))
	seq, _, _ := h.St.AuditHead(ctx)
	_, err = h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version)
	if e := (*ra.Error)(nil); !errors.As(err, &e) || e.Code != ra.CodeInvalidData || e.Fields[0].Field != "mchd" ||
		!strings.Contains(e.Fields[0].Problem, "over other content") {
		t.Fatalf("submission with a signature over other content: %v", err)
	}
	if s, _, _ := h.St.AuditHead(ctx); s != seq {
		t.Fatalf("the refused submission moved the audit head %d → %d", seq, s)
	}
	if got := h.Must(t)(h.Svc.Get(ctx, ratest.ScActor, a.ID)); got.Version != a.Version || got.State != store.AppFilling {
		t.Fatalf("the refused submission changed the application: %d %s", got.Version, got.State)
	}
	a = h.Must(t)(h.Svc.RemoveDocument(ctx, ratest.ScActor, a.ID, a.Version, a.Documents[len(a.Documents)-1].ID))
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, docs.input(appdata.DocMCHD, mchd.ContentTypeCMS, sig)))
	a = h.Must(t)(h.Svc.Submit(ctx, ratest.ScActor, a.ID, a.Version))

	a = h.Must(t)(h.Svc.Claim(ctx, ratest.Op1, a.ID, a.Version))
	a = h.Must(t)(h.Svc.Approve(ctx, ratest.Op1, a.ID, a.Version))
	h.Advance(11 * 24 * time.Hour)
	a = h.Must(t)(h.Svc.Claim(ctx, ratest.Op2, a.ID, a.Version))
	_, err = h.Svc.Approve(ctx, ratest.Op2, a.ID, a.Version)
	if e := (*ra.Error)(nil); !errors.As(err, &e) || e.Code != ra.CodeInvalidData || !strings.Contains(e.Fields[0].Problem, "expired on "+d.Until.Format(time.DateOnly)) {
		t.Fatalf("approval after the МЧД expired: %v", err)
	}
}
