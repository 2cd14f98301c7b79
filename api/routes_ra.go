package api

import (
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ra"
)

// applicationRoutes are the routes under /api/v1/applications, served by
// the registration authority's endpoints (api/raapi).
func applicationRoutes(v1 string, a *raapi.API) []*route {
	h := a.Wrap
	action := func(name string, op auth.Operation, fn wire.Handler) *route {
		return newRoute("application_"+name, v1+"applications/", segment, "/actions/"+name, on{mPost, h(fn), op})
	}
	return append([]*route{
		newRoute("applications", v1+"applications", noParam, "",
			on{mPost, h(a.CreateApplication), auth.OpAppCreate}, on{mGet, h(a.ListApplications), auth.OpAppRead}),
		newRoute("application", v1+"applications/", segment, "", on{mGet, h(a.GetApplication), auth.OpAppRead}),
		newRoute("application_history", v1+"applications/", segment, "/history", on{mGet, h(a.ApplicationHistory), auth.OpAppRead}),
		newRoute("application_data", v1+"applications/", segment, "/data", on{mPut, h(a.UpdateApplicationData), auth.OpAppEdit}),
		action("remove_document", auth.OpAppEdit, a.RemoveApplicationDocument),
		action("submit", auth.OpAppSubmit, a.SimpleAction((*ra.Service).Submit)),
		action("claim", auth.OpAppReview, a.SimpleAction((*ra.Service).Claim)),
		action("unclaim", auth.OpAppReview, a.SimpleAction((*ra.Service).Unclaim)),
		action("approve", auth.OpAppReview, a.SimpleAction((*ra.Service).Approve)),
		action("reject", auth.OpAppReview, a.RejectApplication),
		action("verify_identity", auth.OpAppIdentify, a.VerifyApplicationIdentity),
		action("send_to_cabinet", auth.OpAppDeliver, a.SimpleAction((*ra.Service).SendToCabinet)),
		action("take_back", auth.OpAppDeliver, a.ReasonAction((*ra.Service).TakeBack)),
		action("cancel", auth.OpAppDeliver, a.ReasonAction((*ra.Service).Cancel)),
	}, documentRoutes(v1, a)...)
}

// documentRoutes are the routes of the documents and the printed form.
func documentRoutes(v1 string, a *raapi.API) []*route {
	h := a.Wrap
	dl := newRoute("application_document", v1+"applications/", segmentPair, "",
		on{mGet, h(a.DownloadApplicationDocument), auth.OpAppRead})
	dl.infix = raapi.DocumentInfix
	return []*route{
		newRoute(uploadRoute, v1+"applications/", segment, "/documents", on{mPost, h(a.UploadApplicationDocument), auth.OpAppEdit}),
		dl,
		newRoute("application_form", v1+"applications/", segment, "/form.pdf", on{mGet, h(a.ApplicationForm), auth.OpAppRead}),
		newRoute("application_archive", v1+"applications/", segment, "/archive", on{mGet, h(a.ApplicationArchive), auth.OpAppRead}),
	}
}
