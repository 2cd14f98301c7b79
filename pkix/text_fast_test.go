package pkix

import (
	"testing"
	"unicode"
)

// checkPersonalName's fast path takes ASCII and Russian letters without
// the table search: every rune it takes is a letter by unicode.IsLetter,
// and every other rune still gets the full rule.
func TestPersonalNameFastPathIsLetters(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		fast := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || 0x0410 <= r && r <= 0x044F || r == 0x0401 || r == 0x0451
		if fast && !unicode.IsLetter(r) {
			t.Fatalf("U+%04X is on the fast path but not a letter", r)
		}
	}
	for _, v := range []string{"Ёлкин", "Иванов-Ivanov", "д'Артаньян", "Ив0нов", "Иванов!", "Ἀθηνᾶ"} {
		want := true
		for _, r := range v {
			if !(unicode.IsLetter(r) || r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.') {
				want = false
			}
		}
		if got := checkPersonalName("SN", v) == nil; got != want {
			t.Fatalf("%q: accepted %v, want %v", v, got, want)
		}
	}
}
