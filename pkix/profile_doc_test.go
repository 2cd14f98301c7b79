package pkix

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// docs/profile.md describes every shipped profile with its lifetimes,
// and every lint; this keeps it from drifting away from the code.
func TestProfileDocCoversCode(t *testing.T) {
	raw, err := os.ReadFile("../docs/profile.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, p := range Profiles() {
		row := ""
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, "| `"+p.Name+"` | ") && strings.Count(l, "|") == 8 {
				row = l
				break
			}
		}
		if row == "" {
			t.Errorf("docs/profile.md: no row for profile %s in the profile table", p.Name)
			continue
		}
		cells := strings.Split(row, "|")
		ku := "—"
		if p.KeyUsageMonths > 0 {
			ku = strconv.Itoa(p.KeyUsageMonths)
		}
		if got := strings.TrimSpace(cells[3]); got != strconv.Itoa(p.ValidityMonths) {
			t.Errorf("docs/profile.md: %s validity %q, code %d", p.Name, got, p.ValidityMonths)
		}
		if got := strings.TrimSpace(cells[4]); got != ku {
			t.Errorf("docs/profile.md: %s key usage period %q, code %s", p.Name, got, ku)
		}
	}
	for _, l := range Lints() {
		if !strings.Contains(doc, "| `"+l.ID+"` |") {
			t.Errorf("docs/profile.md does not list lint %s", l.ID)
		}
	}
}
