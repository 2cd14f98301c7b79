package api_test

import (
	"testing"
	"time"

	"github.com/gostca/gostca/api/cabinetapi"
	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/internal/testlog"
)

// cabinetOn is the subscriber cabinet's side of a server started by
// startHookServer with "sms" among its kinds: codes are read from the
// SMS the simulator received.
func cabinetOn(ts *testServer, sim *simulator) *cabinetEnv {
	return &cabinetEnv{testServer: ts, sim: sim, clk: &testClock{t: time.Now().UTC()}, logs: &testlog.Buffer{}, last: map[string]uint64{}}
}

// cabinetIssue is what issueThroughCabinet submits.
type cabinetIssue struct {
	CSR             []byte // PEM
	SubjectSignTool string
	// AfterConsent, if set, runs once the subscriber has agreed to the
	// data and before the request: a test's refusals go there.
	AfterConsent func(cab, session, path string)
}

// issueThroughCabinet issues the ready-to-issue application a the only
// way there is, as its subscriber does in the cabinet: logs in with the
// code of the SMS the gateway received for the application's phone,
// reads the data to be certified and agrees to its hash, submits the
// request and confirms it with the second code. It fails the test
// unless the answer is the issued application, which it returns.
func (env *cabinetEnv) issueThroughCabinet(t *testing.T, a raapi.Application, in cabinetIssue) raapi.Application {
	t.Helper()
	cab := env.tokens[auth.RoleCabinet]
	sess := env.login(t, cab, a.Phone)
	path := "/api/v1/cabinet/applications/" + a.ID
	resp, body := env.call(t, cab, sess, "GET", path+"/issue-data", nil)
	wantStatus(t, resp, body, 200)
	shown := decode[cabinetapi.IssueDataJSON](t, body)
	resp, body = env.call(t, cab, sess, "POST", path+"/consent", cabinetapi.ConsentRequest{SHA256: shown.SHA256}, "If-Match", resp.Header.Get("ETag"))
	wantStatus(t, resp, body, 200)
	if in.AfterConsent != nil {
		in.AfterConsent(cab, sess, path)
	}
	resp, body = env.call(t, cab, sess, "POST", path+"/request", cabinetapi.CabinetRequest{CSR: string(in.CSR)})
	wantStatus(t, resp, body, 202)
	rc := decode[cabinetapi.RequestChallenge](t, body)
	resp, body = env.call(t, cab, sess, "POST", path+"/confirm", cabinetapi.ConfirmRequest{Challenge: rc.Challenge.Challenge,
		Code: env.code(t, a.Phone), CSR: string(in.CSR), SubjectSignTool: in.SubjectSignTool})
	wantStatus(t, resp, body, 201)
	issued := decode[raapi.Application](t, body)
	if issued.ID != a.ID || issued.State != "issued" || issued.Serial == "" {
		t.Fatalf("application %s after the cabinet's confirmation: %+v", a.ID, issued)
	}
	return issued
}
