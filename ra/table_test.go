package ra_test

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/identity"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/ra/registry"
	"github.com/gostca/gostca/store"
)

// allStates is every application state.
var allStates = []store.AppState{store.AppNew, store.AppFilling, store.AppSubmitted, store.AppInReview,
	store.AppRejected, store.AppApproved, store.AppIdentityVerified, store.AppReadyToIssue, store.AppIssuing,
	store.AppIssued, store.AppCancelled, store.AppExpired}

// expected is the state machine written out independently of rules.go:
// who may take each action, from which states.
var expected = map[ra.Action]struct {
	actors []ra.ActorKind
	states []store.AppState
}{
	ra.ActUpdateData:     {[]ra.ActorKind{ra.ServiceCentre, ra.Operator, ra.Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ra.ActAddDocument:    {[]ra.ActorKind{ra.ServiceCentre, ra.Operator, ra.Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ra.ActRemoveDocument: {[]ra.ActorKind{ra.ServiceCentre, ra.Operator, ra.Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ra.ActRegistryAnswer: {[]ra.ActorKind{ra.System}, allStates[:8]},
	ra.ActSubmit:         {[]ra.ActorKind{ra.ServiceCentre, ra.Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ra.ActClaim:          {[]ra.ActorKind{ra.Operator}, []store.AppState{store.AppSubmitted}},
	ra.ActUnclaim:        {[]ra.ActorKind{ra.Operator}, []store.AppState{store.AppInReview}},
	ra.ActApprove:        {[]ra.ActorKind{ra.Operator}, []store.AppState{store.AppInReview}},
	ra.ActReject:         {[]ra.ActorKind{ra.Operator}, []store.AppState{store.AppInReview}},
	ra.ActVerifyIdentity: {[]ra.ActorKind{ra.ServiceCentre, ra.Cabinet}, []store.AppState{store.AppApproved}},
	ra.ActSendToCabinet:  {[]ra.ActorKind{ra.ServiceCentre, ra.Operator}, []store.AppState{store.AppIdentityVerified}},
	ra.ActTakeBack:       {[]ra.ActorKind{ra.ServiceCentre, ra.Operator}, []store.AppState{store.AppReadyToIssue}},
	ra.ActConsent:        {[]ra.ActorKind{ra.Cabinet}, []store.AppState{store.AppReadyToIssue}},
	ra.ActIssue:          {[]ra.ActorKind{ra.Cabinet}, []store.AppState{store.AppReadyToIssue, store.AppIssuing}},
	ra.ActCancel:         {[]ra.ActorKind{ra.ServiceCentre, ra.Operator}, allStates[:8]},
	ra.ActExpire:         {[]ra.ActorKind{ra.System}, allStates[:8]},
}

// preconditions are the allowed cells whose inputs (valid in general)
// still fail on the fixture of that state, with the exact code.
var preconditions = map[ra.Action]map[store.AppState]ra.Code{
	ra.ActSubmit:         {store.AppNew: ra.CodeIncomplete},       // nothing filled yet
	ra.ActRemoveDocument: {store.AppNew: ra.CodeDocumentNotFound}, // no documents yet
	ra.ActRegistryAnswer: {store.AppNew: ra.CodeStaleCheck},       // no passport check asked yet
}

type cellActor struct {
	name    string
	kind    ra.ActorKind
	foreign bool
	actor   func(a *store.Application) ra.Actor
}

var cellActors = []cellActor{
	{"centre", ra.ServiceCentre, false, func(*store.Application) ra.Actor { return ratest.ScActor }},
	{"foreign centre", ra.ServiceCentre, true, func(*store.Application) ra.Actor { return ratest.ForeignCentre }},
	{"operator", ra.Operator, false, func(*store.Application) ra.Actor { return ratest.Op1 }},
	{"cabinet", ra.Cabinet, false, ratest.CabinetFor},
	{"foreign cabinet", ra.Cabinet, true, func(*store.Application) ra.Actor { return ratest.ForeignCabinet }},
	{"system", ra.System, false, func(*store.Application) ra.Actor { return ratest.SystemActor }},
}

// doAction calls one action with inputs valid for the fixture.
func doAction(h *ratest.H, act ra.Action, actor ra.Actor, a *store.Application) (*store.Application, error) {
	switch act {
	case ra.ActUpdateData:
		o := ratest.Owner()
		o.BirthPlace = "г. Тула"
		return h.Svc.UpdateData(ctx, actor, a.ID, a.Version, ra.Data{Phone: a.Phone, Owner: o})
	case ra.ActAddDocument:
		return h.Svc.AddDocument(ctx, actor, a.ID, a.Version, ratest.Doc(appdata.DocOther, 9))
	case ra.ActRemoveDocument:
		id := "missing"
		if len(a.Documents) > 0 {
			id = a.Documents[0].ID
		}
		return h.Svc.RemoveDocument(ctx, actor, a.ID, a.Version, id)
	case ra.ActRegistryAnswer:
		var at time.Time
		for _, c := range a.Checks {
			if c.Kind == appdata.CheckPassport {
				at = c.RequestedAt
			}
		}
		got, _, err := registry.Record(ctx, h.Svc, actor, a.ID, registry.Answer{Kind: appdata.CheckPassport, RequestedAt: at, Status: store.CheckConfirmed})
		return got, err
	case ra.ActSubmit:
		return h.Svc.Submit(ctx, actor, a.ID, a.Version)
	case ra.ActClaim:
		return h.Svc.Claim(ctx, actor, a.ID, a.Version)
	case ra.ActUnclaim:
		return h.Svc.Unclaim(ctx, actor, a.ID, a.Version)
	case ra.ActApprove:
		return h.Svc.Approve(ctx, actor, a.ID, a.Version)
	case ra.ActReject:
		return h.Svc.Reject(ctx, actor, a.ID, a.Version, []ra.Reason{{Target: "document:passport", Code: "unreadable", Text: "нечитаемый скан"}})
	case ra.ActVerifyIdentity:
		if actor.Kind == ra.Cabinet {
			return identity.Verify(ctx, h.Svc, actor, a.ID, a.Version, identity.Input{Method: appdata.IdentifyQualifiedCert, CertSerial: []byte{0x55}})
		}
		return identity.Verify(ctx, h.Svc, actor, a.ID, a.Version, ratest.InPerson())
	case ra.ActSendToCabinet:
		return h.Svc.SendToCabinet(ctx, actor, a.ID, a.Version)
	case ra.ActTakeBack:
		return h.Svc.TakeBack(ctx, actor, a.ID, a.Version, "проверить данные")
	case ra.ActConsent:
		data := []byte(`{"subject":"as shown"}`)
		return h.Svc.Consent(ctx, actor, a.ID, a.Version, data, sha256.Sum256(data))
	case ra.ActIssue:
		return h.Svc.Issue(ctx, actor, a.ID, a.Version, ratest.IssueInput())
	case ra.ActCancel:
		return h.Svc.Cancel(ctx, actor, a.ID, a.Version, "по просьбе заявителя")
	case ra.ActExpire:
		h.Advance(31 * 24 * time.Hour)
		defer h.Advance(-31 * 24 * time.Hour)
		v := a.Version
		if actor.Kind == ra.System {
			v = 0
		}
		return h.Svc.Expire(ctx, actor, a.ID, v)
	}
	panic("no call for " + act)
}

// TestStateActionActorTable tries every action in every state by every
// kind of actor (and a foreign centre and a foreign cabinet), asserting
// success or the exact problem code. A refused call must write nothing:
// the record, the audit log and the outbox stay as they were. A success
// must write exactly one audit entry naming the action.
func TestStateActionActorTable(t *testing.T) {
	h := ratest.New(t)
	h.CA.AddCertificate([]byte{0x55}, ra.CertInfo{Valid: true, Qualified: true, Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: ratest.SNILS, INN: ratest.INN})
	fixtures := map[store.AppState]*store.Application{}
	fixture := func(st store.AppState) *store.Application {
		if fixtures[st] == nil {
			fixtures[st] = h.InState(t, st)
		}
		return fixtures[st]
	}
	cells, allowed := 0, 0
	for _, act := range ra.Actions() {
		if act == ra.ActCreate || act == ra.ActIssued || act == ra.ActIssueRefused {
			continue // create has no state; issued and issue_refused are Issue's own steps
		}
		want, ok := expected[act]
		if !ok {
			t.Fatalf("action %s missing from the expected table", act)
		}
		for _, st := range allStates {
			for _, ca := range cellActors {
				a := fixture(st)
				actor := ca.actor(a)
				var code ra.Code
				switch {
				case !slices.Contains(want.actors, ca.kind):
					code = ra.CodeForbidden
				case ca.foreign:
					code = ra.CodeNotFound
				case !slices.Contains(want.states, st):
					code = ra.CodeWrongState
				default:
					code = preconditions[act][st]
				}
				if ra.Allowed(act, ca.kind, st) != (slices.Contains(want.actors, ca.kind) && slices.Contains(want.states, st)) {
					t.Errorf("Allowed(%s, %s, %s) disagrees with the expected table", act, ca.kind, st)
				}
				seq := ratest.AuditSeq(t, h.St)
				name := fmt.Sprintf("%s in %s by %s", act, st, ca.name)
				got, err := doAction(h, act, actor, a)
				cells++
				if ra.CodeOf(err) != code || (code == "" && err != nil) {
					t.Errorf("%s: %v (code %q), want %q", name, err, ra.CodeOf(err), code)
					continue
				}
				stored, serr := h.St.Application(ctx, a.ID)
				if serr != nil {
					t.Fatal(serr)
				}
				tail := ratest.AuditTail(t, h.St, seq)
				if err != nil {
					if !sameApp(stored, a) || len(tail) != 0 {
						t.Errorf("%s: refused but wrote: version %d → %d, %d audit entries", name, a.Version, stored.Version, len(tail))
					}
					continue
				}
				allowed++
				// Issue writes two entries (issuing, issued), or only the
				// second when it repeats a call left issuing; the rest one.
				n, first := 1, act
				if act == ra.ActIssue && st == store.AppReadyToIssue {
					n = 2
				} else if act == ra.ActIssue {
					first = ra.ActIssued
				}
				if len(tail) != n || tail[0].Action != "application_"+string(first) || stored.Version != got.Version {
					t.Errorf("%s: allowed but audit %+v, stored v%d, returned v%d", name, tail, stored.Version, got.Version)
				}
				fixtures[st] = nil // changed: the next cell needs a fresh one
			}
		}
	}
	t.Logf("%d cells, %d allowed", cells, allowed)
	if rep, err := h.St.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("store check: %+v %v", rep, err)
	}
}
