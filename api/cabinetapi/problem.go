package cabinetapi

import (
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/otp"
)

// The cabinet's and the codes' stable codes, with their HTTP statuses
// and titles (wire.Register); the codes are the problem's "code".
func init() {
	for code, st := range map[string]struct {
		status int
		title  string
	}{
		string(cabinet.CodeInvalidPhone):          {fasthttp.StatusUnprocessableEntity, "Invalid phone number"},
		string(cabinet.CodeSessionInvalid):        {fasthttp.StatusUnauthorized, "Subscriber session required"},
		string(cabinet.CodeConsentRequired):       {fasthttp.StatusConflict, "Consent required"},
		string(cabinet.CodeConsentStale):          {fasthttp.StatusConflict, "Data changed since read"},
		string(cabinet.CodePaymentRequired):       {fasthttp.StatusPaymentRequired, "Payment required"},
		string(cabinet.CodeCSRInvalid):            {fasthttp.StatusUnprocessableEntity, "Invalid certificate request"},
		string(cabinet.CodeKeyNotAllowed):         {fasthttp.StatusUnprocessableEntity, "Key type not allowed"},
		string(cabinet.CodeKeyReused):             {fasthttp.StatusConflict, "Key already certified"},
		string(cabinet.CodeSignToolMissing):       {fasthttp.StatusUnprocessableEntity, "Crypto tool required"},
		string(cabinet.CodeNotIssued):             {fasthttp.StatusConflict, "Certificate not issued"},
		string(cabinet.CodeInvalidPayment):        {fasthttp.StatusUnprocessableEntity, "Invalid payment state"},
		string(cabinet.CodeNotRenewal):            {fasthttp.StatusConflict, "Not a renewal"},
		string(cabinet.CodeSignatureBad):          {fasthttp.StatusUnprocessableEntity, "Invalid renewal signature"},
		string(cabinet.RenewalExpired):            {fasthttp.StatusConflict, "Certificate expired"},
		string(cabinet.RenewalRevoked):            {fasthttp.StatusConflict, "Certificate revoked"},
		string(cabinet.RenewalSuspended):          {fasthttp.StatusConflict, "Certificate suspended"},
		string(cabinet.RenewalOrgChanged):         {fasthttp.StatusConflict, "Organisation changed"},
		string(cabinet.RenewalResponsibleChanged): {fasthttp.StatusConflict, "Responsible person changed"},
		string(cabinet.RenewalApplicationOpen):    {fasthttp.StatusConflict, "Renewal application open"},
		string(cabinet.RenewalTooEarly):           {fasthttp.StatusConflict, "Too early to renew"},
		string(cabinet.RenewalNoCertificate):      {fasthttp.StatusNotFound, "No certificate to renew"},
		string(cabinet.RenewalSignerMismatch):     {fasthttp.StatusUnprocessableEntity, "Signed with another certificate"},
		string(cabinet.RenewalPersonMismatch):     {fasthttp.StatusUnprocessableEntity, "Holder differs"},
		string(cabinet.RenewalSigningTime):        {fasthttp.StatusUnprocessableEntity, "Signing time out of range"},
		string(otp.CodeRateLimited):               {fasthttp.StatusTooManyRequests, "Too many codes"},
		string(otp.CodeTooEarly):                  {fasthttp.StatusTooManyRequests, "Too early for a new code"},
		string(otp.CodeUnknown):                   {fasthttp.StatusNotFound, "Code challenge not found"},
		string(otp.CodeWrong):                     {fasthttp.StatusUnprocessableEntity, "Wrong code"},
		string(otp.CodeExpired):                   {fasthttp.StatusGone, "Code expired"},
		string(otp.CodeUsed):                      {fasthttp.StatusConflict, "Code used"},
		string(otp.CodeExhausted):                 {fasthttp.StatusUnprocessableEntity, "Code attempts exhausted"},
	} {
		wire.Register(code, st.status, st.title)
	}
}

// Wrap turns the cabinet's and the codes' errors into problems
// (with Retry-After where the codes say when), the registration
// authority's through raapi's wrapper; anything else goes to wire.Fail.
func (s *API) Wrap(h wire.Handler) wire.Handler {
	return s.ra.Wrap(func(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
		err := h(ctx, p, param)
		var ce *cabinet.Error
		var oe *otp.Error
		var retry time.Duration
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ce):
			if ce.Code == cabinet.CodeInternal {
				return err
			}
			return &wire.Error{Code: string(ce.Code), Field: ce.Field, Detail: ce.Detail}
		case errors.As(err, &oe):
			if oe.Code == otp.CodeInternal {
				return err
			}
			retry = oe.RetryAfter
			if retry > 0 {
				ctx.Response.Header.Set("Retry-After", strconv.Itoa(int(retry.Seconds()+0.999)))
			}
			return &wire.Error{Code: string(oe.Code), Detail: oe.Detail}
		}
		return err
	})
}
