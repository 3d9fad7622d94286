package oauthflow

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/connectorkit/connector"
)

// A token endpoint that redirects must not make the engine send the client
// secret and the code to the redirect's target.
func TestTokenRedirectIsNotFollowed(t *testing.T) {
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			p := newMockProvider()
			p.token(func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(status, "")
				resp.Header.Set("Location", "https://elsewhere.example.net/collect")
				return resp, nil
			})
			var leaked []string
			p.mt.RegisterResponder(http.MethodPost, "https://elsewhere.example.net/collect", func(req *http.Request) (*http.Response, error) {
				var b strings.Builder
				if req.Body != nil {
					buf := make([]byte, 4096)
					n, _ := req.Body.Read(buf)
					b.Write(buf[:n])
				}
				leaked = append(leaked, b.String())
				return httpmock.NewStringResponse(200, `{"access_token":"x"}`), nil
			})
			e := mustNew(t, baseConfig(p))
			_, err := e.Exchange(context.Background(), callback(testFlow()))
			ce := asError(t, err, connector.CodeGeneral)
			if ce.Status != status {
				t.Errorf("status = %d, want %d", ce.Status, status)
			}
			if len(leaked) > 0 {
				t.Fatalf("the redirect was followed with the form: %q", leaked)
			}
		})
	}
}
