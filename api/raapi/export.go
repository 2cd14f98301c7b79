package raapi

import (
	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// What other endpoint groups (the subscriber cabinet, api/cabinetapi)
// share of the applications' HTTP forms.

// ApplicationOf is an application's JSON form.
func ApplicationOf(a *store.Application) Application { return applicationJSON(a) }

// WriteApplication answers with an application and its ETag.
func WriteApplication(ctx *fasthttp.RequestCtx, status int, a *store.Application) error {
	return writeApplication(ctx, status, a)
}

// IfMatch reads the version the caller decided on (If-Match).
func IfMatch(ctx *fasthttp.RequestCtx) (uint64, error) { return ifMatch(ctx) }

// InvalidField is an invalid_data problem naming one field.
func InvalidField(field, problem string) error { return invalidField(field, problem) }

// OwnerFromJSON converts an owner block of a request (errors name the
// field).
func OwnerFromJSON(j *OwnerJSON) (store.Owner, []ra.FieldError) { return ownerFromJSON(j) }
