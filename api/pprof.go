package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
)

// Profiling a running CA (server.pprof, off by default): GET
// /debug/pprof/{profile} with a ca_admin token answers the runtime's
// profiles in the formats `go tool pprof` and `go tool trace` read. When
// the option is off the routes do not exist (404, as any unknown path).
//
// Taking a profile is audited (action "pprof", the profile as subject,
// its parameters as details) before it is taken. A heap or allocation
// profile holds allocation sites (stacks) and sizes, never the bytes
// allocated, so no key, PIN or token value is in it; a goroutine dump
// with debug=2 prints the words of stack arguments, which is one reason
// the profiles are for ca_admin only.

// pprofMaxSeconds bounds the window of a CPU profile, an execution
// trace and a mutex or block profile.
const pprofMaxSeconds = 60

// codePprofBusy: a CPU profile, trace or mutex/block window is running.
const codePprofBusy = "profile_in_progress"

func init() {
	wire.Register(codePprofBusy, fasthttp.StatusConflict, "A profile is being taken")
}

// Sampling while a mutex or block profile window is open: one in
// pprofMutexFraction contention events, and blocking events of at least
// pprofBlockRate nanoseconds (shorter ones in proportion).
const (
	pprofMutexFraction = 10
	pprofBlockRate     = 10_000
)

// pprofKind is what one profile takes as parameters.
type pprofKind struct {
	window   bool // seconds: a time window (required default when > 0)
	defSecs  int  // the window without seconds; 0: no window unless asked
	maxDebug int  // highest debug (text) level; -1: binary only
	gc       bool // gc=1 runs a collection first
}

var pprofKinds = map[string]pprofKind{
	"profile":   {window: true, defSecs: 30, maxDebug: -1},
	"trace":     {window: true, defSecs: 1, maxDebug: -1},
	"heap":      {maxDebug: 1, gc: true},
	"allocs":    {maxDebug: 1, gc: true},
	"goroutine": {maxDebug: 2},
	"mutex":     {window: true, maxDebug: 1},
	"block":     {window: true, maxDebug: 1},
}

// pprofRoutes are the profiling routes, in the table only with
// server.pprof.
func pprofRoutes(s *Server) routeTable {
	if s.log != nil {
		s.log.Warn("server.pprof is on: /debug/pprof/ serves runtime profiles to ca_admin tokens")
	}
	return routeTable{newRoute("pprof", "/debug/pprof/", segment, "", on{mGet, s.pprof, auth.OpPprof})}
}

// pprofParams are a profile request's checked query parameters.
type pprofParams struct {
	seconds int // 0: no window
	debug   int
	gc      bool
}

func parsePprof(kind pprofKind, name string, args *fasthttp.Args) (pprofParams, error) {
	p := pprofParams{seconds: kind.defSecs}
	for k, v := range args.All() {
		key := string(k)
		switch {
		case key == "seconds" && kind.window:
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > pprofMaxSeconds {
				return p, &wire.Error{Code: wire.CodeInvalidQuery, Field: "seconds",
					Detail: fmt.Sprintf("seconds must be a whole number from 1 to %d", pprofMaxSeconds)}
			}
			p.seconds = n
		case key == "debug" && kind.maxDebug >= 0:
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 0 || n > kind.maxDebug {
				return p, &wire.Error{Code: wire.CodeInvalidQuery, Field: "debug",
					Detail: fmt.Sprintf("debug must be 0 to %d for %s", kind.maxDebug, name)}
			}
			p.debug = n
		case key == "gc" && kind.gc && (string(v) == "0" || string(v) == "1"):
			p.gc = string(v) == "1"
		case key == "gc" && kind.gc:
			return p, &wire.Error{Code: wire.CodeInvalidQuery, Field: "gc", Detail: "gc must be 0 or 1"}
		default:
			return p, &wire.Error{Code: wire.CodeInvalidQuery, Field: key,
				Detail: fmt.Sprintf("%s takes no parameter %q (see /api/v1/openapi.json, /debug/pprof/{profile})", name, key)}
		}
	}
	return p, nil
}

func (s *Server) pprof(ctx *fasthttp.RequestCtx, pr *auth.Principal, param []byte) error {
	name := string(param)
	kind, ok := pprofKinds[name]
	if !ok {
		return &wire.Error{Code: wire.CodeNotFound, Detail: "no such profile: profile, trace, heap, allocs, goroutine, mutex or block"}
	}
	p, err := parsePprof(kind, name, ctx.QueryArgs())
	if err != nil {
		return err
	}
	if p.seconds > 0 {
		if !s.pprofBusy.CompareAndSwap(false, true) {
			return &wire.Error{Code: codePprofBusy, Detail: "another CPU profile, trace or mutex/block window is running; try again when it ends"}
		}
	}
	release := func() {
		if p.seconds > 0 {
			s.pprofBusy.Store(false)
		}
	}
	c, cancel := s.callCtx()
	err = s.e.Audit(c, pr.Actor(), "pprof", name, fmt.Sprintf("seconds=%d debug=%d gc=%t", p.seconds, p.debug, p.gc))
	cancel()
	if err != nil {
		release()
		return err
	}
	window := time.Duration(p.seconds) * time.Second
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if p.debug > 0 {
		ctx.SetContentType("text/plain; charset=utf-8")
	} else {
		ctx.SetContentType("application/octet-stream")
	}
	s.log.Info("profile taken", "profile", name, "seconds", p.seconds, "actor", pr.Actor())
	switch name {
	case "profile":
		defer release()
		var buf bytes.Buffer
		if err := pprof.StartCPUProfile(&buf); err != nil {
			return &wire.Error{Code: codePprofBusy, Detail: "the CPU profiler is in use by something else"}
		}
		waitWindow(window, ctx.Done())
		pprof.StopCPUProfile()
		ctx.SetBody(buf.Bytes())
		return nil
	case "trace":
		return s.streamTrace(ctx, window, release)
	case "mutex", "block":
		defer release()
		if p.seconds > 0 {
			if name == "mutex" {
				prev := runtime.SetMutexProfileFraction(pprofMutexFraction)
				defer runtime.SetMutexProfileFraction(prev)
			} else {
				runtime.SetBlockProfileRate(pprofBlockRate)
				defer runtime.SetBlockProfileRate(0)
			}
			waitWindow(window, ctx.Done())
		}
	case "heap", "allocs":
		if p.gc {
			runtime.GC()
		}
	}
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, p.debug); err != nil {
		return fmt.Errorf("pprof %s: %w", name, err)
	}
	ctx.SetBody(buf.Bytes())
	return nil
}

// waitWindow waits d, or less when the server shuts down.
func waitWindow(d time.Duration, shutdown <-chan struct{}) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-shutdown:
	}
}

// streamTrace runs the execution tracer for window, streaming its output
// as the response body (a trace of a busy minute is too big to hold):
// the tracer writes into a pipe the response reads. The tracer stops
// when the window ends, the server shuts down or the client goes away
// (fasthttp closes the body); then release frees the slot.
func (s *Server) streamTrace(ctx *fasthttp.RequestCtx, window time.Duration, release func()) error {
	pr, pw := io.Pipe()
	if err := trace.Start(pw); err != nil {
		release()
		return &wire.Error{Code: codePprofBusy, Detail: "the execution tracer is in use by something else"}
	}
	body := &traceBody{pr: pr, gone: make(chan struct{})}
	shutdown := ctx.Done()
	go func() {
		defer release()
		t := time.NewTimer(window)
		select {
		case <-t.C:
		case <-shutdown:
		case <-body.gone:
		}
		t.Stop()
		trace.Stop() // returns once the tracer wrote everything (or failed to)
		_ = pw.Close()
	}()
	// The response is written after the window, not within the write
	// timeout of its start.
	if err := ctx.SetWriteDeadline(time.Now().Add(window + s.opts.WriteTimeout)); err != nil {
		return fmt.Errorf("pprof trace: %w", err)
	}
	ctx.SetBodyStream(body, -1)
	return nil
}

// traceBody is the trace's response body: the read end of the pipe the
// tracer writes. Closing it (fasthttp does, when the response is done
// or the client went away) ends the tracer's window and makes its
// further writes fail instead of block.
type traceBody struct {
	pr   *io.PipeReader
	gone chan struct{}
	once sync.Once
}

func (b *traceBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *traceBody) Close() error {
	b.once.Do(func() {
		close(b.gone)
		_ = b.pr.CloseWithError(errors.New("trace response closed"))
	})
	return nil
}
