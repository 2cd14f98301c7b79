package otp_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

// BenchmarkRateLimitRefusal: what a send refused by a full window costs
// when the memory front knows the window is full (no store call) and
// when the store refuses it (the writer lock, a read per limit), one at
// a time and from all cores. go test -run '^$' -bench RateLimitRefusal
// ./otp/
func BenchmarkRateLimitRefusal(b *testing.B) {
	for _, front := range []bool{true, false} {
		name := "store"
		if front {
			name = "front"
		}
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
		st, err := store.Open(filepath.Join(b.TempDir(), "db"), store.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		sec, _ := otp.NewSecret(limitSecret)
		opts := limitOptions()
		opts.Now, opts.Logger = clk.now, slog.New(slog.DiscardHandler)
		svc, err := otp.New(st, sec, opts)
		if err != nil {
			b.Fatal(err)
		}
		if !front {
			otp.ForgetFullWindows(svc)
		}
		send := func() error {
			_, err := svc.Send(ctx, otp.SendRequest{Purpose: otp.Login, Phone: phone, Client: "c", Addr: "192.0.2.1", Actor: "bench"})
			return err
		}
		for i := 0; i < 2; i++ {
			clk.add(time.Second)
			if err := send(); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if send() == nil {
					b.Fatal("not refused")
				}
			}
		})
		b.Run(name+"-parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if send() == nil {
						b.Error("not refused")
						return
					}
				}
			})
		})
	}
}
