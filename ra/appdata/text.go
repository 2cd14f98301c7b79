package appdata

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTextRunes bounds free-text fields (birth place, issuer, position,
// organisation name and address), as pkix bounds text attributes.
const MaxTextRunes = 256

// MaxNameRunes bounds each part of a person's name.
const MaxNameRunes = 100

// VisibleText is the rule for every free-text field: valid UTF-8, at most
// max characters, no control characters (Cc) and no invisible formatting
// characters (Cf: zero-width spaces and joiners, bidirectional marks and
// overrides, soft hyphens), which can make two different strings look the
// same on screen and in the printed application; no leading or trailing
// space and no run of spaces. It returns the problem ("" if none).
//
// pkix is getting its own rules against bidi, zero-width and mixed-script
// text in certificate names; the subject built from an application is
// checked by pkix.Subject.Validate before issuance (see subject.go), so
// those rules apply there as soon as they exist. This check is ra's own:
// it refuses such text when it is typed, not only when it is issued.
func VisibleText(v string, max int) string {
	if !utf8.ValidString(v) {
		return "not valid UTF-8 text"
	}
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Sprintf("%d characters, at most %d", n, max)
	}
	for i, r := range v {
		switch {
		case unicode.Is(unicode.Cc, r):
			return fmt.Sprintf("control character at position %d: remove it", utf8.RuneCountInString(v[:i])+1)
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("invisible formatting character U+%04X at position %d: retype the text without it", r, utf8.RuneCountInString(v[:i])+1)
		}
	}
	if strings.TrimSpace(v) != v {
		return "leading or trailing space: remove it"
	}
	if strings.Contains(v, "  ") {
		return "two spaces in a row: keep one"
	}
	return ""
}

// isCyrillicLetter: the Russian alphabet, Ё and ё included.
func isCyrillicLetter(r rune) bool {
	return r >= 'А' && r <= 'я' || r == 'Ё' || r == 'ё'
}

// NameProblem checks one part of a person's name as the passport prints
// it: Russian letters (Ё kept as Ё, never replaced by Е), single hyphens
// and single spaces between letters. It returns the problem ("" if none).
// foreign says the identity document is a foreign passport, whose name is
// written as in the notarised translation.
func NameProblem(v string, foreign bool) string {
	if v == "-" || strings.Trim(v, "-‐‑–—") == "" {
		return `"-" is not a name; leave the field empty if the passport has none`
	}
	if p := VisibleText(v, MaxNameRunes); p != "" {
		return p
	}
	prev := ' ' // a name starts with a letter
	for i, r := range v {
		pos := utf8.RuneCountInString(v[:i]) + 1
		switch {
		case isCyrillicLetter(r):
		case r == '-' || r == ' ':
			if prev == '-' || prev == ' ' {
				return fmt.Sprintf("%q at position %d must stand between letters", r, pos)
			}
		case r < utf8.RuneSelf && unicode.IsLetter(r), unicode.Is(unicode.Latin, r):
			if foreign {
				return fmt.Sprintf("Latin letter at position %d: write the name in Russian letters as in the notarised translation", pos)
			}
			return fmt.Sprintf("Latin letter at position %d: type the name in Russian letters as in the passport", pos)
		default:
			return fmt.Sprintf("character %q at position %d: a name has Russian letters, hyphens and spaces only", r, pos)
		}
		prev = r
	}
	if prev == '-' {
		return `a name cannot end with "-"`
	}
	return ""
}
