package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/builtin"
)

// FuzzOpenSealed feeds the sealed cookie's opener what a browser may send:
// it must never panic, and nothing but a value sealed with the key for the
// connector may open.
func FuzzOpenSealed(f *testing.F) {
	s, err := newSealer(bytes.Repeat([]byte{7}, keySize), nil)
	if err != nil {
		f.Fatal(err)
	}
	want := func(id string) sealedFlow {
		return sealedFlow{Flow: connector.FlowState{State: "s", RedirectURI: "http://127.0.0.1/callback/" + id}}
	}
	for _, id := range []string{"kakao", "huggingface"} {
		v, err := s.seal(testBinding(id), want(id), time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
		f.Add(v[:len(v)-1])
		f.Add(v + "A")
	}
	for _, seed := range []string{"", "v1.", "v1.AAAA", "v2.abc", "v1.!!!!", "v1." + string(bytes.Repeat([]byte("A"), 200))} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var fc sealedFlow
		err := s.open(testBinding("kakao"), in, &fc)
		// The key is fixed, so seals made by any fuzzing process open
		// here; the only thing that may open for kakao is kakao's flow.
		if err == nil && fc != want("kakao") {
			t.Fatalf("a forged value opened: %q gave %+v", in, fc)
		}
	})
}

// FuzzParseEntries feeds a connectors.json parser any document: it must
// never panic, and what it accepts must be well formed.
func FuzzParseEntries(f *testing.F) {
	reg, err := builtin.NewRegistry()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`[{"id":"kakao","factoryId":"kakao-universal","config":{"clientId":"x"}}]`,
		`[{"id":"a","factoryId":"oauth2","target":"t","config":{}},{"id":"a","factoryId":"nope","config":[]}]`,
		`[null, 1, "x", [], {}]`,
		`{"id":"x"}`,
		`[{"id":1,"factoryId":true,"config":null,"extra":{}}]`,
		`[] []`,
		`[{"id":"` + string(bytes.Repeat([]byte("a"), 70)) + `","factoryId":"oauth2","config":{}}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := decodeDoc("fuzz.json", raw)
		if err != nil {
			return
		}
		entries, err := parseEntries("fuzz.json", doc, reg)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if !idPattern.MatchString(e.ID) || seen[e.ID] {
				t.Fatalf("accepted a bad or repeated ID %q", e.ID)
			}
			seen[e.ID] = true
			if _, ok := reg.Factory(e.FactoryID); !ok {
				t.Fatalf("accepted an unknown factory %q", e.FactoryID)
			}
			var obj map[string]any
			if err := json.Unmarshal(e.Config, &obj); err != nil || obj == nil {
				t.Fatalf("accepted a config that is not an object: %s", e.Config)
			}
		}
	})
}
