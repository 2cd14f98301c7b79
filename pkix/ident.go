package pkix

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Reasons an identifier is rejected; an *IdentError wraps exactly one.
var (
	ErrIdentLength   = errors.New("wrong length")
	ErrIdentNonDigit = errors.New("non-digit character")
	ErrIdentChecksum = errors.New("bad checksum")
	ErrIdentFormat   = errors.New("bad format")
)

// IdentError says which identifier is wrong and why. The offending value
// is never included: identifiers are personal data and errors get logged.
type IdentError struct {
	Ident  string // "INN", "SNILS", "OGRN", "OGRNIP", "passport series", ...
	Err    error  // one of ErrIdentLength, ErrIdentNonDigit, ErrIdentChecksum, ErrIdentFormat
	Detail string // e.g. "got 9 characters, want 11"
}

func (e *IdentError) Error() string { return "pkix: " + e.Ident + ": " + e.reason() }

func (e *IdentError) Unwrap() error { return e.Err }

// reason is the message without prefix and identifier name, used when the
// error is reported under an attribute name (see AttributeError).
func (e *IdentError) reason() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

// checkDigits verifies s is exactly n ASCII digits (one of the lengths
// given) and returns which length matched.
func checkDigits(ident, s string, lengths ...int) *IdentError {
	ok := false
	for _, n := range lengths {
		if len(s) == n {
			ok = true
		}
	}
	if !ok {
		want := fmt.Sprint(lengths[0])
		for _, n := range lengths[1:] {
			want += " or " + fmt.Sprint(n)
		}
		return &IdentError{Ident: ident, Err: ErrIdentLength,
			Detail: fmt.Sprintf("got %d characters, want %s digits", utf8.RuneCountInString(s), want)}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return &IdentError{Ident: ident, Err: ErrIdentNonDigit,
				Detail: fmt.Sprintf("at position %d", i+1)}
		}
	}
	return nil
}

// weighted returns (Σ wᵢ·dᵢ mod 11) mod 10 over the leading digits of s:
// the INN control digit rule (PROFILE.md §3).
func weighted(s string, w []int) int {
	sum := 0
	for i, wi := range w {
		sum += wi * int(s[i]-'0')
	}
	return sum % 11 % 10
}

var (
	innLEWeights  = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innP11Weights = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innP12Weights = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// checksumErr names the control digit (1-based position) that failed.
func checksumErr(ident string, pos, got, want int) *IdentError {
	return &IdentError{Ident: ident, Err: ErrIdentChecksum,
		Detail: fmt.Sprintf("digit %d is %d, computed %d", pos, got, want)}
}

// ValidateINNLE checks a legal entity's INN: 10 digits, control digit 10.
func ValidateINNLE(s string) error {
	if e := validateINNLE("INNLE", s); e != nil {
		return e
	}
	return nil
}

func validateINNLE(ident, s string) *IdentError {
	if e := checkDigits(ident, s, 10); e != nil {
		return e
	}
	if c := weighted(s, innLEWeights); c != int(s[9]-'0') {
		return checksumErr(ident, 10, int(s[9]-'0'), c)
	}
	return nil
}

// ValidateINNPerson checks a natural person's (or entrepreneur's) INN:
// 12 digits, control digits 11 and 12. A leading "00" is rejected: it is
// the pre-2021 marker of a legal entity's INN (see ParseLegacyINN), and no
// tax-office region code is 00.
func ValidateINNPerson(s string) error {
	if e := validateINNPerson("INN", s); e != nil {
		return e
	}
	return nil
}

func validateINNPerson(ident, s string) *IdentError {
	if e := checkDigits(ident, s, 12); e != nil {
		return e
	}
	if strings.HasPrefix(s, "00") {
		return &IdentError{Ident: ident, Err: ErrIdentFormat,
			Detail: `leading "00" marks a legacy legal-entity INN, not a person's`}
	}
	if c := weighted(s, innP11Weights); c != int(s[10]-'0') {
		return checksumErr(ident, 11, int(s[10]-'0'), c)
	}
	if c := weighted(s, innP12Weights); c != int(s[11]-'0') {
		return checksumErr(ident, 12, int(s[11]-'0'), c)
	}
	return nil
}

// ValidateINN accepts either kind of INN: 10 digits (legal entity) or 12
// (person), each with its own checksum rule.
func ValidateINN(s string) error {
	var e *IdentError
	if len(s) == 10 {
		e = validateINNLE("INN", s)
	} else if len(s) == 12 {
		e = validateINNPerson("INN", s)
	} else {
		e = checkDigits("INN", s, 10, 12)
	}
	if e != nil {
		return e
	}
	return nil
}

// ParseLegacyINN reads the value of the INN attribute (1.2.643.3.131.1.1)
// as certificates issued before 1 September 2021 used it: either a
// person's 12-digit INN, or "00" followed by a legal entity's 10-digit INN.
// It returns the INN itself (10 or 12 digits) and whether it is a legal
// entity's. The legacy form is only ever read, never emitted.
func ParseLegacyINN(s string) (inn string, legalEntity bool, err error) {
	if e := checkDigits("INN", s, 12); e != nil {
		return "", false, e
	}
	if strings.HasPrefix(s, "00") {
		if e := validateINNLE("INN (legacy \"00\"+INNLE)", s[2:]); e != nil {
			return "", false, e
		}
		return s[2:], true, nil
	}
	if e := validateINNPerson("INN", s); e != nil {
		return "", false, e
	}
	return s, false, nil
}

// ValidateOGRN checks a legal entity's main state registration number:
// 13 digits; (first 12 as a number mod 11) mod 10 is the 13th.
func ValidateOGRN(s string) error {
	if e := validateModulo("OGRN", s, 13, 11); e != nil {
		return e
	}
	return nil
}

// ValidateOGRNIP checks an individual entrepreneur's registration number:
// 15 digits; (first 14 as a number mod 13) mod 10 is the 15th.
func ValidateOGRNIP(s string) error {
	if e := validateModulo("OGRNIP", s, 15, 13); e != nil {
		return e
	}
	return nil
}

func validateModulo(ident, s string, n int, mod uint64) *IdentError {
	if e := checkDigits(ident, s, n); e != nil {
		return e
	}
	var v uint64 // at most 14 digits: fits
	for i := 0; i < n-1; i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	c := int(v % mod % 10)
	if got := int(s[n-1] - '0'); got != c {
		return checksumErr(ident, n, got, c)
	}
	return nil
}

// snilsNoChecksumMax is the highest 9-digit SNILS body (001-001-998) issued
// before the checksum rule existed; such numbers are accepted as is.
const snilsNoChecksumMax = 1001998

// ValidateSNILS checks an insurance account number in canonical form:
// exactly 11 digits, no separators (see NormalizeSNILS). Control (last two
// digits): s = Σ dᵢ·(10−i) over the first nine; s if s < 100; 00 if s is
// 100 or 101; otherwise s mod 101, with 100 → 00.
func ValidateSNILS(s string) error {
	if e := validateSNILS(s); e != nil {
		return e
	}
	return nil
}

func validateSNILS(s string) *IdentError {
	if e := checkDigits("SNILS", s, 11); e != nil {
		return e
	}
	body := 0
	for i := 0; i < 9; i++ {
		body = body*10 + int(s[i]-'0')
	}
	if body <= snilsNoChecksumMax {
		return nil
	}
	got := int(s[9]-'0')*10 + int(s[10]-'0')
	if c := snilsControl(s); c != got {
		return &IdentError{Ident: "SNILS", Err: ErrIdentChecksum,
			Detail: fmt.Sprintf("control %02d, computed %02d", got, c)}
	}
	return nil
}

func snilsControl(s string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(s[i]-'0') * (9 - i)
	}
	switch {
	case sum < 100:
		return sum
	case sum == 100 || sum == 101:
		return 0
	}
	return sum % 101 % 100 // 100 → 00
}

// NormalizeSNILS strips the separators of the printed form
// "123-456-789 01" (hyphens and spaces). It does not validate: pass the
// result to ValidateSNILS.
func NormalizeSNILS(s string) string {
	if !strings.ContainsAny(s, "- ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '-' && c != ' ' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FormatSNILS prints a canonical 11-digit SNILS as "123-456-789 01", the
// form on the insurance card; anything else is returned unchanged.
func FormatSNILS(s string) string {
	if checkDigits("SNILS", s, 11) != nil {
		return s
	}
	return s[0:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:11]
}

// ValidatePassportRU checks the shape of a Russian internal passport:
// series of 4 digits, number of 6 digits, issuing-office code "NNN-NNN".
// There is no checksum; only the format can be verified offline.
func ValidatePassportRU(series, number, officeCode string) error {
	if e := checkDigits("passport series", series, 4); e != nil {
		return e
	}
	if e := checkDigits("passport number", number, 6); e != nil {
		return e
	}
	if len(officeCode) != 7 || officeCode[3] != '-' {
		return &IdentError{Ident: "passport office code", Err: ErrIdentFormat,
			Detail: `want "NNN-NNN"`}
	}
	if e := checkDigits("passport office code", officeCode[:3]+officeCode[4:], 6); e != nil {
		e.Detail = `want "NNN-NNN"`
		return e
	}
	return nil
}
