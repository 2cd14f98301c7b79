package pkix

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// Reference checksums, written independently of ident.go (big.Int
// arithmetic, explicit weight tables) so the tests do not just mirror it.

func refINN10(body string) string {
	w := [9]int64{2, 4, 10, 3, 5, 9, 4, 6, 8}
	var sum int64
	for i := range w {
		sum += w[i] * int64(body[i]-'0')
	}
	return fmt.Sprint(sum % 11 % 10)
}

func refINN12(body string) string {
	w1 := [10]int64{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	w2 := [11]int64{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	var s1 int64
	for i := range w1 {
		s1 += w1[i] * int64(body[i]-'0')
	}
	c11 := fmt.Sprint(s1 % 11 % 10)
	full := body + c11
	var s2 int64
	for i := range w2 {
		s2 += w2[i] * int64(full[i]-'0')
	}
	return c11 + fmt.Sprint(s2%11%10)
}

func refModulo(body string, m int64) string {
	n, _ := new(big.Int).SetString(body, 10)
	r := new(big.Int).Mod(n, big.NewInt(m))
	return fmt.Sprint(r.Int64() % 10)
}

func refSNILS(body string) string {
	var s int
	for i := 0; i < 9; i++ {
		s += int(body[i]-'0') * (9 - i)
	}
	var c int
	switch {
	case s < 100:
		c = s
	case s == 100, s == 101:
		c = 0
	default:
		c = s % 101
		if c == 100 {
			c = 0
		}
	}
	return fmt.Sprintf("%02d", c)
}

// bodies gives n deterministic pseudo-random digit strings of length l.
func bodies(n, l int, seed uint64) []string {
	out := make([]string, 0, n)
	x := seed
	for len(out) < n {
		var b strings.Builder
		for i := 0; i < l; i++ {
			x = x*6364136223846793005 + 1442695040888963407
			b.WriteByte('0' + byte((x>>33)%10))
		}
		s := b.String()
		if s[0] == '0' { // keep clear of legacy/low-number special cases
			s = "1" + s[1:]
		}
		out = append(out, s)
	}
	return out
}

func TestIdentPublishedExamples(t *testing.T) {
	// Each can be checked by hand with the rules of PROFILE.md §3.
	ok := []struct {
		name string
		fn   func(string) error
		v    string
	}{
		// 7·2+7·4+0·10+7·3+0·5+8·9+3·4+8·6+9·8 = 267; 267 mod 11 = 3.
		{"INNLE", ValidateINNLE, "7707083893"},
		{"INN10", ValidateINN, "7707083893"},
		// 11th: Σ=247 → 247 mod 11 = 5; 12th: Σ=262 → 262 mod 11 = 9.
		{"INNPerson", ValidateINNPerson, "500100732259"},
		{"INN12", ValidateINN, "500100732259"},
		// 102770013219 mod 11 = 5.
		{"OGRN", ValidateOGRN, "1027700132195"},
		// 30450011600015 mod 13 = 7.
		{"OGRNIP", ValidateOGRNIP, "304500116000157"},
		// 1·9+1·8+2·7+2·6+3·5+3·4+4·3+4·2+5·1 = 95.
		{"SNILS", ValidateSNILS, "11223344595"},
	}
	for _, tc := range ok {
		if err := tc.fn(tc.v); err != nil {
			t.Errorf("%s(%s): %v", tc.name, tc.v, err)
		}
	}
}

func TestIdentConstructed(t *testing.T) {
	for _, b := range bodies(200, 9, 1) {
		if v := b + refINN10(b); ValidateINNLE(v) != nil || ValidateINN(v) != nil {
			t.Fatalf("INNLE %s rejected: %v", v, ValidateINNLE(v))
		}
	}
	for _, b := range bodies(200, 10, 2) {
		if v := b + refINN12(b); ValidateINNPerson(v) != nil || ValidateINN(v) != nil {
			t.Fatalf("INN %s rejected: %v", v, ValidateINNPerson(v))
		}
	}
	for _, b := range bodies(200, 12, 3) {
		if v := b + refModulo(b, 11); ValidateOGRN(v) != nil {
			t.Fatalf("OGRN %s rejected: %v", v, ValidateOGRN(v))
		}
	}
	for _, b := range bodies(200, 14, 4) {
		if v := b + refModulo(b, 13); ValidateOGRNIP(v) != nil {
			t.Fatalf("OGRNIP %s rejected: %v", v, ValidateOGRNIP(v))
		}
	}
	for _, b := range bodies(200, 9, 5) {
		if v := b + refSNILS(b); ValidateSNILS(v) != nil {
			t.Fatalf("SNILS %s rejected: %v", v, ValidateSNILS(v))
		}
	}
}

// variants returns every string that differs from s in exactly one digit.
func variants(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		for d := byte('0'); d <= '9'; d++ {
			if d != s[i] {
				out = append(out, s[:i]+string(d)+s[i+1:])
			}
		}
	}
	return out
}

// TestIdentWrongDigit changes every digit of valid numbers to every other
// value. The "mod m, then mod 10" rules fold residues m−10…m−1 onto
// 0…9 (e.g. 0 and 10 both give control 0), so a one-digit change that
// moves the residue across that fold keeps the control digit. Bases whose
// control digits avoid the fold (nonzero for mod 11, 3..9 for mod 13,
// nonzero for SNILS) detect every one-digit error; for the rest, a variant
// must be accepted exactly when the reference rule accepts it.
func TestIdentWrongDigit(t *testing.T) {
	type kind struct {
		name     string
		fn       func(string) error
		ref      func(v string) bool // reference validity
		strict   func(v string) bool // control digits outside the fold
		bodies   []string
		complete func(b string) string
	}
	kinds := []kind{
		{"INNLE", ValidateINNLE,
			func(v string) bool { return refINN10(v[:9]) == v[9:] },
			func(v string) bool { return v[9] != '0' },
			bodies(60, 9, 11), func(b string) string { return b + refINN10(b) }},
		{"INNPerson", ValidateINNPerson,
			func(v string) bool { return !strings.HasPrefix(v, "00") && refINN12(v[:10]) == v[10:] },
			func(v string) bool { return v[10] != '0' && v[11] != '0' },
			bodies(60, 10, 12), func(b string) string { return b + refINN12(b) }},
		{"OGRN", ValidateOGRN,
			func(v string) bool { return refModulo(v[:12], 11) == v[12:] },
			func(v string) bool { return v[12] != '0' },
			bodies(60, 12, 13), func(b string) string { return b + refModulo(b, 11) }},
		{"OGRNIP", ValidateOGRNIP,
			func(v string) bool { return refModulo(v[:14], 13) == v[14:] },
			func(v string) bool { return v[14] >= '3' },
			bodies(60, 14, 14), func(b string) string { return b + refModulo(b, 13) }},
		{"SNILS", ValidateSNILS,
			func(v string) bool { return v[:9] <= "001001998" || refSNILS(v[:9]) == v[9:] },
			func(v string) bool { return v[9:] != "00" },
			bodies(60, 9, 15), func(b string) string { return b + refSNILS(b) }},
	}
	for _, k := range kinds {
		strictSeen := 0
		for _, b := range k.bodies {
			v := k.complete(b)
			strict := k.strict(v)
			if strict {
				strictSeen++
			}
			for _, w := range variants(v) {
				err := k.fn(w)
				if strict && err == nil {
					// Only the low-SNILS exemption may accept a variant of a
					// strict base; the reference says so explicitly.
					if !(k.name == "SNILS" && w[:9] <= "001001998") {
						t.Errorf("%s: variant %s of %s accepted", k.name, w, v)
					}
				}
				if (err == nil) != k.ref(w) {
					t.Errorf("%s: variant %s of %s: got err=%v, reference valid=%v", k.name, w, v, err, k.ref(w))
				}
			}
		}
		if strictSeen < 20 {
			t.Errorf("%s: only %d strict bases; widen the sample", k.name, strictSeen)
		}
	}
}

func TestIdentErrors(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		reason error
		ident  string
	}{
		{"INN short", ValidateINN("12345"), ErrIdentLength, "INN"},
		{"INN 11", ValidateINN("12345678901"), ErrIdentLength, "INN"},
		{"INN letter", ValidateINN("77070838a3"), ErrIdentNonDigit, "INN"},
		{"INN cyrillic len", ValidateINN("770708389О"), ErrIdentLength, "INN"}, // Cyrillic О: 11 bytes
		{"INN sum", ValidateINN("7707083894"), ErrIdentChecksum, "INN"},
		{"INNLE 12", ValidateINNLE("500100732259"), ErrIdentLength, "INNLE"},
		{"INNPerson 10", ValidateINNPerson("7707083893"), ErrIdentLength, "INN"},
		{"INNPerson 00", ValidateINNPerson("00" + "7707083893"), ErrIdentFormat, "INN"},
		{"INN 00", ValidateINN("00" + "7707083893"), ErrIdentFormat, "INN"},
		{"INNPerson 11th", ValidateINNPerson("500100732269"), ErrIdentChecksum, "INN"},
		{"INNPerson 12th", ValidateINNPerson("500100732258"), ErrIdentChecksum, "INN"},
		{"OGRN len", ValidateOGRN("102770013219"), ErrIdentLength, "OGRN"},
		{"OGRN sum", ValidateOGRN("1027700132196"), ErrIdentChecksum, "OGRN"},
		{"OGRN space", ValidateOGRN("10277001 2195"), ErrIdentNonDigit, "OGRN"},
		{"OGRNIP len", ValidateOGRNIP("1027700132195"), ErrIdentLength, "OGRNIP"},
		{"OGRNIP sum", ValidateOGRNIP("304500116000158"), ErrIdentChecksum, "OGRNIP"},
		{"SNILS formatted", ValidateSNILS("112-233-445 95"), ErrIdentLength, "SNILS"},
		{"SNILS sum", ValidateSNILS("11223344596"), ErrIdentChecksum, "SNILS"},
		{"SNILS empty", ValidateSNILS(""), ErrIdentLength, "SNILS"},
		{"SNILS sign", ValidateSNILS("+1223344595"), ErrIdentNonDigit, "SNILS"},
		{"passport series", ValidatePassportRU("450", "123456", "770-001"), ErrIdentLength, "passport series"},
		{"passport number", ValidatePassportRU("4506", "12345x", "770-001"), ErrIdentNonDigit, "passport number"},
		{"passport office", ValidatePassportRU("4506", "123456", "770001"), ErrIdentFormat, "passport office code"},
		{"passport office digit", ValidatePassportRU("4506", "123456", "77a-001"), ErrIdentNonDigit, "passport office code"},
	}
	for _, tc := range cases {
		if tc.err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !errors.Is(tc.err, tc.reason) {
			t.Errorf("%s: %v is not %v", tc.name, tc.err, tc.reason)
		}
		var ie *IdentError
		if !errors.As(tc.err, &ie) || ie.Ident != tc.ident {
			t.Errorf("%s: %v: want IdentError for %q", tc.name, tc.err, tc.ident)
		}
		if !strings.HasPrefix(tc.err.Error(), "pkix: "+tc.ident+": ") {
			t.Errorf("%s: message %q", tc.name, tc.err)
		}
	}
	// The message says where, not what: no identifier value in logs.
	err := ValidateSNILS("11223344596")
	if strings.Contains(err.Error(), "112233445") {
		t.Errorf("value leaked into %q", err)
	}
	if got := err.Error(); got != "pkix: SNILS: bad checksum: control 96, computed 95" {
		t.Errorf("message %q", got)
	}
	if got := ValidateINN("77070838a3").Error(); got != "pkix: INN: non-digit character: at position 9" {
		t.Errorf("message %q", got)
	}
	if got := ValidateINN("123").Error(); got != "pkix: INN: wrong length: got 3 characters, want 10 or 12 digits" {
		t.Errorf("message %q", got)
	}
	if ValidatePassportRU("4506", "123456", "770-001") != nil {
		t.Error("valid passport rejected")
	}
}

// snilsBody builds a 9-digit body whose weighted sum is target (greedy from
// weight 9 down; weight 1 absorbs the rest).
func snilsBody(t *testing.T, target int) string {
	t.Helper()
	var b [9]byte
	rem := target
	for i := 0; i < 9; i++ {
		w := 9 - i
		d := min(9, rem/w)
		b[i] = '0' + byte(d)
		rem -= d * w
	}
	if rem != 0 {
		t.Fatalf("no body with sum %d", target)
	}
	return string(b[:])
}

func TestSNILSEdges(t *testing.T) {
	for _, tc := range []struct {
		sum     int
		control string
	}{
		{99, "99"}, {100, "00"}, {101, "00"}, {102, "01"}, {150, "49"},
		{201, "00"}, {202, "00"}, {302, "00"}, {303, "00"}, {403, "00"}, {404, "00"}, {405, "01"},
	} {
		b := snilsBody(t, tc.sum)
		if err := ValidateSNILS(b + tc.control); err != nil {
			t.Errorf("sum %d: %s%s: %v", tc.sum, b, tc.control, err)
		}
		if tc.control == "00" && ValidateSNILS(b+"01") == nil {
			t.Errorf("sum %d: control 01 accepted", tc.sum)
		}
	}
	// All nines: 405 mod 101 = 1; 999999997 sums to 403 → 00.
	if err := ValidateSNILS("99999999701"); err == nil {
		t.Error("99999999701 accepted")
	}
	if err := ValidateSNILS("99999999700"); err != nil {
		t.Error(err)
	}
	// Numbers up to 001-001-998 carry no checksum.
	for _, v := range []string{"00100199800", "00100199899", "00000000000", "00000000117"} {
		if err := ValidateSNILS(v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	// 001-001-999 is the first number that must carry its checksum.
	if ValidateSNILS("00100199999") == nil {
		t.Error("001-001-999 99 accepted")
	}
	if c := refSNILS("001001999"); ValidateSNILS("001001999"+c) != nil {
		t.Error("001-001-999 with correct control rejected")
	}
}

func TestNormalizeFormatSNILS(t *testing.T) {
	for in, want := range map[string]string{
		"112-233-445 95": "11223344595",
		"112 233 445 95": "11223344595",
		"11223344595":    "11223344595",
		"112-233-445-95": "11223344595",
		"":               "",
	} {
		if got := NormalizeSNILS(in); got != want {
			t.Errorf("NormalizeSNILS(%q) = %q", in, got)
		}
	}
	if got := FormatSNILS("11223344595"); got != "112-233-445 95" {
		t.Errorf("FormatSNILS = %q", got)
	}
	if got := FormatSNILS("1122"); got != "1122" {
		t.Errorf("FormatSNILS short = %q", got)
	}
	if ValidateSNILS(NormalizeSNILS("112-233-445 95")) != nil {
		t.Error("normalized SNILS rejected")
	}
}

func TestParseLegacyINN(t *testing.T) {
	inn, le, err := ParseLegacyINN("007707083893")
	if err != nil || !le || inn != "7707083893" {
		t.Errorf("legacy LE: %q %v %v", inn, le, err)
	}
	inn, le, err = ParseLegacyINN("500100732259")
	if err != nil || le || inn != "500100732259" {
		t.Errorf("person: %q %v %v", inn, le, err)
	}
	for _, bad := range []string{"7707083893", "007707083894", "500100732258", "00770708389x", ""} {
		if _, _, err := ParseLegacyINN(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// The legacy form is never valid for emission.
	if ValidateINN("007707083893") == nil || ValidateINNPerson("007707083893") == nil {
		t.Error("legacy INN accepted by an emission validator")
	}
}
