package pkix

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Human-readable text (names, organisation, title, address) is what a
// relying party reads off a certificate, so it must not be able to show
// something other than what it holds. CheckHumanText enforces:
//
//   - valid UTF-8;
//   - no control characters (Cc), line or paragraph separators (Zl, Zp),
//     format characters (Cf: bidi controls such as U+202E, zero-width
//     characters such as U+200B, the BOM U+FEFF, soft hyphen), private-use
//     (Co) or unassigned (Cn) code points;
//   - U+0020 as the only space: no-break, thin, ideographic and other Zs
//     spaces look like it but compare differently;
//   - no fullwidth forms (U+FF01–U+FF60, U+FFE0–U+FFEE) or mathematical
//     alphanumerics (U+1D400–U+1D7FF): look-alikes of ordinary letters
//     and digits that NFC keeps;
//   - NFC: the result is the Unicode NFC form; a combining mark (M*)
//     that NFC could not compose onto its letter is refused (it is how
//     strike-through, accents and variation selectors are stacked onto
//     look-alike letters);
//   - one script per word: the letters of a word (a run of letters
//     between non-letters: spaces, digits, punctuation, hyphens) all
//     belong to one script, so "Ивaнов" with a Latin "a" is refused
//     while "Иванов", "Ivanov", "Иванов-Ivanov" and "ООО «Ромашка» (ABC)"
//     pass.
//
// These rules are the same for certificate subjects (Subject.Validate)
// and for the owner data an RA keeps.

// TextError reports a character CheckHumanText refused. Pos is the
// 1-based position of the character (in characters, not bytes) in the
// NFC form of the value; Rune is the character.
type TextError struct {
	Field  string
	Pos    int
	Rune   rune
	Reason string // what is wrong with the character
	Fix    string // what to do

	kind   error // a finer sentinel (errControl), or nil
	inAttr bool  // inside an AttributeError, which names the field
}

func (e *TextError) Error() string {
	msg := fmt.Sprintf("character %d is %s: %s; %s", e.Pos, runeLabel(e.Rune), e.Reason, e.Fix)
	if e.inAttr {
		return msg
	}
	return "pkix: " + e.Field + ": " + msg
}

// Unwrap makes a TextError an ErrInvalidValue.
func (e *TextError) Unwrap() []error {
	if e.kind != nil {
		return []error{ErrInvalidValue, e.kind}
	}
	return []error{ErrInvalidValue}
}

// runeLabel prints a code point as U+XXXX, with the character itself when
// it is visible (letters, marks after a dotted circle, punctuation).
func runeLabel(r rune) string {
	switch {
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
		return fmt.Sprintf("U+%04X %q", r, string(r))
	case unicode.Is(unicode.M, r):
		return fmt.Sprintf("U+%04X (combining mark, shown on ◌: %q)", r, "◌"+string(r))
	}
	return fmt.Sprintf("U+%04X", r)
}

// CheckHumanText checks one text value against the rules above and
// returns its NFC form. field names the value in the error (e.g. "CN",
// "subject.surname", "owner.full_name"). The empty string is returned
// as is: whether a field is required is the caller's business, as are
// length bounds.
func CheckHumanText(field, s string) (string, error) {
	n, err := checkHumanText(field, s)
	if err != nil {
		return "", err // not a nil *TextError in a non-nil interface
	}
	return n, nil
}

func checkHumanText(field, s string) (string, *TextError) {
	if !utf8.ValidString(s) {
		return "", &TextError{Field: field, Pos: invalidUTF8Pos(s), Rune: utf8.RuneError,
			Reason: "not valid UTF-8", Fix: "send the value as UTF-8 text"}
	}
	n := s
	if !nfcInert(s) {
		n = norm.NFC.String(s)
	}
	pos := 0
	var wordScript *unicode.RangeTable
	wordStart := 0
	for i, r := range n {
		pos++
		sc := letterScript(r)
		if sc == nil {
			if reason, fix := badRune(r); reason != "" {
				var kind error
				if unicode.Is(unicode.Cc, r) {
					kind = errControl
				}
				return "", &TextError{Field: field, Pos: pos, Rune: r, Reason: reason, Fix: fix, kind: kind}
			}
			wordScript = nil
			continue
		}
		if wordScript == nil {
			wordScript, wordStart = sc, i
			continue
		}
		if sc != wordScript {
			return "", &TextError{Field: field, Pos: pos, Rune: r,
				Reason: fmt.Sprintf("a %s letter in a word of %s letters (%q)", scriptName(sc), scriptName(wordScript), word(n, wordStart)),
				Fix:    "type the whole word in one alphabet (Cyrillic names in Cyrillic, Latin in Latin)"}
		}
	}
	return n, nil
}

// letterScript returns the script of a letter, nil for anything else.
// ASCII and the Russian alphabet, nearly all the text there is, take a
// fast path.
func letterScript(r rune) *unicode.RangeTable {
	switch {
	case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
		return unicode.Latin
	case r < 0x80:
		return nil
	case 0x0410 <= r && r <= 0x044F || r == 0x0401 || r == 0x0451:
		return unicode.Cyrillic
	case 0xFF01 <= r && r <= 0xFF60 || 0x1D400 <= r && r <= 0x1D7FF:
		return nil // refused by badRune
	case unicode.IsLetter(r):
		return scriptOf(r)
	}
	return nil
}

// nfcInert reports text NFC leaves as it is because every character is
// ASCII, a letter of the Russian alphabet or common typographic
// punctuation: precomposed or plain characters that no following
// character here can combine with. Other text goes through norm.NFC.
func nfcInert(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x80, 0x0410 <= r && r <= 0x044F, r == 0x0401, r == 0x0451:
		case r == '«' || r == '»' || r == '–' || r == '—' || r == '№' || r == '“' || r == '”' || r == '„' || r == '’':
		default:
			return false
		}
	}
	return true
}

// badRune returns why r may not appear in human text, and the fix; ""
// when it may.
func badRune(r rune) (reason, fix string) {
	const drop = "remove it (it is invisible or changes how the text is shown) and send the text again"
	switch {
	case 0xFF01 <= r && r <= 0xFF60 || 0xFFE0 <= r && r <= 0xFFEE || 0x1D400 <= r && r <= 0x1D7FF:
		return "a fullwidth or mathematical look-alike of an ordinary character", "type the ordinary character"
	case 0x20 <= r && r < 0x7F || unicode.IsLetter(r) || unicode.IsDigit(r):
		return "", ""
	case unicode.Is(unicode.Cc, r):
		return "a control character", drop
	case unicode.Is(unicode.Cf, r):
		return "a format character (bidi control, zero-width character, BOM or soft hyphen)", drop
	case unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
		return "a line or paragraph separator", drop
	case unicode.Is(unicode.Zs, r):
		return "a space other than U+0020", "use an ordinary space (U+0020)"
	case unicode.Is(unicode.Co, r):
		return "a private-use character", drop
	case unicode.Is(unicode.M, r):
		return "a combining mark with no composed form", "use the precomposed letter, or remove the mark"
	case !isAssigned(r):
		return "an unassigned code point", drop
	}
	return "", ""
}

// isAssigned: r belongs to some general category other than Cn
// (unassigned; newer Go versions list it, and the C group holding it,
// in unicode.Categories).
func isAssigned(r rune) bool {
	for name, t := range unicode.Categories {
		if name != "Cn" && name != "C" && unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// scriptOf returns the script table of a letter: the common ones first,
// then a search of all scripts (letters outside every script table are
// grouped as one unnamed script).
func scriptOf(r rune) *unicode.RangeTable {
	for _, t := range commonScripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	for _, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	return unknownScript
}

var (
	commonScripts = []*unicode.RangeTable{unicode.Cyrillic, unicode.Latin, unicode.Greek}
	unknownScript = &unicode.RangeTable{}
)

func scriptName(t *unicode.RangeTable) string {
	for name, s := range unicode.Scripts {
		if s == t {
			return name
		}
	}
	return "unknown-script"
}

// word returns the run of letters of s starting at byte i.
func word(s string, i int) string {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) {
			break
		}
		j += size
	}
	return s[i:j]
}

// invalidUTF8Pos is the 1-based character position of the first invalid
// byte sequence in s.
func invalidUTF8Pos(s string) int {
	pos := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		pos++
		if r == utf8.RuneError && size <= 1 {
			return pos
		}
		i += size
	}
	return pos
}

// Normalize replaces every text field of s (CN, SN, GN, ST, L, street,
// O, OU, title) by its NFC form after checking it with CheckHumanText;
// it stops at the first refused field and then changes nothing. Call it
// on request data before Validate, which refuses text not in NFC.
func (s *Subject) Normalize() error {
	var out [len(subjectOrder)]string
	for i := range subjectOrder {
		f := &subjectOrder[i]
		v := *f.ptr(s)
		if f.kind != kindText || v == "" {
			continue
		}
		n, err := checkHumanText(f.name, v)
		if err != nil {
			err.inAttr = true
			return &AttributeError{Attr: f.name, Err: err}
		}
		out[i] = n
	}
	for i := range subjectOrder {
		if out[i] != "" {
			*subjectOrder[i].ptr(s) = out[i]
		}
	}
	return nil
}

// checkText is the kindText rule of Subject.Validate: CheckHumanText,
// and the value must already be in NFC (a certificate holds exactly the
// bytes that were validated; Normalize converts request data).
func checkText(field, v string) *TextError {
	n, err := checkHumanText(field, v)
	if err != nil {
		return err
	}
	if field == "SN" || field == "GN" {
		if err := checkPersonalName(field, n); err != nil {
			return err
		}
	}
	if n != v {
		off := runeStartBefore(v, n)
		r, _ := utf8.DecodeRuneInString(v[off:])
		// Point at the mark NFC would have composed, when there is one.
		for j, m := range v[off:] {
			if unicode.Is(unicode.M, m) {
				off, r = off+j, m
				break
			}
		}
		return &TextError{Field: field, Pos: utf8.RuneCountInString(v[:off]) + 1, Rune: r,
			Reason: "the text is not in Unicode NFC (a letter and its accent sent as two characters)",
			Fix:    "send the composed form (NFC), e.g. \"й\" as U+0439 rather than \"и\" + U+0306"}
	}
	return nil
}

// runeStartBefore is the byte offset of the first character where a and b
// differ.
func runeStartBefore(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	for i > 0 && i < len(a) && !utf8.RuneStart(a[i]) {
		i--
	}
	return i
}

// CheckPersonalName is CheckHumanText for a surname, given name or
// patronymic (the RA's owner data): besides the text rules, only
// letters, spaces, hyphens, apostrophes and dots. It returns the NFC
// form.
func CheckPersonalName(field, s string) (string, error) {
	n, err := checkHumanText(field, s)
	if err != nil {
		return "", err
	}
	if err := checkPersonalName(field, n); err != nil {
		return "", err
	}
	return n, nil
}

// checkPersonalName: a surname or given name (with patronymic) holds
// letters, spaces, hyphens, apostrophes and dots only. A digit there is
// never part of a name and is how "0" passes for "О" ("Ив0нов").
func checkPersonalName(field, v string) *TextError {
	pos := 0
	for _, r := range v {
		pos++
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || 0x0410 <= r && r <= 0x044F || r == 0x0401 || r == 0x0451 {
			continue // ASCII and Russian letters without the table search
		}
		if unicode.IsLetter(r) || r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.' {
			continue
		}
		return &TextError{Field: field, Pos: pos, Rune: r, Reason: "not a letter, space, hyphen, apostrophe or dot, which are all a personal name holds",
			Fix: "send the name as in the identity document"}
	}
	return nil
}
