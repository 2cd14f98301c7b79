package orgrecord

import (
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/store"
)

// TestMerge: the first record is taken; an answer asked earlier than
// the stored one is not; the same head written differently keeps the
// head's date (none); another head dates the change by its answer; an
// answer naming nobody keeps the stored head and date; the audit
// details name fields, never values.
func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	org := store.Organisation{Name: `ООО "Ромашка"`, INN: "7712345671", OGRN: "1027700123450"}
	ivanov := store.RegistryPerson{Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович"}
	rec := func(asOf time.Time, name string, head store.RegistryPerson) *store.OrgRecord {
		g := org
		g.Name = name
		return &store.OrgRecord{Registry: "egrul", Org: g, Head: head, AsOf: asOf, Application: "app"}
	}
	first, details := Merge(nil, rec(t0, org.Name, ivanov))
	if first == nil || !strings.Contains(details, "first record") || !first.HeadChanged.IsZero() {
		t.Fatalf("first: %+v %q", first, details)
	}
	if r, _ := Merge(first, rec(t0.Add(-time.Minute), "другое", ivanov)); r != nil {
		t.Fatalf("an earlier answer replaced the record: %+v", r)
	}
	shouted := ivanov
	shouted.Surname, shouted.Position = "ИВАНОВ", "Директор"
	same, details := Merge(first, rec(t0.Add(time.Hour), `ооо «Ромашка»`, shouted))
	if same == nil || !same.HeadChanged.IsZero() || !strings.HasSuffix(details, "; unchanged") {
		t.Fatalf("the same data written differently: %+v %q", same, details)
	}
	petrova := store.RegistryPerson{Surname: "Петрова", GivenName: "Ольга"}
	changed, details := Merge(same, rec(t0.Add(2*time.Hour), "ООО Ромашка-Плюс", petrova))
	if changed == nil || !changed.HeadChanged.Equal(t0.Add(2*time.Hour)) || !strings.HasSuffix(details, "changed organisation.name, head") ||
		strings.Contains(details, "Петрова") || strings.Contains(details, "Плюс") {
		t.Fatalf("a new head: %+v %q", changed, details)
	}
	kept, _ := Merge(changed, rec(t0.Add(3*time.Hour), "ООО Ромашка-Плюс", store.RegistryPerson{}))
	if kept == nil || kept.Head != petrova || !kept.HeadChanged.Equal(t0.Add(2*time.Hour)) || !kept.AsOf.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("an answer naming nobody: %+v", kept)
	}
	if errs := ValidateHead(&store.RegistryPerson{Surname: "Иванов", GivenName: "Иван\x00"}); len(errs) != 1 || errs[0].Field != "organisation.head.given_name" {
		t.Fatalf("a control character: %v", errs)
	}
}
