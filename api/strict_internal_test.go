package api

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestCheckDuplicateKeys(t *testing.T) {
	for _, c := range []struct {
		body string
		dup  string // "" = none
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"a":1,"A":2}`, "A"},
		{`{"k":1,"\u212a":2}`, "\u212a"}, // KELVIN SIGN folds to k, as encoding/json matches it
		{`{"s":{"x":1,"y":{"z":[1,{"q":1,"q":2}]}}}`, "s.y.z[].q"},
		{`{"list":[{"a":1},{"a":1,"b":2,"b":3}]}`, "list[].b"},
		{`[{"a":1},{"a":1}]`, ""},
		{`{"a":[],"b":{},"c":"}","d":"\"a\""}`, ""},
		{`{"a":1,"a"`, "a"}, // found before the syntax error
		{`{"a":`, ""},       // left to the decoder
	} {
		err := checkDuplicateKeys([]byte(c.body))
		var got string
		if d, ok := err.(*errDuplicateKey); ok {
			got = d.path
		} else if err != nil {
			t.Errorf("%s: %v", c.body, err)
		}
		if got != c.dup {
			t.Errorf("%s: duplicate %q, want %q", c.body, got, c.dup)
		}
	}
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	if err := checkDuplicateKeys([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("40 levels: %v", err)
	}
}

// The table of failing addresses stays within its bound whatever the
// number of addresses, and an IPv6 /64 is one address.
func TestAuthFailuresBounded(t *testing.T) {
	a := newAuthFailures(AuthFailureLimits{Limit: 2, Window: time.Minute, MaxDelay: time.Hour, Clients: 100})
	now := time.Now()
	for i := range 20000 {
		k, _ := clientKeyOf(net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)))
		a.fail(k, now)
	}
	if n := a.tracked(); n > 100 {
		t.Fatalf("%d addresses tracked, bound 100", n)
	}
	k1, _ := clientKeyOf(net.ParseIP("2001:db8:1:2::1"))
	k2, _ := clientKeyOf(net.ParseIP("2001:db8:1:2:ffff::9"))
	if k1 != k2 {
		t.Fatal("two addresses of one /64 are different clients")
	}
	a.fail(k1, now)
	if _, d := a.fail(k2, now); d != time.Second {
		t.Fatalf("second failure in the /64: block %v, want 1s", d)
	}
	// Quiet for more than a window after the block: forgiven.
	if n, d := a.fail(k1, now.Add(time.Second+time.Minute+time.Millisecond)); n != 1 || d != 0 {
		t.Fatalf("after a quiet window: count %d block %v", n, d)
	}
	// The delay doubles up to the ceiling.
	var d time.Duration
	for range 40 {
		_, d = a.fail(k1, now)
	}
	if d != time.Hour {
		t.Fatalf("after 40 failures: %v, want the 1h ceiling", d)
	}
}

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
	b.Run("check+decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := checkDuplicateKeys(body); err != nil {
				b.Fatal(err)
			}
			decode()
		}
	})
}
