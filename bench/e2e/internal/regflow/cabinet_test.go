package regflow

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAwaitCode: the flow takes the newest code-bearing SMS newer than
// the last it used, past a notice delivered after the code, never a code
// it used before, and waits for a new one to arrive.
func TestAwaitCode(t *testing.T) {
	type msg struct {
		Seq  uint64 `json:"seq"`
		Text string `json:"text"`
	}
	var mu sync.Mutex
	inbox := map[string][]msg{
		"+79160000001": {{1, "Код подтверждения: 111111. Никому его не сообщайте."}, {2, "Код подтверждения: 222222. Никому его не сообщайте."},
			{4, "Заявление готово к выпуску сертификата."}},
		"+79160000002": {{3, "Код подтверждения: 333333."}},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"messages": inbox[r.URL.Query().Get("phone")]})
	}))
	defer srv.Close()
	rc := &regClient{simAddr: strings.TrimPrefix(srv.URL, "http://"), simHC: srv.Client()}
	ctx := context.Background()

	sub := &subscriber{phone: "+79160000001", seq: 1}
	if code, c := rc.awaitCode(ctx, sub); code != "222222" || c != "" || sub.seq != 2 {
		t.Fatalf("got %q %q seq %d; want 222222 past the notice, seq 2", code, c, sub.seq)
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inbox["+79160000001"] = append(inbox["+79160000001"], msg{5, "Код подтверждения: 555555."}, msg{6, "Сертификат выпущен."})
		mu.Unlock()
	}()
	if code, c := rc.awaitCode(ctx, sub); code != "555555" || c != "" || sub.seq != 5 {
		t.Fatalf("got %q %q seq %d; want the new code 555555, seq 5", code, c, sub.seq)
	}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if code, c := rc.awaitCode(cctx, sub); code != "" || c != "cut" {
		t.Fatalf("no new code: got %q %q, want the wait cut", code, c)
	}
}
