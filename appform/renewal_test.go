package appform

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/pkix/cms"
)

// renewalSample renews the sample's certificate; the owner's e-mail and
// passport have changed since.
func renewalSample() RenewalForm {
	f := sample()
	f.ApplicationID = "ren-19d0aa"
	f.Replaces = "4f1c2a9b7e0d33a1c5b8e6f9a2d4c7e1"
	f.Owner.Email = "alena.new@example.org"
	f.Owner.IDDoc.Series, f.Owner.IDDoc.Number = "4520", "654321"
	return RenewalForm{
		Form:             f,
		CurrentNotBefore: time.Date(2026, time.February, 1, 8, 0, 0, 0, time.UTC),
		CurrentNotAfter:  time.Date(2027, time.May, 1, 8, 0, 0, 0, time.UTC),
		CurrentIssuer:    "ООО «Тестовый удостоверяющий центр»",
	}
}

func renderRenewal(t testing.TB, r RenewalForm) Result {
	t.Helper()
	res, err := RenderRenewal(r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRenewalText(t *testing.T) {
	r := renewalSample()
	res := renderRenewal(t, r)
	text := pdftext(t, res.PDF)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"ЗАЯВЛЕНИЕ",
		"взамен действующего",
		"Фёдорова-Ёлкина Алёна Сергеевна",
		"alena.new@example.org",
		"4520 № 654321",
		"112-233-445 95",
		"ООО «Ромашка»",
		"Действующий сертификат",
		"4f1c2a9b7e0d33a1c5b8e6f9a2d4c7e1",
		"с 01.02.2026 по 01.05.2027",
		"личность владельца установлена без его личного присутствия",
		"152-ФЗ «О персональных данных»",
		"Подписано квалифицированной электронной подписью владельца сертификата № 4f1c2a9b7e0d33a1c5b8e6f9a2d4c7e1",
		"/ Фёдорова-Ёлкина А. С. /",
		"ren-19d0aa",
		hex.EncodeToString(res.DataSHA256[:]),
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the renewal PDF text lacks %q", want)
		}
	}
	// Nothing of the ink form's signature block.
	for _, absent := range []string{"Подпись заявителя", "собственноручно", "20____ г."} {
		if strings.Contains(flat, absent) {
			t.Errorf("the renewal PDF text contains %q", absent)
		}
	}
	if t.Failed() {
		t.Logf("pdftotext output:\n%s", text)
	}
	info := strings.Join(strings.Fields(popplerRun(t, "pdfinfo", res.PDF)), " ")
	if want := "Title: Заявление на замену квалифицированного сертификата № ren-19d0aa"; !strings.Contains(info, want) {
		t.Errorf("pdfinfo lacks %q: %s", want, info)
	}
	// The statement and the signature block share the last sheet.
	pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
	last := strings.Join(strings.Fields(pages[len(pages)-1]), " ")
	for _, want := range []string{"Прошу создать и выдать", "Подписано квалифицированной электронной подписью"} {
		if !strings.Contains(last, want) {
			t.Errorf("the last page lacks %q", want)
		}
	}
	// A natural person's renewal fits on one sheet.
	r.Org, r.Owner.Position, r.CAName = nil, "", ""
	person := strings.Join(strings.Fields(popplerRun(t, "pdfinfo", renderRenewal(t, r).PDF)), " ")
	if !strings.Contains(person, "Pages: 1 ") {
		t.Errorf("a natural person's renewal: %s", person)
	}
}

func TestRenewalDeterministic(t *testing.T) {
	a, b := renderRenewal(t, renewalSample()), renderRenewal(t, renewalSample())
	if !bytes.Equal(a.PDF, b.PDF) || a.DataSHA256 != b.DataSHA256 {
		t.Fatal("two renders of the same renewal form differ")
	}
	for name, edit := range map[string]func(*RenewalForm){
		"e-mail":  func(r *RenewalForm) { r.Owner.Email = "other@example.org" },
		"serial":  func(r *RenewalForm) { r.Replaces = "01" },
		"expiry":  func(r *RenewalForm) { r.CurrentNotAfter = r.CurrentNotAfter.AddDate(0, 0, 1) },
		"surname": func(r *RenewalForm) { r.Owner.Surname = "Фёдорова" },
	} {
		r := renewalSample()
		edit(&r)
		c := renderRenewal(t, r)
		if bytes.Equal(a.PDF, c.PDF) || a.DataSHA256 == c.DataSHA256 {
			t.Errorf("a changed %s changed neither the PDF nor the data hash", name)
		}
	}
	// The renewal form is not the issuance form of the same data.
	r := renewalSample()
	if bytes.Equal(r.Data(), r.Form.Data()) || bytes.Equal(renderRenewal(t, r).PDF, render(t, r.Form).PDF) {
		t.Fatal("renewal and issuance forms coincide")
	}
}

func TestRenewalData(t *testing.T) {
	r := renewalSample()
	d := string(r.Data())
	if !strings.HasPrefix(d, "layout="+renewalLayoutVersion+"\n") {
		t.Errorf("Data does not start with the renewal layout: %q", d[:40])
	}
	for _, want := range []string{
		"application=ren-19d0aa\n",
		"cert.kind=создание сертификата взамен сертификата с серийным номером 4f1c2a9b7e0d33a1c5b8e6f9a2d4c7e1\n",
		"current.serial=4f1c2a9b7e0d33a1c5b8e6f9a2d4c7e1\n",
		"current.validity=с 01.02.2026 по 01.05.2027\n",
		"owner.email=alena.new@example.org\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("Data lacks %q", want)
		}
	}
}

func TestRenewalRefusesIncomplete(t *testing.T) {
	r := renewalSample()
	r.Replaces, r.CurrentNotAfter, r.Owner.Surname = "", time.Time{}, ""
	_, err := RenderRenewal(r)
	if err == nil {
		t.Fatal("rendered a renewal without serial, expiry and surname")
	}
	for _, w := range []string{"serial of the certificate being renewed", "expiry of the certificate being renewed", "owner surname"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
	r = renewalSample()
	r.Replaces = "01\n02"
	if _, err := RenderRenewal(r); err == nil {
		t.Error("a serial with a line break rendered")
	}
}

// The renewal PDF's bytes are what the subscriber signs: OpenSSL signs
// them detached as CAdES-BES, pkix/cms verifies the signature against the
// form rendered again, and a form rendered from other data does not
// verify.
func TestRenewalSignedDetached(t *testing.T) {
	o := openssltest.Gost(t)
	dir := t.TempDir()
	key, cert := dir+"/holder.key", dir+"/holder.pem"
	o.Run(t, "req", "-x509", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes", "-keyout", key, "-out", cert,
		"-days", "30", "-subj", "/CN=Фёдорова-Ёлкина Алёна Сергеевна/SNILS=11223344595/INN=500100732259", "-utf8")
	pdf := openssltest.WriteFile(t, "renewal.pdf", renderRenewal(t, renewalSample()).PDF)
	sig := o.Run(t, "cms", "-sign", "-binary", "-cades", "-in", pdf, "-signer", cert, "-inkey", key, "-outform", "DER")
	got, err := cms.Verify(sig, cms.VerifyOptions{Content: renderRenewal(t, renewalSample()).PDF})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Detached {
		t.Error("signature not detached")
	}
	changed := renewalSample()
	changed.Owner.Email = "forged@example.org"
	if _, err := cms.Verify(sig, cms.VerifyOptions{Content: renderRenewal(t, changed).PDF}); !errors.Is(err, cms.ErrDigestMismatch) {
		t.Errorf("a form with other data verified: %v", err)
	}
}
