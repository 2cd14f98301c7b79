package appdata

import (
	"slices"
	"testing"

	"github.com/gostca/gostca/store"
)

func TestFoldText(t *testing.T) {
	same := [][]string{
		{`ООО "Ромашка-Тест"`, `ооо «Ромашка-Тест»`, `ООО  “Ромашка–Тест”`, "ООО\u00a0„Ромашка—Тест“", ` ООО 'Ромашка - Тест' `, `ООО"Ромашка-Тест"`},
		{"ул. Тестовая, д. 5", "ул.Тестовая,д.5", "УЛ. ТЕСТОВАЯ , Д. 5", "ул.\tТестовая,\nд.5"},
		{"Берёзовая роща", "БЕРЕЗОВАЯ РОЩА"},
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if FoldText(s) != FoldText(group[0]) {
				t.Errorf("%q folds to %q, %q to %q", s, FoldText(s), group[0], FoldText(group[0]))
			}
		}
	}
	differ := [][2]string{
		{`ООО "Ромашка-Тест"`, `ООО "Ромашка-Плюс"`},
		{`ООО "Ромашка"`, `АО "Ромашка"`},
		{`ООО "Ромашка"`, `Общество с ограниченной ответственностью "Ромашка"`},
		{"ул. Тестовая, д. 5", "ул. Тестовая, д. 15"},
		{"Рома шка", "Ромашка"},
	}
	for _, d := range differ {
		if FoldText(d[0]) == FoldText(d[1]) {
			t.Errorf("%q and %q fold alike (%q)", d[0], d[1], FoldText(d[0]))
		}
	}
	if got := FoldText(` «ООО»  Ромашка `); got != "ооо ромашка" {
		t.Errorf("FoldText = %q", got)
	}
}

func TestOrgChanges(t *testing.T) {
	cert := store.Organisation{Name: `ООО "Ромашка-Тест"`, INN: "7712345671", KPP: "771201001", OGRN: "1027700123450",
		Region: "77 г. Москва", Locality: "Москва", Street: "ул. Тестовая, д. 5"}
	reg := cert
	reg.Name, reg.Street, reg.Region, reg.INN = `ооо «РОМАШКА-ТЕСТ»`, "ул.Тестовая,д.5", "77 Г. МОСКВА", " 7712345671 "
	if got := OrgChanges(&cert, &reg); len(got) != 0 {
		t.Fatalf("the same data written differently: %v", got)
	}
	reg.Name, reg.KPP, reg.Street = `ООО "Ромашка-Плюс"`, "771301001", "ул. Новая, д. 1"
	if got, want := OrgChanges(&cert, &reg), []string{"organisation.name", "organisation.kpp", "organisation.address.street"}; !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	// A field the certificate's data leave empty is not compared.
	cert.KPP, reg = "", cert
	reg.KPP = "771201001"
	if got := OrgChanges(&cert, &reg); len(got) != 0 {
		t.Fatalf("a field the certificate lacks: %v", got)
	}
	// A field the registry no longer has is a change.
	reg = cert
	reg.OGRN = ""
	if got := OrgChanges(&cert, &reg); !slices.Equal(got, []string{"organisation.ogrn"}) {
		t.Fatalf("a field the registry dropped: %v", got)
	}
}

func TestSamePerson(t *testing.T) {
	ivanov := store.RegistryPerson{Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович", INN: "500100123426", Position: "Генеральный директор"}
	cases := []struct {
		name string
		x, y store.RegistryPerson
		same bool
	}{
		{"identical", ivanov, ivanov, true},
		{"another title", ivanov, store.RegistryPerson{Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович", INN: "500100123426", Position: "Директор"}, true},
		{"name written differently, no INN", ivanov, store.RegistryPerson{Surname: "ИВАНОВ ", GivenName: "иван", Patronymic: "Иванович"}, true},
		{"new surname, same INN", ivanov, store.RegistryPerson{Surname: "Петров", GivenName: "Иван", Patronymic: "Иванович", INN: "500100123426"}, true},
		{"same name, another INN", ivanov, store.RegistryPerson{Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович", INN: "773301234565"}, false},
		{"another person", ivanov, store.RegistryPerson{Surname: "Сидорова", GivenName: "Мария", Patronymic: "Петровна"}, false},
		{"patronymic differs", ivanov, store.RegistryPerson{Surname: "Иванов", GivenName: "Иван", Patronymic: "Петрович"}, false},
		{"nobody named twice", store.RegistryPerson{}, store.RegistryPerson{}, true},
		{"nobody and someone", store.RegistryPerson{}, ivanov, false},
	}
	for _, c := range cases {
		if got := SamePerson(c.x, c.y); got != c.same {
			t.Errorf("%s: SamePerson = %v", c.name, got)
		}
		if got := SamePerson(c.y, c.x); got != c.same {
			t.Errorf("%s (swapped): SamePerson = %v", c.name, got)
		}
	}
}
