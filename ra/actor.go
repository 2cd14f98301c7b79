package ra

import (
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// ActorKind is the kind of caller. Package api maps token roles to it:
// service_centre → ServiceCentre (its scope as Centre), ca_operator →
// Operator, cabinet → Cabinet (with the phone the subscriber logged in
// with), the engine's own workers (registry answers, expiry) → System.
type ActorKind uint8

// Actor kinds.
const (
	ServiceCentre ActorKind = iota + 1
	Operator
	Cabinet
	System
)

func (k ActorKind) String() string {
	switch k {
	case ServiceCentre:
		return "service_centre"
	case Operator:
		return "operator"
	case Cabinet:
		return "cabinet"
	case System:
		return "system"
	}
	return "unknown_actor"
}

// Actor is who asks. ID is the caller's identity in the audit log and in
// the application's history (the token id, role and scope as package
// engine's Principal.Actor gives it); it is required.
type Actor struct {
	Kind ActorKind
	ID   string
	// Centre is a ServiceCentre's own centre: it sees and acts on its
	// centre's applications only.
	Centre string
	// Phone is a Cabinet's subscriber, "+7" and 10 digits: the cabinet
	// sees and acts on the applications of that phone only.
	Phone string
}

// check refuses a malformed actor: a service centre without a valid
// centre, a cabinet without a phone, an unknown kind, no ID.
func (a Actor) check() error {
	switch {
	case a.ID == "" || len(a.ID) > 256:
		return errf(CodeForbidden, "the caller has no audit identity")
	case a.Kind == ServiceCentre && !store.ValidCentreID(a.Centre):
		return errf(CodeForbidden, "this service centre token names no valid centre; create a new token")
	case a.Kind == Cabinet:
		if _, err := appdata.NormalisePhone(a.Phone); err != nil {
			return errf(CodeForbidden, "the cabinet caller names no subscriber phone")
		}
	case a.Kind < ServiceCentre || a.Kind > System:
		return errf(CodeForbidden, "unknown kind of caller")
	}
	return nil
}

// sees reports whether a may see application app at all. Hidden
// applications are answered as not found.
func (a Actor) sees(app *store.Application) bool {
	switch a.Kind {
	case ServiceCentre:
		return app.Centre == a.Centre
	case Cabinet:
		p, _ := appdata.NormalisePhone(a.Phone)
		return app.Phone == p
	}
	return true
}
