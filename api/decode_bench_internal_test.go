package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/wire"
)

// BenchmarkDecodeIssueBody compares decoding an issuance body with and
// without the duplicate-key check.
func BenchmarkDecodeIssueBody(b *testing.B) {
	body := []byte(fmt.Sprintf(`{"csr":"%s","profile":"qualified-person","subject_sign_tool":"КриптоПро CSP",`+
		`"subject":{"common_name":"Иванов Иван Иванович","surname":"Иванов","given_name":"Иван Иванович","country":"RU",`+
		`"snils":"11223344595","inn":"500100123426"},"emails":["a@example.ru","b@example.ru"]}`, strings.Repeat("QUJD", 200)))
	decode := func() {
		var v IssueRequest
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			decode()
		}
	})
	b.Run("scan", func(b *testing.B) { // decodeIssue's path for a plain body
		b.ReportAllocs()
		for b.Loop() {
			var v IssueRequest
			if !scanIssue(body, &v) {
				b.Fatal("not scanned")
			}
		}
	})
	b.Run("check+decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := wire.CheckDuplicateKeys(body); err != nil {
				b.Fatal(err)
			}
			decode()
		}
	})
}
