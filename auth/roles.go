package auth

import (
	"strings"

	"github.com/gostca/gostca/caerr"
)

// Role is what an API token may do. Which role may do what is the table
// in permissions.go.
type Role string

// Roles (docs/design.md, "Who calls the CA"): the subscriber cabinet's
// back end, a service centre (scoped to one centre id), CA operators, CA
// administrators, auditors.
const (
	RoleCabinet       Role = "cabinet"
	RoleServiceCentre Role = "service_centre"
	RoleCAOperator    Role = "ca_operator"
	RoleCAAdmin       Role = "ca_admin"
	RoleAuditor       Role = "auditor"
	// RoleBilling sets the payment state of applications (the CA's
	// billing system) and nothing else.
	RoleBilling Role = "billing"
)

// Roles lists every role.
var Roles = []Role{RoleCabinet, RoleServiceCentre, RoleCAOperator, RoleCAAdmin, RoleAuditor, RoleBilling}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return "", caerr.Newf(caerr.CodeInvalidTokenRequest, "unknown role %q: want one of %s", s, strings.Join(names, ", "))
}

// Principal is an authenticated caller.
type Principal struct {
	TokenID string
	Role    Role
	Scope   string // the service centre id for RoleServiceCentre (ValidCentreID)
	Name    string
}

// Actor is the principal's identity in the audit log: the token id, role
// and scope, or Name for a principal without a token (the admin CLI).
func (p *Principal) Actor() string {
	if p.TokenID == "" {
		return p.Name
	}
	a := "token:" + p.TokenID + "/" + string(p.Role)
	if p.Scope != "" {
		a += "/" + p.Scope
	}
	return a
}
