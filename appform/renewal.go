package appform

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signintech/gopdf"
)

// renewalLayoutVersion names the renewal form's layout and wording; the
// first line of its Data.
const renewalLayoutVersion = "gostca-renewal-1"

// RenewalForm is the renewal application: the data copied from the
// current certificate's application (owner, organisation, certificate
// type; owner, passport data and e-mail as the subscriber corrected
// them), and the certificate being renewed. The subscriber signs the
// rendered PDF's bytes as a detached CAdES-BES signature with that
// certificate; no ink, no visit.
type RenewalForm struct {
	// Form holds the copied data. Form.Replaces (the current
	// certificate's serial, hex) is required; Form.Centre names the
	// centre of the original application, if any.
	Form
	// CurrentNotBefore and CurrentNotAfter are the current certificate's
	// validity (CurrentNotAfter required).
	CurrentNotBefore, CurrentNotAfter time.Time
	// CurrentIssuer is the issuer's name as printed; optional.
	CurrentIssuer string
}

// renewalConsent is the fixed wording of the renewal form.
var renewalConsent = []string{
	"Прошу создать и выдать мне квалифицированный сертификат ключа проверки электронной подписи " +
		"взамен действующего сертификата, указанного в настоящем заявлении, на основании сведений, " +
		"указанных в настоящем заявлении. Подтверждаю, что сведения указаны верно и соответствуют " +
		"документам, представленным при выдаче действующего сертификата, с учётом изменений, " +
		"указанных в настоящем заявлении.",
	consent[1],
	consent[2],
	"Настоящее заявление подписано усиленной квалифицированной электронной подписью владельца " +
		"с использованием действующего квалифицированного сертификата; личность владельца " +
		"установлена без его личного присутствия.",
}

var renewalDoc = docKind{
	pdfTitle:  "Заявление на замену квалифицированного сертификата № ",
	subtitle:  "на создание и выдачу квалифицированного сертификата ключа проверки электронной подписи взамен действующего",
	consent:   renewalConsent,
	signature: (*page).renewalSignature,
}

// Validate reports what is missing for a printable renewal form.
func (r *RenewalForm) Validate() error {
	err := r.Form.Validate()
	var missing []string
	if strings.TrimSpace(r.Replaces) == "" {
		missing = append(missing, "serial of the certificate being renewed")
	}
	if r.CurrentNotAfter.IsZero() {
		missing = append(missing, "expiry of the certificate being renewed")
	}
	if len(missing) > 0 {
		return errors.Join(err, fmt.Errorf("appform: cannot print the renewal application without: %s", strings.Join(missing, ", ")))
	}
	if strings.ContainsAny(r.Replaces, "\r\n") {
		return errors.Join(err, errors.New("appform: the serial contains a line break"))
	}
	return err
}

// sections are the form's data blocks, then the certificate being
// renewed. How the holder is identified is fixed wording (the consent).
func (r *RenewalForm) sections() []section {
	out := r.Form.sections()
	var cur []field
	add := func(key, label, value string) {
		if value = oneLine(value); value != "" {
			cur = append(cur, field{key, label, value})
		}
	}
	add("current.serial", "Серийный номер", r.Replaces)
	add("current.issuer", "Издатель", r.CurrentIssuer)
	validity := "по " + date(r.CurrentNotAfter)
	if !r.CurrentNotBefore.IsZero() {
		validity = "с " + date(r.CurrentNotBefore) + " " + validity
	}
	add("current.validity", "Срок действия", validity)
	return append(out, section{"Действующий сертификат", cur})
}

// Data is the canonical text of the data the renewal form prints, under
// its own layout version; its SHA-256 is printed on the form.
func (r *RenewalForm) Data() []byte { return r.data(renewalLayoutVersion, r.sections()) }

// DataSHA256 is the SHA-256 of Data.
func (r *RenewalForm) DataSHA256() [32]byte { return sha256.Sum256(r.Data()) }

// RenderRenewal lays out the renewal application as a PDF. The same
// RenewalForm always gives the same bytes: these bytes are what the
// subscriber signs, and what the engine renders again to check the
// signature against.
func RenderRenewal(r RenewalForm) (Result, error) {
	if err := r.Validate(); err != nil {
		return Result{}, err
	}
	doc := renewalDoc
	doc.sections, doc.sum = r.sections(), r.DataSHA256()
	f := r.Form
	return renderDoc(&f, &doc)
}

// renewalSignature states how the form is signed, in place of the ink
// signature line.
func (p *page) renewalSignature() {
	p.font("", bodySize)
	lines := p.wrap("Подписано квалифицированной электронной подписью владельца сертификата № "+oneLine(p.f.Replaces), textW)
	p.need(signatureH + float64(len(lines)-1)*bodySize*lineK)
	p.y += 18
	for _, l := range lines {
		p.at(marginL, p.y, textW, l, gopdf.Left)
		p.y += bodySize * lineK
	}
	p.y += 16
	p.at(marginL, p.y, textW, "Владелец сертификата   / "+p.f.Owner.Initials()+" /", gopdf.Left)
	p.y += bodySize * lineK
}
