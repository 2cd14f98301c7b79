package pkix

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestCheckHumanTextRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		pos      int
		r        rune
		reason   string
	}{
		{"RLO", "Иванов\u202Eвонави", 7, 0x202E, "format character"},
		{"LRO", "\u202DIvanov", 1, 0x202D, "format character"},
		{"RLI", "Иван\u2067ов", 5, 0x2067, "format character"},
		{"ZWSP", "Ива\u200Bнов", 4, 0x200B, "format character"},
		{"ZWJ", "Ива\u200Dнов", 4, 0x200D, "format character"},
		{"ZWNJ", "Ива\u200Cнов", 4, 0x200C, "format character"},
		{"BOM", "\uFEFFИванов", 1, 0xFEFF, "format character"},
		{"soft hyphen", "Ива\u00ADнов", 4, 0x00AD, "format character"},
		{"word joiner", "Ива\u2060нов", 4, 0x2060, "format character"},
		{"NUL", "Ив\x00анов", 3, 0, "control character"},
		{"ESC", "Ив\x1b[31mанов", 3, 0x1b, "control character"},
		{"DEL", "Ив\x7fанов", 3, 0x7f, "control character"},
		{"C1 NEL", "Ив\u0085анов", 3, 0x85, "control character"},
		{"line separator", "Иван\u2028ов", 5, 0x2028, "line or paragraph"},
		{"NBSP", "Иван\u00A0Иванов", 5, 0xA0, "space other than"},
		{"ideographic space", "Иван\u3000Иванов", 5, 0x3000, "space other than"},
		{"private use", "Иван\uE000", 5, 0xE000, "private-use"},
		{"unassigned", "Иван\U000E0080", 5, 0xE0080, "unassigned"},
		{"strikethrough mark", "Ива\u0336нов", 4, 0x336, "combining mark"},
		{"variation selector", "Иван\uFE0F", 5, 0xFE0F, "combining mark"},
		{"fullwidth Latin", "Ｉvanov", 1, 'Ｉ', "fullwidth or mathematical"},
		{"math bold", "Iv𝐚nov", 3, 0x1D41A, "fullwidth or mathematical"},
		{"fullwidth digit", "д. １", 4, '１', "fullwidth or mathematical"},
		{"Latin a in Cyrillic", "Ивaнов", 3, 'a', "Latin letter in a word of Cyrillic"},
		{"Latin o in Cyrillic surname", "Иванов Петрoв", 12, 'o', "Latin letter in a word of Cyrillic"},
		{"Cyrillic а in Latin", "Ivаnov", 3, 'а', "Cyrillic letter in a word of Latin"},
		{"Greek ο in Cyrillic", "Иванοв", 5, 'ο', "Greek letter in a word of Cyrillic"},
		{"Cyrillic е in Latin org", "ООО «Gazprоm»", 11, 'о', "Cyrillic letter in a word of Latin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := CheckHumanText("CN", tc.in)
			var te *TextError
			if !errors.As(err, &te) {
				t.Fatalf("CheckHumanText(%q) = %q, %v; want a TextError", tc.in, out, err)
			}
			if out != "" || te.Field != "CN" || te.Pos != tc.pos || te.Rune != tc.r || !strings.Contains(te.Reason, tc.reason) {
				t.Errorf("got %q, %+v; want pos %d rune %U reason %q", out, te, tc.pos, tc.r, tc.reason)
			}
			if !errors.Is(err, ErrInvalidValue) {
				t.Errorf("%v is not ErrInvalidValue", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "pkix: CN: character ") || !strings.Contains(msg, "U+") || !strings.Contains(msg, "; ") {
				t.Errorf("message %q does not name field, position and code point and say what to do", msg)
			}
			if strings.ContainsAny(msg, "\x00\x1b\u202e\u200b\ufeff") {
				t.Errorf("message %q carries the offending invisible character", msg)
			}
		})
	}
}

func TestCheckHumanTextAccepts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Иванов Иван Иванович", "Иванов Иван Иванович"},
		{"Ivanov Ivan", "Ivanov Ivan"},
		{"Римский-Корсаков", "Римский-Корсаков"},
		{"Иванов-Ivanov", "Иванов-Ivanov"},
		{`ООО "Ромашка" (Romashka LLC), д. 5Б/2`, `ООО "Ромашка" (Romashka LLC), д. 5Б/2`},
		{"ООО «Рога и копыта» № 1", "ООО «Рога и копыта» № 1"},
		{"Николай II", "Николай II"},
		{"O'Brien", "O'Brien"},
		{"Ёлкин", "Ёлкин"},
		{"Müller", "Müller"},
		{"Σωκράτης", "Σωκράτης"},
		// NFC: decomposed letters are composed.
		{"Е\u0308лкин", "Ёлкин"},
		{"и\u0306од", "йод"},
		{"Mu\u0308ller", "Müller"},
		{"", ""},
	} {
		got, err := CheckHumanText("SN", tc.in)
		if err != nil || got != tc.want {
			t.Errorf("CheckHumanText(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// A mark NFC cannot compose (Cyrillic о has no precomposed breve form)
// stays a separate character and is refused where it stands.
func TestCheckHumanTextUncomposableMark(t *testing.T) {
	_, err := CheckHumanText("GN", "Ио\u0306ганн")
	var te *TextError
	if !errors.As(err, &te) || te.Pos != 3 || te.Rune != 0x306 {
		t.Fatalf("got %v, want the breve at character 3", err)
	}
}

// The fast path agrees with norm.NFC on the characters it skips.
func TestNFCInertFastPath(t *testing.T) {
	var all []rune
	for r := rune(0); r < 0x80; r++ {
		all = append(all, r)
	}
	for r := rune(0x0401); r <= 0x0451; r++ {
		all = append(all, r)
	}
	all = append(all, '«', '»', '–', '—', '№', '“', '”', '„', '’')
	for _, a := range all {
		for _, b := range all {
			s := string([]rune{a, b})
			if nfcInert(s) && norm.NFC.String(s) != s {
				t.Fatalf("%q is not NFC-inert", s)
			}
		}
	}
	if nfcInert("и\u0306") {
		t.Fatal("a combining mark took the fast path")
	}
}

// FuzzCheckHumanText: whatever is accepted comes back in NFC, is
// accepted again unchanged, and holds no control, format, separator or
// private-use character and no word mixing scripts.
func FuzzCheckHumanText(f *testing.F) {
	for _, s := range []string{"Иванов Иван", "Ивaнов", "и\u0306од", "a\u202Eb", "ООО «Ромашка» № 1", "Müller-Ёлкин", "\xff", "Ｉ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := CheckHumanText("f", s)
		if err != nil {
			var te *TextError
			if !errors.As(err, &te) || te.Pos < 1 {
				t.Fatalf("error %v", err)
			}
			return
		}
		if !norm.NFC.IsNormalString(out) {
			t.Fatalf("%q is not NFC", out)
		}
		if again, err := CheckHumanText("f", out); err != nil || again != out {
			t.Fatalf("not idempotent: %q → %q, %v", out, again, err)
		}
		for _, r := range out {
			if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.M) || unicode.Is(unicode.Zs, r) && r != ' ' {
				t.Fatalf("%q accepted with %U", out, r)
			}
		}
	})
}

func TestCheckPersonalName(t *testing.T) {
	for _, ok := range []string{"Иванов", "Римский-Корсаков", "Иван Иванович", "О’Нил", "O'Brien", "Jr.", "Ёлкин"} {
		if got, err := CheckPersonalName("owner.surname", ok); err != nil || got != ok {
			t.Errorf("CheckPersonalName(%q) = %q, %v", ok, got, err)
		}
	}
	if got, err := CheckPersonalName("owner.surname", "Е\u0308лкин"); err != nil || got != "Ёлкин" {
		t.Errorf("NFC: %q, %v", got, err)
	}
	for _, bad := range []string{"Ив0нов", "Иванов2", "Иван_ов", "Ивaнов", "Иван\u200bов"} {
		_, err := CheckPersonalName("owner.surname", bad)
		var te *TextError
		if !errors.As(err, &te) || te.Field != "owner.surname" || !errors.Is(err, ErrInvalidValue) {
			t.Errorf("CheckPersonalName(%q) = %v", bad, err)
		}
	}
}
