package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// appN is a minimal valid application n of a centre.
func appN(n int, centre string) *Application {
	return &Application{
		ID: fmt.Sprintf("app-%04d", n), Kind: AppKindNew, CertType: "natural-person", Centre: centre,
		Phone: fmt.Sprintf("+79%09d", n), State: AppNew, StateSince: t0.Add(time.Duration(n) * time.Second),
		CreatedAt: t0.Add(time.Duration(n) * time.Second), CreatedBy: "token:sc1/service_centre/" + centre,
	}
}

// fullApp fills every field of a record, so that a round trip that drops
// or reorders one shows.
func fullApp() *Application {
	at := func(d int) time.Time { return t0.Add(time.Duration(d) * time.Minute) }
	return &Application{
		ID: "0123456789abcdef-x", Version: 7, Kind: AppKindReplacement, Replaces: []byte{0x40, 1, 2},
		CertType: "employee", Centre: "moscow-1", Phone: "+79161234567", Recipient: "ООО «Ромашка»",
		State: AppReadyToIssue, StateSince: at(1), CreatedAt: at(0), CreatedBy: "token:a/service_centre/moscow-1",
		UpdatedAt: at(2), Deadline: at(100000), Assignee: "token:op1/ca_operator", ReviewStep: 1,
		Owner: Owner{
			Surname: "Ёлкина", GivenName: "Анна-Мария", Patronymic: "", Sex: SexFemale,
			BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Тверь",
			IDDoc: IdentityDocument{Type: IDRussianPassport, Series: "4510", Number: "123456",
				IssuedOn: time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC), Issuer: "ОВД", IssuerCode: "770-001"},
			Citizenship: "RU", SNILS: "11223344595", INN: "500100123426", Email: "a@example.ru", Position: "бухгалтер",
		},
		Org: Organisation{Name: "ООО «Ромашка»", INN: "7707083893", KPP: "773601001", OGRN: "1027700132195",
			Region: "77 г. Москва", Locality: "Москва", Street: "ул. Вавилова, 19", UpdatedAt: at(3)},
		Documents: []Document{
			{ID: "d1", Type: "passport", SHA256: sha256.Sum256([]byte("p")), Size: 1 << 20, ContentType: "image/jpeg", AddedBy: "x", AddedAt: at(4)},
			{ID: "d2", Type: "mchd", SHA256: sha256.Sum256([]byte("m")), Size: 3, ContentType: "application/xml", AddedBy: "y", AddedAt: at(5)},
		},
		Checks: []RegistryCheck{{Kind: "snils", Status: CheckConfirmed, RequestedAt: at(6), AnsweredAt: at(7), Detail: "ok"},
			{Kind: "inn", Status: CheckPending, RequestedAt: at(6)}},
		Reviews: []Review{
			{Step: "ca_operator", Round: 1, Reviewer: "op1", At: at(8), Reasons: []ReviewReason{{Target: "owner.surname", Code: "mismatch", Text: "не совпадает с паспортом"}}},
			{Step: "ca_operator", Round: 2, Reviewer: "op1", Approved: true, At: at(9)},
		},
		Identity: Identification{Method: IdentInPerson, VerifiedBy: "sc", At: at(10), Presenter: PresenterRepresentative,
			Representative: "Петров Пётр", Document: "паспорт 4510 123456", CertSerial: []byte{9}},
		Editors:      []string{"token:a/service_centre/moscow-1", "cabinet:+79161234567"},
		IssueAttempt: 2, Serial: []byte{0x51, 0x52}, Round: 3,
	}
}

func TestAppEventCodec(t *testing.T) {
	ev := &AppEvent{Version: 4, At: t0, Actor: "token:x", Action: "reject", From: AppInReview, To: AppRejected, Note: "шаг ca_operator"}
	b := encodeAppEvent(ev)
	got, err := decodeAppEvent(4, b)
	if err != nil || !reflect.DeepEqual(got, ev) {
		t.Fatalf("round trip %+v %v", got, err)
	}
	for n := 0; n < len(b); n++ {
		if _, err := decodeAppEvent(4, b[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
}

func TestAppCodecRoundTrip(t *testing.T) {
	a := fullApp()
	b := encodeApp(a)
	got, err := decodeApp(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, a)
	}
	// Every truncation and any trailing byte is corrupt, never a panic
	// or a silently shorter record.
	for n := 0; n < len(b); n++ {
		if _, err := decodeApp(b[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d of %d bytes: %v", n, len(b), err)
		}
	}
	if _, err := decodeApp(append(append([]byte(nil), b...), 0)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("trailing byte: %v", err)
	}
	bad := append([]byte(nil), b...)
	bad[0] = 9
	if _, err := decodeApp(bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("unknown version: %v", err)
	}
}

// event is a minimal history event leading to state to.
func event(to AppState) AppEvent { return AppEvent{Actor: "tester", Action: "app_test", To: to} }

func put(t *testing.T, s *Store, a *Application, expect uint64, ch AppChange) {
	t.Helper()
	if ch.Audit.Actor == "" {
		ch.Audit = AuditEntry{Actor: "tester", Action: "app_test"}
	}
	if ch.Event.Actor == "" {
		ch.Event = event(a.State)
	}
	if err := s.PutApplication(ctx, a, expect, ch); err != nil {
		t.Fatalf("PutApplication %s expect %d: %v", a.ID, expect, err)
	}
}

func findIDs(t *testing.T, s *Store, q AppQuery) []string {
	t.Helper()
	page, _, err := s.FindApplications(ctx, q)
	if err != nil {
		t.Fatalf("FindApplications %+v: %v", q, err)
	}
	var ids []string
	for _, a := range page {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestPutApplicationWritesRecordIndexesAuditOutbox(t *testing.T) {
	s := newStore(t)
	a := appN(1, "c1")
	put(t, s, a, 0, AppChange{
		Audit:  AuditEntry{Actor: "token:x", Action: "app_create", Details: "d"},
		Outbox: []OutboxRow{{Kind: "sms", Payload: []byte(`{"a":1}`)}},
	})
	if a.Version != 1 || a.UpdatedAt.IsZero() {
		t.Fatalf("version %d updated %v", a.Version, a.UpdatedAt)
	}
	got, err := s.Application(ctx, a.ID)
	if err != nil || got.Version != 1 || got.Phone != a.Phone {
		t.Fatalf("Application: %+v %v", got, err)
	}
	entries, _, err := s.AuditEntries(ctx, "", 0)
	if err != nil || len(entries) != 1 || entries[0].Subject != "application:"+a.ID || entries[0].Action != "app_create" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	rows, err := s.OutboxPending(ctx, "sms", 10)
	if err != nil || len(rows) != 1 || string(rows[0].Payload) != `{"a":1}` {
		t.Fatalf("outbox: %+v %v", rows, err)
	}

	// A change of phone, owner identifiers and state moves the index
	// entries: the old values find nothing.
	oldPhone := a.Phone
	b := *a
	b.Phone, b.Owner.SNILS, b.Owner.INN = "+79990000001", "11223344595", "500100123426"
	b.State, b.StateSince = AppSubmitted, t0.Add(time.Hour)
	put(t, s, &b, 1, AppChange{})
	cases := []struct {
		q    AppQuery
		want int
	}{
		{AppQuery{Field: ByAppPhone, Value: oldPhone}, 0},
		{AppQuery{Field: ByAppPhone, Value: "+79990000001"}, 1},
		{AppQuery{Field: ByAppSNILS, Value: "11223344595"}, 1},
		{AppQuery{Field: ByAppINN, Value: "500100123426"}, 1},
		{AppQuery{Field: ByAppState, Value: "new"}, 0},
		{AppQuery{Field: ByAppState, Value: "submitted"}, 1},
		{AppQuery{Field: ByAppCentre, Value: "c1"}, 1},
		{AppQuery{Field: ByAppCentre, Value: "c1", State: AppNew}, 0},
		{AppQuery{Field: ByAppCentre, Value: "c2"}, 0},
	}
	for _, c := range cases {
		if got := findIDs(t, s, c.q); len(got) != c.want {
			t.Errorf("%+v: %v, want %d", c.q, got, c.want)
		}
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() || rep.Applications != 1 {
		t.Fatalf("Check: %+v %v", rep, err)
	}
	// One event per version, in order, never rewritten.
	hist, err := s.ApplicationHistory(ctx, a.ID)
	if err != nil || len(hist) != 2 || hist[0].Version != 1 || hist[0].To != AppNew || hist[1].Version != 2 ||
		hist[1].To != AppSubmitted || hist[0].At.IsZero() {
		t.Fatalf("history %+v %v", hist, err)
	}
}

func TestPutApplicationConflictWritesNothing(t *testing.T) {
	s := newStore(t)
	a := appN(1, "c1")
	put(t, s, a, 0, AppChange{})
	seq, head, _ := s.AuditHead(ctx)
	outSeq := s.outboxSeq

	try := func(what string, b *Application, expect uint64, want error) {
		t.Helper()
		err := s.PutApplication(ctx, b, expect, AppChange{Audit: AuditEntry{Actor: "x", Action: "y"},
			Event: event(b.State), Outbox: []OutboxRow{{Kind: "sms"}}})
		if !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", what, err, want)
		}
		if seq2, head2, _ := s.AuditHead(ctx); seq2 != seq || head2 != head || s.outboxSeq != outSeq {
			t.Fatalf("%s: audit or outbox written", what)
		}
	}
	again := appN(1, "c1")
	try("create twice", again, 0, ErrConflict)
	stale := *a
	stale.Phone = "+79990000002"
	try("stale version", &stale, 5, ErrConflict)
	try("unknown id", appN(2, "c1"), 1, ErrNotFound)
	bad := *a
	bad.Phone = "89161234567"
	try("phone not canonical", &bad, 1, ErrInvalidInput)
	bad = *a
	bad.ID = "Bad ID"
	try("bad id", &bad, 1, ErrInvalidInput)
	bad = *a
	bad.Centre = "c2"
	try("centre moved", &bad, 1, ErrInvalidInput)
	bad = *a
	bad.Owner.SNILS = "123"
	try("SNILS not canonical", &bad, 1, ErrInvalidInput)
	bad = *a
	bad.Documents = []Document{{ID: "d", Type: "passport"}, {ID: "d", Type: "snils"}}
	try("document id twice", &bad, 1, ErrInvalidInput)
	if err := s.PutApplication(ctx, a, 1, AppChange{Audit: AuditEntry{Actor: "x", Action: "y"}}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("no history event: %v", err)
	}

	got, err := s.Application(ctx, a.ID)
	if err != nil || got.Version != 1 || got.Phone != a.Phone {
		t.Fatalf("after refused writes: %+v %v", got, err)
	}
}

// TestPutApplicationRace: writers that read the same version race; the
// compare-and-set lets exactly one through.
func TestPutApplicationRace(t *testing.T) {
	s := newStore(t)
	a := appN(1, "c1")
	put(t, s, a, 0, AppChange{})
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b := *a
			b.Recipient = fmt.Sprint("writer ", i)
			errs[i] = s.PutApplication(ctx, &b, 1, AppChange{Audit: AuditEntry{Actor: fmt.Sprint("w", i), Action: "edit"},
				Event: AppEvent{Actor: fmt.Sprint("w", i), Action: "edit", To: b.State}})
		}(i)
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Fatalf("writers %d and %d both won", won, i)
		case !errors.Is(err, ErrConflict):
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	got, _ := s.Application(ctx, a.ID)
	if won < 0 || got.Version != 2 || got.Recipient != fmt.Sprint("writer ", won) {
		t.Fatalf("winner %d, stored %+v", won, got)
	}
	if seq, _, _ := s.AuditHead(ctx); seq != 2 {
		t.Fatalf("audit entries %d, want 2 (create + the one winner)", seq)
	}
	hist, err := s.ApplicationHistory(ctx, a.ID)
	if err != nil || len(hist) != 2 || hist[1].Actor != fmt.Sprint("w", won) || hist[1].Version != 2 {
		t.Fatalf("history %+v %v", hist, err)
	}
}

func TestFindApplicationsPagesAndFilters(t *testing.T) {
	s := newStore(t)
	for i := 1; i <= 7; i++ {
		c := "c1"
		if i%2 == 0 {
			c = "c2"
		}
		put(t, s, appN(i, c), 0, AppChange{})
	}
	var all []string
	cursor := ""
	for {
		page, next, err := s.FindApplications(ctx, AppQuery{Field: ByAppState, Value: "new", Centre: "c1", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			all = append(all, a.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	want := []string{"app-0001", "app-0003", "app-0005", "app-0007"}
	if !reflect.DeepEqual(all, want) {
		t.Fatalf("queue of c1: %v, want %v (oldest first)", all, want)
	}
	for _, q := range []AppQuery{
		{Field: ByAppState, Value: "nonsense"}, {Field: ByAppPhone, Value: "+7916"}, {Field: ByAppSNILS, Value: "x"},
		{Field: 99, Value: "x"}, {Field: ByAppCentre, Value: "bad centre"}, {Field: ByAppCentre, Value: "c1", Cursor: "!!"},
	} {
		if _, _, err := s.FindApplications(ctx, q); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: %v, want ErrInvalidInput", q, err)
		}
	}
}

func TestCheckFindsApplicationIndexDamage(t *testing.T) {
	s := newStore(t)
	a := appN(1, "c1")
	put(t, s, a, 0, AppChange{})
	// Remove the phone index entry and add one for a phone the record
	// does not carry.
	if err := s.db.Delete(appIndexKey(ByAppPhone, a.Phone, a.CreatedAt, a.ID), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(appIndexKey(ByAppPhone, "+79000000000", a.CreatedAt, a.ID), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Set(appStateKey(AppNew, t0, "ghost"), nil, nil); err != nil {
		t.Fatal(err)
	}
	// An event of a version the application has not reached.
	if err := s.db.Set(appEventKey(a.ID, 5), encodeAppEvent(&AppEvent{Actor: "x", Action: "y", To: AppNew}), nil); err != nil {
		t.Fatal(err)
	}
	rep, kinds := problemsOf(t, s, nil, nil)
	if kinds["missing-index"] != 1 || kinds["dangling-index"] != 2 || kinds["mismatch"] != 2 || rep.TotalProblems != 5 {
		t.Fatalf("problems: %v", rep.Problems)
	}
}

// FuzzDecodeApp: no input panics the decoder or makes it allocate beyond
// the input, and whatever decodes re-encodes to the same bytes (one
// encoding per record).
func FuzzDecodeApp(f *testing.F) {
	for _, a := range []*Application{fullApp(), appN(1, "c1")} {
		b := encodeApp(a)
		for i := 0; i < len(b); i += 7 {
			f.Add(b[:i])
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeApp(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if got := encodeApp(a); string(got) != string(b) {
			t.Fatalf("application encoding is not canonical")
		}
	})
}

func FuzzDecodeAppEvent(f *testing.F) {
	f.Add(encodeAppEvent(&AppEvent{At: t0, Actor: "a", Action: "b", From: AppNew, To: AppFilling, Note: "n"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := decodeAppEvent(1, b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if got := encodeAppEvent(ev); string(got) != string(b) {
			t.Fatalf("event encoding is not canonical")
		}
	})
}

// TestApplicationsSurviveReopen: an acknowledged application is there,
// indexed and consistent, after the store is closed and opened again.
func TestApplicationsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	a := fullApp()
	a.Version = 0
	put(t, s, a, 0, AppChange{Outbox: []OutboxRow{{Kind: "sms", Payload: []byte("x")}}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	got, err := s.Application(ctx, a.ID)
	if err != nil || got.Version != 1 || !reflect.DeepEqual(got.Documents, a.Documents) {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	if ids := findIDs(t, s, AppQuery{Field: ByAppSNILS, Value: a.Owner.SNILS}); len(ids) != 1 {
		t.Fatalf("SNILS index after reopen: %v", ids)
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() || rep.Applications != 1 || rep.OutboxRows != 1 || rep.AuditEntries != 1 {
		t.Fatalf("Check after reopen: %+v %v", rep, err)
	}
	if hist, err := s.ApplicationHistory(ctx, a.ID); err != nil || len(hist) != 1 {
		t.Fatalf("history after reopen: %+v %v", hist, err)
	}
}
