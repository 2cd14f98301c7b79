package appform

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/signintech/gopdf"
)

//go:embed fonts/DejaVuSans.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontBold []byte

// Result is a rendered form.
type Result struct {
	PDF        []byte
	DataSHA256 [32]byte // SHA-256 of Form.Data, printed on the form
}

// Page geometry (points, A4).
const (
	pageW, pageH = 595.28, 841.89
	marginL      = 56.0
	marginR      = 42.0
	marginT      = 40.0
	footerH      = 34.0
	textW        = pageW - marginL - marginR
	labelW       = 180.0
	valueX       = marginL + labelW + 8
	valueW       = pageW - marginR - valueX
	bodySize     = 9.5
	labelSize    = 8.5
	lineK        = 1.28 // line height / font size
	rowPad       = 3.5  // below each data row
	consentSize  = 8.5
)

// preload is every letter the form may print in the two fonts.
var preload = func() string {
	var r []rune
	for c := rune(0x20); c <= 0x7e; c++ {
		r = append(r, c)
	}
	for c := rune(0x400); c <= 0x45f; c++ {
		r = append(r, c)
	}
	return string(r) + "«»№–—·¨"
}()

// consent is the fixed wording under the data (layoutVersion pins it).
var consent = []string{
	"Прошу создать и выдать мне квалифицированный сертификат ключа проверки электронной подписи " +
		"на основании сведений, указанных в настоящем заявлении. Подтверждаю, что сведения указаны " +
		"верно и соответствуют представленным мной документам.",
	"В соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» даю " +
		"согласие удостоверяющему центру на обработку моих персональных данных, указанных в настоящем " +
		"заявлении и в представленных документах, в целях создания и выдачи сертификата, ведения " +
		"реестра сертификатов и хранения документов в течение срока, установленного Федеральным " +
		"законом от 06.04.2011 № 63-ФЗ «Об электронной подписи». Согласие может быть отозвано моим " +
		"письменным заявлением.",
	"С порядком реализации функций удостоверяющего центра, правами и обязанностями владельца " +
		"квалифицированного сертификата ознакомлен(а).",
}

// docKind is what differs between the documents the package renders:
// the application for issuance (signed in ink) and the renewal
// application (signed with the current certificate).
type docKind struct {
	pdfTitle string   // PDF title, before the application id
	subtitle string   // under "ЗАЯВЛЕНИЕ"
	consent  []string // the fixed paragraphs under the data
	// signature draws the signature block (signatureH points high).
	signature func(p *page)
	sections  []section
	sum       [32]byte // SHA-256 of the document's Data
}

var issuanceDoc = docKind{
	pdfTitle:  "Заявление на выдачу квалифицированного сертификата № ",
	subtitle:  "на создание и выдачу квалифицированного сертификата ключа проверки электронной подписи",
	consent:   consent,
	signature: (*page).signature,
}

// Render lays out the form as a PDF. The same Form always gives the same
// bytes.
func Render(f Form) (Result, error) {
	if err := f.Validate(); err != nil {
		return Result{}, err
	}
	doc := issuanceDoc
	doc.sections, doc.sum = f.sections(), f.DataSHA256()
	return renderDoc(&f, &doc)
}

// renderDoc lays out f as doc says.
func renderDoc(f *Form, doc *docKind) (Result, error) {
	sum := doc.sum
	p := &page{f: f, doc: doc, digest: hex.EncodeToString(sum[:])}
	gp := &p.gp
	gp.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitPT})
	gp.SetInfo(gopdf.PdfInfo{
		Title:        doc.pdfTitle + f.ApplicationID,
		Subject:      "SHA-256 " + p.digest,
		Creator:      "GostCA",
		Producer:     "GostCA",
		CreationDate: f.Date.UTC(),
	})
	gp.SetCompressLevel(9)
	// A character the font lacks would print as nothing: the paper would
	// not say what Data says. Such a form is refused.
	var missing []rune
	onMissing := func(r rune) {
		if !slices.Contains(missing, r) {
			missing = append(missing, r)
		}
	}
	if err := gp.AddTTFFontDataWithOption("DejaVuSans", fontRegular, gopdf.TtfOption{Style: gopdf.Regular, OnGlyphNotFound: onMissing}); err != nil {
		return Result{}, fmt.Errorf("appform: loading the font: %w", err)
	}
	if err := gp.AddTTFFontDataWithOption("DejaVuSans", fontBold, gopdf.TtfOption{Style: gopdf.Bold, OnGlyphNotFound: onMissing}); err != nil {
		return Result{}, fmt.Errorf("appform: loading the bold font: %w", err)
	}
	// gopdf's subsetting misses the components of nested composite
	// glyphs (DejaVu's Ё is drawn from Latin E, which a text without
	// Latin E would lack: the letter printed as a bare diaeresis). Adding
	// the whole Latin and Cyrillic alphabets to the subset keeps every
	// component.
	for _, style := range []string{"", "B"} {
		p.font(style, bodySize)
		if _, err := gp.MeasureTextWidth(preload); err != nil {
			return Result{}, fmt.Errorf("appform: preparing the font: %w", err)
		}
	}
	p.newPage()
	p.header()
	for _, s := range doc.sections {
		p.section(s)
	}
	p.statement()
	doc.signature(p)
	if p.err != nil {
		return Result{}, fmt.Errorf("appform: rendering: %w", p.err)
	}
	if len(missing) > 0 {
		var u []string
		for _, r := range missing {
			u = append(u, fmt.Sprintf("U+%04X", r))
		}
		return Result{}, fmt.Errorf("appform: the data contains characters the form cannot print (%s); correct the data to Russian or Latin letters", strings.Join(u, ", "))
	}
	var out bytes.Buffer
	if _, err := gp.WriteTo(&out); err != nil {
		return Result{}, fmt.Errorf("appform: writing the PDF: %w", err)
	}
	return Result{PDF: out.Bytes(), DataSHA256: sum}, nil
}

// page is the layout state: the document, the cursor and the first error.
type page struct {
	gp     gopdf.GoPdf
	f      *Form
	doc    *docKind
	digest string
	y      float64
	n      int
	err    error
}

func (p *page) font(style string, size float64) {
	if err := p.gp.SetFont("DejaVuSans", style, size); err != nil && p.err == nil {
		p.err = err
	}
}

// at writes s at (x, y) in the current font; align is gopdf.Left,
// Center or Right within width w.
func (p *page) at(x, y, w float64, s string, align int) {
	p.gp.SetXY(x, y)
	if err := p.gp.CellWithOption(&gopdf.Rect{W: w, H: 1}, s, gopdf.CellOption{Align: align | gopdf.Top}); err != nil && p.err == nil {
		p.err = err
	}
}

// wrap splits s into lines of at most w points in the current font.
func (p *page) wrap(s string, w float64) []string {
	if s == "" {
		return []string{""}
	}
	lines, err := p.gp.SplitTextWithWordWrap(s, w)
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return []string{s}
	}
	return lines
}

func (p *page) newPage() {
	p.gp.AddPage()
	p.n++
	p.y = marginT
	p.footer()
}

// need starts a new page unless h points fit above the footer.
func (p *page) need(h float64) {
	if p.y+h > pageH-footerH-12 {
		p.newPage()
	}
}

func (p *page) footer() {
	y := pageH - footerH
	p.gp.SetStrokeColor(160, 160, 160)
	p.gp.SetLineWidth(0.5)
	p.gp.Line(marginL, y, pageW-marginR, y)
	p.gp.SetTextColor(90, 90, 90)
	p.font("", 7.5)
	p.at(marginL, y+5, textW, "Заявка № "+p.f.ApplicationID+" · сформирована "+date(p.f.Date), gopdf.Left)
	p.at(marginL, y+5, textW, fmt.Sprintf("Лист %d", p.n), gopdf.Right)
	p.at(marginL, y+16, textW, "SHA-256 данных заявления: "+p.digest, gopdf.Left)
	p.gp.SetTextColor(0, 0, 0)
}

func (p *page) header() {
	if p.f.CAName != "" {
		p.font("", bodySize)
		for _, l := range p.wrap("В удостоверяющий центр "+oneLine(p.f.CAName), 250) {
			p.at(pageW-marginR-250, p.y, 250, l, gopdf.Right)
			p.y += bodySize * lineK
		}
		p.y += 10
	}
	p.font("B", 14)
	p.at(marginL, p.y, textW, "ЗАЯВЛЕНИЕ", gopdf.Center)
	p.y += 14 * lineK
	p.font("B", 11)
	for _, l := range p.wrap(p.doc.subtitle, textW) {
		p.at(marginL, p.y, textW, l, gopdf.Center)
		p.y += 11 * lineK
	}
	p.y += 4
	p.font("", bodySize)
	p.at(marginL, p.y, textW, "Заявка № "+p.f.ApplicationID, gopdf.Center)
	p.y += bodySize*lineK + 8
}

func (p *page) section(s section) {
	p.need(11*lineK + 2*bodySize*lineK)
	p.y += 6
	p.font("B", 11)
	p.at(marginL, p.y, textW, s.title, gopdf.Left)
	p.y += 11*lineK + 2
	p.gp.SetStrokeColor(200, 200, 200)
	p.gp.SetLineWidth(0.4)
	for _, fl := range s.fields {
		p.font("", labelSize)
		labels := p.wrap(fl.label, labelW)
		p.font("", bodySize)
		values := p.wrap(fl.value, valueW)
		h := max(float64(len(labels))*labelSize*lineK, float64(len(values))*bodySize*lineK) + rowPad
		p.need(h)
		p.gp.SetTextColor(70, 70, 70)
		p.font("", labelSize)
		for i, l := range labels {
			p.at(marginL, p.y+2.5+float64(i)*labelSize*lineK, labelW, l, gopdf.Left)
		}
		p.gp.SetTextColor(0, 0, 0)
		p.font("", bodySize)
		for i, l := range values {
			p.at(valueX, p.y+1.5+float64(i)*bodySize*lineK, valueW, l, gopdf.Left)
		}
		p.y += h
		p.gp.Line(marginL, p.y, pageW-marginR, p.y)
	}
}

// statement prints the consent paragraphs and the signature block, kept
// together on one sheet (the signature must be on the page it signs).
func (p *page) statement() {
	p.font("", consentSize)
	var paras [][]string
	h := 8 + signatureH
	for _, para := range p.doc.consent {
		lines := p.wrap(para, textW)
		paras = append(paras, lines)
		h += float64(len(lines))*consentSize*lineK + 3
	}
	p.need(h)
	p.y += 8
	for _, lines := range paras {
		for _, l := range lines {
			p.need(consentSize * lineK) // only when the statement alone exceeds a page
			p.at(marginL, p.y, textW, l, gopdf.Left)
			p.y += consentSize * lineK
		}
		p.y += 3
	}
}

const signatureH = 18 + bodySize*lineK + 16 + bodySize*lineK

func (p *page) signature() {
	p.need(signatureH)
	p.y += 18
	p.font("", bodySize)
	p.gp.SetStrokeColor(0, 0, 0)
	p.gp.SetLineWidth(0.6)
	p.at(marginL, p.y, 120, "Подпись заявителя", gopdf.Left)
	p.gp.Line(marginL+110, p.y+bodySize, marginL+270, p.y+bodySize)
	p.at(marginL+278, p.y, textW-278, "/ "+p.f.Owner.Initials()+" /", gopdf.Left)
	p.font("", 7)
	p.at(marginL+110, p.y+bodySize+2, 160, "(собственноручно)", gopdf.Center)
	p.y += bodySize*lineK + 16
	p.font("", bodySize)
	p.at(marginL, p.y, textW, "Дата   «____» ____________________ 20____ г.", gopdf.Left)
	p.y += bodySize * lineK
}
