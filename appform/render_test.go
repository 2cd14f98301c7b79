package appform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sample is a made-up employee of a made-up organisation (checksums of
// SNILS and INNs valid).
func sample() Form {
	return Form{
		ApplicationID: "app-7f3c21",
		CAName:        "ООО «Тестовый удостоверяющий центр»",
		CertType:      "employee",
		CertTitle:     "Квалифицированный сертификат сотрудника организации",
		CertProfile:   "qualified-employee",
		Centre:        "sc-kazan-01",
		Owner: Owner{
			Surname: "Фёдорова-Ёлкина", GivenName: "Алёна", Patronymic: "Сергеевна",
			Sex:         SexFemale,
			BirthDate:   day(1990, time.March, 7),
			BirthPlace:  "гор. Йошкар-Ола Марийской АССР",
			Citizenship: "RU",
			IDDoc: IdentityDocument{
				Type: IDRussianPassport, Series: "4510", Number: "123456",
				IssuedOn:   day(2010, time.April, 1),
				Issuer:     "Отделом УФМС России по городу Москве по району Хамовники",
				IssuerCode: "770-001",
			},
			SNILS:    "11223344595",
			INN:      "500100732259",
			Email:    "alena@example.org",
			Phone:    "+79161234567",
			Position: "Главный бухгалтер",
		},
		Org: &Organisation{
			Name: "ООО «Ромашка»", INN: "7707083893", KPP: "770701001", OGRN: "1027700132195",
			Address: "г. Москва, ул. Примерная, д. 1",
		},
		Date: time.Date(2026, time.December, 3, 9, 30, 0, 0, time.UTC),
	}
}

func render(t testing.TB, f Form) Result {
	t.Helper()
	r, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// poppler returns the path of a poppler tool: skipped locally when
// absent, a failure under CI=true (.ci/run installs poppler-utils).
func poppler(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found in CI (install poppler-utils): %v", tool, err)
		}
		t.Skipf("%s not installed (apt-get install poppler-utils)", tool)
	}
	return p
}

// pdftext extracts the text of pdf with pdftotext, the independent
// oracle: it must parse the file and map the embedded glyphs back to
// Unicode.
func pdftext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	bin := poppler(t, "pdftotext")
	in := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, append(append([]string{}, args...), in, "-")...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	return string(out)
}

func TestRenderText(t *testing.T) {
	f := sample()
	r := render(t, f)
	if !bytes.HasPrefix(r.PDF, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := pdftext(t, r.PDF)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"ЗАЯВЛЕНИЕ",
		"Фёдорова-Ёлкина Алёна Сергеевна", // Ё and ё kept, hyphen kept
		"Фёдорова-Ёлкина А. С.",           // signature line
		"07.03.1990",
		"гор. Йошкар-Ола Марийской АССР",
		"паспорт гражданина Российской Федерации",
		"4510 № 123456",
		"770-001",
		"112-233-445 95",
		"500100732259",
		"alena@example.org",
		"+79161234567",
		"Главный бухгалтер",
		"ООО «Ромашка»",
		"7707083893", "770701001", "1027700132195",
		"Квалифицированный сертификат сотрудника организации",
		"qualified-employee",
		"app-7f3c21",
		"152-ФЗ «О персональных данных»",
		"Подпись заявителя",
		"ООО «Тестовый удостоверяющий центр»",
		hex.EncodeToString(r.DataSHA256[:]),
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("pdftotext output:\n%s", text)
	}
	if r.DataSHA256 != sha256.Sum256(f.Data()) {
		t.Fatal("DataSHA256 is not the hash of Data")
	}
	// pdfinfo: one A4 page (consent and signature on the sheet with the
	// data), the fonts embedded, no syntax errors.
	info := strings.Join(strings.Fields(popplerRun(t, "pdfinfo", r.PDF)), " ")
	for _, want := range []string{"Pages: 1 ", "Page size: 595.28 x 841.89 pts (A4)", "CreationDate: Thu Dec 3 09:30:00 2026 UTC"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q: %s", want, info)
		}
	}
	embedded := 0
	for _, l := range strings.Split(popplerRun(t, "pdffonts", r.PDF), "\n") {
		if f := strings.Fields(l); len(f) >= 5 && f[0] == "DejaVuSans" && f[4] == "yes" {
			embedded++
		}
	}
	if embedded != 2 {
		t.Errorf("pdffonts: %d embedded DejaVuSans fonts, want 2 (regular and bold)", embedded)
	}
}

// popplerRun runs a poppler tool on pdf and returns its output; anything
// on stderr (syntax errors) fails the test.
func popplerRun(t *testing.T, tool string, pdf []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(poppler(t, tool), in)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	return string(out)
}

// Without organisation, patronymic or optional fields, nothing of them is
// printed (no empty "Сведения об организации" block, no stray "О.").
func TestRenderNaturalPersonMinimal(t *testing.T) {
	f := sample()
	f.Org = nil
	f.CAName = ""
	f.Owner.Patronymic = ""
	f.Owner.Position = ""
	f.Replaces = "7a1f00c3"
	text := strings.Join(strings.Fields(pdftext(t, render(t, f).PDF)), " ")
	for _, absent := range []string{"Сведения об организации", "Должность", "Ромашка", "удостоверяющий центр ООО"} {
		if strings.Contains(text, absent) {
			t.Errorf("text contains %q", absent)
		}
	}
	for _, want := range []string{"Фёдорова-Ёлкина Алёна", "/ Фёдорова-Ёлкина А. /", "взамен сертификата с серийным номером 7a1f00c3"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	a, b := render(t, sample()), render(t, sample())
	if !bytes.Equal(a.PDF, b.PDF) {
		t.Fatal("two renders of the same form differ")
	}
	f := sample()
	f.Owner.SNILS = "11223344596"
	c := render(t, f)
	if bytes.Equal(a.PDF, c.PDF) || a.DataSHA256 == c.DataSHA256 {
		t.Fatal("a changed SNILS changed neither the PDF nor the data hash")
	}
	// The creation date is the form's date, not the clock.
	if !bytes.Contains(a.PDF, []byte("/CreationDate(D:20261203093000")) {
		t.Fatal("the creation date is not Form.Date")
	}
}

// A long value wraps and a long form flows onto a second page; every
// word still reaches the text.
func TestRenderLongValues(t *testing.T) {
	f := sample()
	f.Owner.BirthPlace = strings.Repeat("село Верхнее Ёлкино Нижнеудинского района Иркутской области ", 30) + "КОНЕЦ"
	r := render(t, f)
	text := pdftext(t, r.PDF)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"КОНЕЦ", "Подпись заявителя", "Лист 2"} {
		if !strings.Contains(flat, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if n := strings.Count(text, "\f"); n < 2 {
		t.Errorf("%d pages, want at least 2", n)
	}
}

func TestRenderRefusesIncomplete(t *testing.T) {
	f := sample()
	f.ApplicationID, f.Owner.Surname, f.Date = "", "", time.Time{}
	_, err := Render(f)
	if err == nil {
		t.Fatal("rendered a form without id, surname and date")
	}
	for _, w := range []string{"application id", "owner surname", "form date"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
	// A character the font lacks is refused, not printed as nothing.
	f = sample()
	f.Owner.BirthPlace = "Пекин 北京"
	if _, err := Render(f); err == nil || !strings.Contains(err.Error(), "U+5317") {
		t.Fatalf("a character missing from the font: %v", err)
	}
	f = sample()
	f.Owner.IDDoc.Type = 9
	if _, err := Render(f); err == nil {
		t.Fatal("unknown identity document type accepted")
	}
}

func TestData(t *testing.T) {
	f := sample()
	d := string(f.Data())
	for _, want := range []string{
		"layout=" + layoutVersion + "\n",
		"application=app-7f3c21\n",
		"owner.full_name=Фёдорова-Ёлкина Алёна Сергеевна\n",
		"owner.snils=112-233-445 95\n",
		"org.inn=7707083893\n",
		"date=03.12.2026\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("Data lacks %q", want)
		}
	}
	if !strings.HasPrefix(d, "layout=") {
		t.Error("Data does not start with the layout version")
	}
	// A line break inside a value cannot forge another line.
	f.Owner.BirthPlace = "Москва\norg.inn=0000000000"
	if strings.Contains(string(f.Data()), "\norg.inn=0000000000") {
		t.Error("a value's line break made a line of its own")
	}
}

// TestRenderPNG writes the first page as PNG for a person to look at when
// APPFORM_PNG names a directory (not run otherwise).
func TestRenderPNG(t *testing.T) {
	dir := os.Getenv("APPFORM_PNG")
	if dir == "" {
		t.Skip("set APPFORM_PNG=dir to write the first page as PNG")
	}
	bin := poppler(t, "pdftoppm")
	in := filepath.Join(dir, "form.pdf")
	if err := os.WriteFile(in, render(t, sample()).PDF, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-png", "-r", "100", "-f", "1", "-l", "1", in, filepath.Join(dir, "form")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
}

func BenchmarkRender(b *testing.B) {
	f := sample()
	for b.Loop() {
		if _, err := Render(f); err != nil {
			b.Fatal(err)
		}
	}
}
