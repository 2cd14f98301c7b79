package safexml

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func TestCheck(t *testing.T) {
	win, err := charmap.Windows1251.NewEncoder().String(`<?xml version="1.0" encoding="windows-1251"?><Доверенность А="ё"/>`)
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"utf-8":        `<?xml version="1.0" encoding="UTF-8"?>` + "\n<Доверенность><a x='1'>&amp;&#1025;</a><!-- c --></Доверенность>\n",
		"no decl":      `<r/>`,
		"bom":          "\xEF\xBB\xBF<r/>",
		"windows-1251": win,
	}
	for name, doc := range good {
		if _, err := Check([]byte(doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if root, _ := Check([]byte(win)); root != "Доверенность" {
		t.Errorf("windows-1251 root %q", root)
	}
	bad := map[string]string{
		"doctype":           `<!DOCTYPE r><r/>`,
		"xxe":               `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`,
		"billion laughs":    `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>`,
		"undeclared entity": `<r>&x;</r>`,
		"pi":                `<r><?php x ?></r>`,
		"late decl":         `<r/><?xml version="1.0"?>`,
		"unclosed":          `<r><a></r>`,
		"two roots":         `<r/><s/>`,
		"text outside":      `<r/>x`,
		"empty":             ``,
		"no root":           `   `,
		"koi8":              `<?xml version="1.0" encoding="koi8-r"?><r/>`,
		"bad utf-8":         "<r>\xff</r>",
		"deep":              strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1),
		"many":              "<r>" + strings.Repeat("<a/>", MaxElements) + "</r>",
		"big":               "<r>" + strings.Repeat("x", MaxSize) + "</r>",
	}
	for name, doc := range bad {
		if _, err := Check([]byte(doc)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestLooksLikeXML(t *testing.T) {
	for s, want := range map[string]bool{"<?xml": true, " \n<r": true, "<Д": true, "<!D": true, "%PDF": false, "<": false, "< x": false, "MZ": false} {
		if LooksLikeXML([]byte(s)) != want {
			t.Errorf("%q: want %v", s, want)
		}
	}
}

// FuzzCheck: arbitrary input never panics and is accepted only without
// DOCTYPE.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1251"?><r a="b"><c/></r>`))
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>`))
	f.Add([]byte(`<r>&#1025;&lt;</r>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Check(data)
		if err == nil && strings.Contains(string(data), "<!DOCTYPE") && !strings.Contains(string(data), "<!--") && !strings.Contains(string(data), "CDATA") {
			t.Fatalf("accepted a DOCTYPE: %q", data)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
