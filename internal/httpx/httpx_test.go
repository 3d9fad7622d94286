package httpx

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// endless yields zeros forever, counting what was read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadBody(t *testing.T) {
	b, err := ReadBody(strings.NewReader("hello"), 5)
	if err != nil || string(b) != "hello" {
		t.Errorf("at the cap: %q, %v", b, err)
	}
	b, err = ReadBody(strings.NewReader("hello!"), 5)
	if !errors.Is(err, ErrBodyTooLarge) || string(b) != "hello" {
		t.Errorf("over the cap: %q, %v", b, err)
	}
	src := &endless{}
	if _, err := ReadBody(src, 0); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("endless body: %v", err)
	}
	if src.n > DefaultMaxBody+64*1024 {
		t.Errorf("read %d bytes of an endless body, cap %d", src.n, DefaultMaxBody)
	}
	resp := &http.Response{Body: io.NopCloser(bytes.NewReader([]byte(`{"ok":true}`)))}
	if b, err := ReadResponse(resp, 100); err != nil || string(b) != `{"ok":true}` {
		t.Errorf("ReadResponse = %q, %v", b, err)
	}
}

func TestCapTransport(t *testing.T) {
	body := strings.Repeat("x", 100)
	rt := CapTransport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body))}, nil
	}), 10)
	req, _ := http.NewRequest(http.MethodGet, "https://example.test/", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, ErrBodyTooLarge) || len(b) != 10 {
		t.Errorf("capped read: %d bytes, %v", len(b), err)
	}
	if _, err := resp.Body.Read(make([]byte, 4)); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("read after the cap: %v", err)
	}
	resp.Body.Close()

	small := CapTransport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("tiny"))}, nil
	}), 0)
	resp, _ = small.RoundTrip(req)
	if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "tiny" {
		t.Errorf("under the cap: %q, %v", b, err)
	}

	failing := CapTransport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, io.ErrUnexpectedEOF }), 10)
	if _, err := failing.RoundTrip(req); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("transport error not passed on: %v", err)
	}
	if CapTransport(nil, 1).(capTransport).rt != http.DefaultTransport {
		t.Error("nil transport is not http.DefaultTransport")
	}
}
