// Package httpx holds the HTTP mechanisms every connector shares: reading a
// provider's answer with a size cap, and a transport wrapper that caps the
// bodies read by code we do not control (a provider SDK).
package httpx

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// DefaultMaxBody is the cap on a provider response body: 1 MiB, far above any
// token, userinfo or message answer.
const DefaultMaxBody int64 = 1 << 20

// ErrBodyTooLarge is returned when a response body exceeds its cap.
var ErrBodyTooLarge = errors.New("response body exceeds the size limit")

// ReadBody reads at most max bytes of r (DefaultMaxBody when max <= 0). A
// longer body is an error wrapping [ErrBodyTooLarge]; at most max+1 bytes are
// ever held in memory.
func ReadBody(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > max {
		return b[:max], fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, max)
	}
	return b, nil
}

// ReadResponse reads and closes resp.Body with the cap of [ReadBody]. The
// rest of an oversized body is not drained: the connection is dropped.
func ReadResponse(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	return ReadBody(resp.Body, max)
}

// CapTransport wraps rt (http.DefaultTransport when nil) so that every
// response body fails with [ErrBodyTooLarge] after max bytes. Use it around
// the injected client's transport when a provider SDK reads bodies itself.
func CapTransport(rt http.RoundTripper, max int64) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	if max <= 0 {
		max = DefaultMaxBody
	}
	return capTransport{rt: rt, max: max}
}

type capTransport struct {
	rt  http.RoundTripper
	max int64
}

func (c capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &capBody{rc: resp.Body, left: c.max}
	return resp, nil
}

type capBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *capBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - int(-b.left), ErrBodyTooLarge
	}
	return n, err
}

func (b *capBody) Close() error { return b.rc.Close() }
