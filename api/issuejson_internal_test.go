package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
)

// strictDecode is what wire.DecodeJSON does with a body once its media
// type is accepted.
func strictDecode(body []byte, v *IssueRequest) error {
	if err := wire.CheckDuplicateKeys(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the value")
	}
	return nil
}

var issueBodies = []string{
	`{"csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n","profile":"qualified-person","issuer":"gost256",` +
		`"subject":{"common_name":"Иванов Иван","surname":"Иванов","given_name":"Иван","country":"RU","snils":"11223344595","inn":"500100123426"},` +
		`"subject_sign_tool":"КриптоПро CSP","identification_kind":1,"emails":["a@example.ru","b@example.ru"],"ext_key_usage":["1.2.3"],"service_centre":"c1"}`,
	` { "csr" : "x" , "profile" : "p" , "subject" : { } , "emails" : [ ] } `,
	`{}`,
	`{"subject":{"region":"77 г. Москва","locality":"Москва","street":"ул. \"Тверская\", д. 1","organization":"ООО","org_unit":"ИТ","title":"инженер","email":"a@b.ru","ogrn":"1027700132195","ogrnip":"304500116000157","inn_le":"7707083893"}}`,
	`{"identification_kind":-0}`, `{"identification_kind":0}`, `{"identification_kind":123456789}`,
	`{"csr":"a\/b\\c\td\re"}`,
	// Bodies the scanner hands to the full decoder (which may accept or refuse them):
	`{"CSR":"x"}`, `{"csr":"x","csr":"y"}`, `{"csr":null}`, `{"emails":null}`, `{"csr":"\u0041"}`, `{"csr":"a\bb"}`,
	`{"identification_kind":1.0}`, `{"identification_kind":1e2}`, `{"identification_kind":01}`, `{"identification_kind":1234567890}`,
	`{"unknown":1}`, `{"subject":{"cn":"x"}}`, `{"subject":{"snils":"1","snils":"2"}}`, `{"csr":"x"} {}`, `{"csr":"x"`, `[]`, ``,
	"{\"csr\":\"\xff\"}", "{\"csr\":\"a\x01b\"}", `{"emails":["a",1]}`, `{"subject":[]}`, `{"profile":true}`, `{"csr":"x",}`,
}

// Whatever body the scanner takes, the full decoder takes too and reads
// into the same IssueRequest.
func FuzzScanIssue(f *testing.F) {
	for _, b := range issueBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast IssueRequest
		if !scanIssue(body, &fast) {
			return
		}
		var full IssueRequest
		if err := strictDecode(body, &full); err != nil {
			t.Fatalf("scanner took %q, the decoder refuses it: %v", body, err)
		}
		if !reflect.DeepEqual(fast, full) {
			t.Fatalf("%q:\nscanner %#v\ndecoder %#v", body, fast, full)
		}
	})
}

// The plain bodies take the scanner; the others fall back and get the
// same problem as before.
func TestDecodeIssueFastAndFallback(t *testing.T) {
	takes := 0
	for i, b := range issueBodies {
		var v IssueRequest
		if scanIssue([]byte(b), &v) {
			takes++
			if i >= 8 {
				t.Errorf("scanner took %q", b)
			}
		} else if i < 8 {
			t.Errorf("scanner refused the plain body %q", b)
		}
	}
	if takes != 8 {
		t.Errorf("scanner took %d bodies, want 8", takes)
	}
	for _, tc := range []struct{ ct, body, code string }{
		{"application/json", `{"csr":"x","csr":"y"}`, wire.CodeAmbiguous},
		{"application/json", `{"unknown":1}`, wire.CodeInvalidJSON},
		{"application/json", `{"csr":"x"} {}`, wire.CodeInvalidJSON},
		{"text/plain", `{"csr":"x"}`, wire.CodeUnsupportedMedia},
		{"application/json", ``, wire.CodeInvalidJSON},
	} {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetContentType(tc.ct)
		ctx.Request.SetBodyString(tc.body)
		var v IssueRequest
		err := decodeIssue(&ctx, &v)
		var we *wire.Error
		if !errors.As(err, &we) || we.Code != tc.code {
			t.Errorf("%s %q: %v, want %s", tc.ct, tc.body, err, tc.code)
		}
	}
	// The fall back starts from a zero request: nothing of a partial scan
	// is left over.
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetContentType("application/json; charset=utf-8")
	ctx.Request.SetBodyString(`{"profile":"p","subject":{"snils":"1"}}`)
	var v IssueRequest
	v.CSR = "left over"
	if err := decodeIssue(&ctx, &v); err != nil || v.CSR != "" || v.Profile != "p" || v.Subject.SNILS != "1" {
		t.Errorf("fallback: %v %+v", err, v)
	}
	if strings.Contains(issueBodies[0], `\u`) {
		t.Fatal("the plain body must not need the full decoder")
	}
}
