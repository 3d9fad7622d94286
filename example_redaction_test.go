package connector_test

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/connectorkit/connector"
)

// Values that hold a secret (tokens, a flow state's PKCE verifier and
// nonce, a callback's code, a message's one-time code) print and log
// redacted whatever the fmt verb or slog handler. Only their JSON, which
// hosts store, is in full.
func Example_redaction() {
	tokens := connector.Tokens{AccessToken: "at-123", TokenType: "Bearer", RefreshToken: "rt-456",
		Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	fmt.Printf("%v\n", tokens)
	fmt.Printf("%d\n", tokens)

	flow := connector.FlowState{State: "st-1", RedirectURI: "https://id.example.com/callback",
		CodeVerifier: "verifier-789", Nonce: "nonce-012"}
	// Drop the time so that the output is stable.
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	logger.Info("redirect", "flow", flow)
	logger.Info("signed in", "user", connector.UserInfo{ID: "u-1", Email: "ada@example.com", EmailVerified: true, Tokens: &tokens})
	// Output:
	// Tokens{AccessToken:[REDACTED] TokenType:"Bearer" RefreshToken:[REDACTED] IDToken:"" Expiry:2030-01-02T03:04:05Z Scope:[]}
	// Tokens{AccessToken:[REDACTED] TokenType:"Bearer" RefreshToken:[REDACTED] IDToken:"" Expiry:2030-01-02T03:04:05Z Scope:[]}
	// {"level":"INFO","msg":"redirect","flow":{"state":"st-1","redirect_uri":"https://id.example.com/callback","pkce":true,"nonce":true}}
	// {"level":"INFO","msg":"signed in","user":{"id":"u-1","email":"ada@example.com","email_verified":true,"private_email":false,"phone":"","phone_verified":false,"name":"","avatar":"","raw_bytes":0,"tokens":{"token_type":"Bearer","refresh_token":true,"id_token":false,"expiry":"2030-01-02T03:04:05Z"}}}
}
