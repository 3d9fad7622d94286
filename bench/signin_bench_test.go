package bench

import (
	"context"
	"net/http"
	"testing"
)

// transports are the two ways the providers answer: in memory (a
// RoundTripper, no sockets) and over loopback HTTPS with keep-alive.
var transports = []struct {
	name   string
	client func(testing.TB, *provider) *http.Client
}{
	{"mem", func(_ testing.TB, p *provider) *http.Client { return p.memClient() }},
	{"tls", func(tb testing.TB, p *provider) *http.Client { return p.tlsClient(tb) }},
}

// totalRequests is every request p received.
func (p *provider) totalRequests() int64 {
	var n int64
	for _, h := range p.hits {
		n += h.Load()
	}
	return n
}

// benchRun times run, checking its answer each time, and reports the
// provider requests per sign-in.
func benchRun(b *testing.B, p *provider, want profile, run func(context.Context) (profile, error)) {
	ctx := context.Background()
	before, cpu := p.totalRequests(), startCPU()
	b.ReportAllocs()
	for b.Loop() {
		got, err := run(ctx)
		if err != nil || got != want {
			b.Fatalf("got %+v, %v; want %+v", got, err, want)
		}
	}
	cpu.report(b)
	b.ReportMetric(float64(p.totalRequests()-before)/float64(b.N), "reqs/op")
}

// BenchmarkSignIn is group 1: a full sign-in (authorization URL, then the
// callback: state check, code exchange, userinfo, mapping) and the
// callback alone, for Kakao, Hugging Face and the generic connector, by
// connectorkit, goth's equivalent provider where there is one, the floor
// and floor+, in memory then over loopback HTTPS. All the implementations
// of one provider share one client, and are checked to return the same
// profile before anything is timed.
func BenchmarkSignIn(b *testing.B) {
	for _, tr := range transports {
		b.Run("transport="+tr.name, func(b *testing.B) {
			for _, pc := range signInCases() {
				b.Run("provider="+pc.name, func(b *testing.B) {
					p := newProvider(pc.answers())
					names, impls, err := pc.impls(tr.client(b, p))
					if err != nil {
						b.Fatal(err)
					}
					checkSame(b, pc, names, impls)
					for _, way := range []string{"full", "callback"} {
						b.Run("flow="+way, func(b *testing.B) {
							for _, name := range names {
								run := impls[name].full
								if way == "callback" {
									run = impls[name].callback
								}
								b.Run("impl="+name, func(b *testing.B) { benchRun(b, p, pc.wantFor(name), run) })
							}
						})
					}
				})
			}
		})
	}
}

// BenchmarkKakaoPhone is group 2: Kakao's full sign-in with a phone
// number in the profile ("+82 10-1234-5678"), normalised to E.164 by
// connectorkit and by the floor (with the same library); goth's Kakao
// reads no phone number (nor email).
func BenchmarkKakaoPhone(b *testing.B) {
	pc := kakaoCase(true)
	p := newProvider(pc.answers())
	names, impls, err := pc.impls(p.memClient())
	if err != nil {
		b.Fatal(err)
	}
	checkSame(b, pc, names, impls)
	for _, name := range []string{implCK, implGoth, implFloor} {
		b.Run("impl="+name, func(b *testing.B) { benchRun(b, p, pc.wantFor(name), impls[name].full) })
	}
}

// BenchmarkSignInParallel is group 6: the full sign-ins of group 1 in
// memory, from GOMAXPROCS goroutines sharing one connector (one provider,
// one config) per implementation.
func BenchmarkSignInParallel(b *testing.B) {
	for _, pc := range signInCases() {
		b.Run("provider="+pc.name, func(b *testing.B) {
			p := newProvider(pc.answers())
			names, impls, err := pc.impls(p.memClient())
			if err != nil {
				b.Fatal(err)
			}
			checkSame(b, pc, names, impls)
			for _, name := range names {
				run, want := impls[name].full, pc.wantFor(name)
				b.Run("impl="+name, func(b *testing.B) {
					cpu := startCPU()
					b.ReportAllocs()
					b.RunParallel(func(pb *testing.PB) {
						ctx := context.Background()
						for pb.Next() {
							if got, err := run(ctx); err != nil || got != want {
								b.Errorf("got %+v, %v; want %+v", got, err, want)
								return
							}
						}
					})
					cpu.report(b)
				})
			}
		})
	}
}
