package api

import (
	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
)

// cabinetRoutes are the routes under /api/v1/cabinet, and the payment
// state of an application.
func cabinetRoutes(v1 string, a *cabinetapi.API) []*route {
	h := a.Wrap
	sub := func(fn cabinetapi.SubscriberFunc) wire.Handler { return h(a.WithSession(fn)) }
	const apps = "cabinet/applications/"
	return append([]*route{
		newRoute("cabinet_login", v1+"cabinet/login", noParam, "", on{mPost, h(a.Login), auth.OpCabinet}),
		newRoute("cabinet_login_verify", v1+"cabinet/login/verify", noParam, "", on{mPost, h(a.Verify), auth.OpCabinet}),
		newRoute("cabinet_logout", v1+"cabinet/logout", noParam, "", on{mPost, sub(a.Logout), auth.OpCabinet}),
		newRoute("cabinet_applications", v1+"cabinet/applications", noParam, "", on{mGet, sub(a.Applications), auth.OpCabinet}),
		newRoute("cabinet_application", v1+apps, segment, "", on{mGet, sub(a.Application), auth.OpCabinet}),
		newRoute("cabinet_issue_data", v1+apps, segment, "/issue-data", on{mGet, sub(a.IssueData), auth.OpCabinet}),
		newRoute("cabinet_consent", v1+apps, segment, "/consent", on{mPost, sub(a.Consent), auth.OpCabinet}),
		newRoute("cabinet_request", v1+apps, segment, "/request", on{mPost, sub(a.Request), auth.OpCabinet}),
		newRoute("cabinet_confirm", v1+apps, segment, "/confirm", on{mPost, sub(a.Confirm), auth.OpCabinet}),
		newRoute("cabinet_certificate", v1+apps, segment, "/certificate", on{mGet, sub(a.Certificate), auth.OpCabinet}),
		newRoute("cabinet_chain", v1+apps, segment, "/chain", on{mGet, sub(a.Chain), auth.OpCabinet}),
		newRoute("cabinet_certificates", v1+"cabinet/certificates", noParam, "", on{mGet, sub(a.Certificates), auth.OpCabinet}),
		newRoute("cabinet_renewal", v1+"cabinet/certificates/", segment, "/renewal",
			on{mGet, sub(a.RenewalEligibility), auth.OpCabinet}, on{mPost, sub(a.OpenRenewal), auth.OpCabinet}),
		newRoute("cabinet_renewal_form", v1+apps, segment, "/renewal-form.pdf", on{mGet, sub(a.RenewalForm), auth.OpCabinet}),
		newRoute("cabinet_renewal_signature", v1+apps, segment, "/renewal-signature", on{mPost, sub(a.RenewalSignature), auth.OpCabinet}),
		newRoute("cabinet_cloud_key", v1+apps, segment, "/cloud-key", on{mPost, sub(a.MakeCloudKey), auth.OpCabinet}),
		newRoute("cabinet_cloud_confirm", v1+apps, segment, "/cloud-confirm", on{mPost, sub(a.ConfirmCloudKey), auth.OpCabinet}),
		newRoute("cabinet_status_request_ask", v1+"cabinet/certificates/", segment, "/status-requests", on{mPost, sub(a.AskStatus), auth.OpCabinet}),
		newRoute("cabinet_status_requests", v1+"cabinet/status-requests", noParam, "", on{mGet, sub(a.MyStatus), auth.OpCabinet}),
		newRoute("cabinet_status_request", v1+"cabinet/status-requests/", segment, "", on{mGet, sub(a.GetStatus), auth.OpCabinet}),
		newRoute("cabinet_status_request_confirm", v1+"cabinet/status-requests/", segment, "/confirm", on{mPost, sub(a.ConfirmStatus), auth.OpCabinet}),
		newRoute("status_requests", v1+"status-requests", noParam, "", on{mGet, h(a.ListStatus), auth.OpStatusRequests}),
		newRoute("status_request_approve", v1+"status-requests/", segment, "/approve", on{mPost, h(a.ApproveStatus), auth.OpStatusRequests}),
		newRoute("status_request_reject", v1+"status-requests/", segment, "/reject", on{mPost, h(a.RejectStatus), auth.OpStatusRequests}),
		newRoute("application_payment", v1+"applications/", segment, "/payment", on{mPut, h(a.SetPayment), auth.OpPayment}),
	}, cloudOperationRoutes(v1, a, sub)...)
}
