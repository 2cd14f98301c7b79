package api

import (
	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
)

// cloudOperationRoutes are the routes of cloud keys and their signing
// operations (cabinet/keys/…).
func cloudOperationRoutes(v1 string, a *cabinetapi.API, sub func(cabinetapi.SubscriberFunc) wire.Handler) []*route {
	const keys = "cabinet/keys/"
	pair := func(name, suffix string, o on) *route {
		r := newRoute(name, v1+keys, segmentPair, suffix, o)
		r.infix = cabinetapi.OperationInfix
		return r
	}
	return []*route{
		newRoute("cabinet_cloud_key_get", v1+keys, segment, "", on{mGet, sub(a.CloudKey), auth.OpCabinet}),
		newRoute("cabinet_operations", v1+keys, segment, "/operations", on{mPost, sub(a.CreateOperation), auth.OpCabinet}),
		pair("cabinet_operation_confirm", "/confirm", on{mPost, sub(a.ConfirmOperation), auth.OpCabinet}),
		pair("cabinet_operation_refuse", "/refuse", on{mPost, sub(a.RefuseOperation), auth.OpCabinet}),
		pair("cabinet_operation_cms", "/signature.p7s", on{mGet, sub(a.OperationCMS), auth.OpCabinet}),
		pair("cabinet_operation", "", on{mGet, sub(a.Operation), auth.OpCabinet}),
	}
}
