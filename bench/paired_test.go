package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// variant is one implementation in a paired benchmark.
type variant struct {
	name string
	run  func(context.Context) error
}

// benchPaired runs every variant once per iteration, starting with a
// different one each time, and times each call on its own. Whatever else
// the machine runs then slows all the variants alike, so the ratios it
// reports hold still where the ns/op of separate benchmarks wander. For
// each variant it reports <name>-ns/op, the mean time of a call, and
// <name>-p50-ns, the median; for each pair a/b the ratio of the means
// and a/b-p50 the ratio of the medians. The mean carries the garbage
// collector's share and every preemption by another process; the median
// drops both. Allocations are those of the whole iteration (the separate
// benchmarks give them per variant).
func benchPaired(b *testing.B, vs []variant, pairs [][2]string) {
	b.Helper()
	ctx := context.Background()
	for _, v := range vs {
		if err := v.run(ctx); err != nil {
			b.Fatalf("%s: %v", v.name, err)
		}
	}
	samples := make([][]time.Duration, len(vs))
	index := make(map[string]int, len(vs))
	for i, v := range vs {
		index[v.name] = i
		samples[i] = make([]time.Duration, 0, 1<<14)
	}
	first := 0
	b.ReportAllocs()
	for b.Loop() {
		for k := range vs {
			i := (first + k) % len(vs)
			start := time.Now()
			if err := vs[i].run(ctx); err != nil {
				b.Fatalf("%s: %v", vs[i].name, err)
			}
			samples[i] = append(samples[i], time.Since(start))
		}
		first = (first + 1) % len(vs)
	}
	mean := make([]float64, len(vs))
	median := make([]float64, len(vs))
	for i, v := range vs {
		var sum time.Duration
		for _, d := range samples[i] {
			sum += d
		}
		mean[i] = float64(sum) / float64(len(samples[i]))
		slices.Sort(samples[i])
		median[i] = float64(samples[i][len(samples[i])/2])
		b.ReportMetric(mean[i], v.name+"-ns/op")
		b.ReportMetric(median[i], v.name+"-p50-ns")
	}
	for _, p := range pairs {
		i, j := index[p[0]], index[p[1]]
		b.ReportMetric(mean[i]/mean[j], p[0]+"/"+p[1])
		b.ReportMetric(median[i]/median[j], p[0]+"/"+p[1]+"-p50")
	}
}

// checked turns a sign-in into a variant that fails on a wrong profile.
func checked(name string, want profile, run func(context.Context) (profile, error)) variant {
	return variant{name: name, run: func(ctx context.Context) error {
		got, err := run(ctx)
		if err == nil && got != want {
			return fmt.Errorf("got %+v, want %+v", got, want)
		}
		return err
	}}
}

// signInPairs are the ratios of groups 1 and 2.
var signInPairs = [][2]string{{implCK, implFloor}, {implCK, implFloorPlus}, {implCK, implGoth}}

func pairsOf(pairs [][2]string, vs []variant) [][2]string {
	have := map[string]bool{}
	for _, v := range vs {
		have[v.name] = true
	}
	var out [][2]string
	for _, p := range pairs {
		if have[p[0]] && have[p[1]] {
			out = append(out, p)
		}
	}
	return out
}

// BenchmarkPaired gives the time ratios of groups 1 to 4 with the
// variants interleaved call by call (see benchPaired): the sign-ins of
// group 1 in memory and over loopback HTTPS, Kakao with a phone number,
// Apple's callback with warm keys, and one Twilio send.
func BenchmarkPaired(b *testing.B) {
	b.Run("group=signin", func(b *testing.B) {
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
								var vs []variant
								for _, name := range names {
									run := impls[name].full
									if way == "callback" {
										run = impls[name].callback
									}
									vs = append(vs, checked(name, pc.wantFor(name), run))
								}
								benchPaired(b, vs, pairsOf(signInPairs, vs))
							})
						}
					})
				}
			})
		}
	})
	b.Run("group=phone", func(b *testing.B) {
		pc := kakaoCase(true)
		p := newProvider(pc.answers())
		names, impls, err := pc.impls(p.memClient())
		if err != nil {
			b.Fatal(err)
		}
		checkSame(b, pc, names, impls)
		var vs []variant
		for _, name := range []string{implCK, implGoth, implFloor} {
			vs = append(vs, checked(name, pc.wantFor(name), impls[name].full))
		}
		benchPaired(b, vs, pairsOf(signInPairs, vs))
	})
	b.Run("group=apple", func(b *testing.B) {
		w := newAppleWorld(b)
		names, impls := w.appleImpls(b)
		var vs []variant
		for _, name := range names {
			vs = append(vs, checked(name, appleWant, impls[name]))
		}
		benchPaired(b, vs, [][2]string{{"connectorkit-verify", implFloor}, {"connectorkit-exchange", implGoth}})
	})
	b.Run("group=twilio", func(b *testing.B) {
		var vs []variant
		for _, impl := range twilioImpls {
			srv, _ := startCounted(b, twilioServer{})
			send := impl.open(b, srv.URL)
			vs = append(vs, variant{name: impl.name, run: func(ctx context.Context) error {
				_, err := send(ctx)
				return err
			}})
		}
		benchPaired(b, vs, [][2]string{{implCK, implFloor}, {implCK, "floor+phone"}})
	})
}
