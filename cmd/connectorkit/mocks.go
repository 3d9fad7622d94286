package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
)

// demoProvider wires one built-in connector to a mock provider for the
// offline demo: the mock to start, the config (Logto's shape) that names the
// mock's client, and the options that point the connector at the mock.
type demoProvider struct {
	// ID is the connector instance ID: the path of its buttons and
	// callback (/signin/{id}, /callback/{id}).
	ID string
	// Factory is the factory ID in the registry.
	Factory string
	// Mock returns a new mock provider.
	Mock func() mockprovider.Provider
	// Config returns the connector config for the started mock.
	Config func(p mockprovider.Provider) map[string]any
	// Options point the connector at the started mock.
	Options func(p mockprovider.Provider) []connector.Option
}

// demoProviders is the offline demo, in the order the sign-in page shows
// it. A new built-in connector joins the demo with one entry here: its
// sign-in button, callback, result page and failure simulations follow.
var demoProviders = []demoProvider{
	{ID: "apple", Factory: "apple-universal",
		Mock: func() mockprovider.Provider {
			return mockprovider.NewApple(mockprovider.AppleOptions{TeamID: demoAppleTeamID, KeyID: demoAppleKeyID,
				ClientKey: &demoAppleKey().PublicKey})
		},
		Config:  appleConfig,
		Options: endpoints(appleEndpoints)},
	{ID: "kakao", Factory: "kakao-universal",
		Mock:    func() mockprovider.Provider { return mockprovider.NewKakao(mockprovider.KakaoOptions{}) },
		Config:  clientConfig("profile_nickname,profile_image,account_email,phone_number"),
		Options: endpoints(oauthEndpoints)},
	{ID: "huggingface", Factory: "huggingface-universal",
		Mock:    func() mockprovider.Provider { return mockprovider.NewHuggingFace(mockprovider.HuggingFaceOptions{}) },
		Config:  clientConfig("openid profile email"),
		Options: endpoints(oauthEndpoints)},
	{ID: "oauth2", Factory: "oauth2",
		Mock:   func() mockprovider.Provider { return mockprovider.NewOAuth2(mockprovider.OAuth2Options{}) },
		Config: oauth2Config},
	{ID: "oidc", Factory: "oidc",
		Mock: func() mockprovider.Provider {
			return mockprovider.NewOIDC(mockprovider.OIDCOptions{IssParameter: true, Revocation: true, RequirePKCE: true})
		},
		Config: oidcConfig},
	{ID: "twilio", Factory: "twilio-short-message-service",
		Mock:   func() mockprovider.Provider { return mockprovider.NewTwilio(mockprovider.TwilioOptions{}) },
		Config: twilioConfig,
		Options: func(p mockprovider.Provider) []connector.Option {
			return []connector.Option{connector.WithEndpoint("api", p.BaseURL())}
		}},
}

// clientConfig is the config of a connector that needs the mock's client
// credentials and a scope.
func clientConfig(scope string) func(mockprovider.Provider) map[string]any {
	return func(p mockprovider.Provider) map[string]any {
		sp := p.(mockprovider.SocialProvider)
		cfg := map[string]any{"clientId": sp.ClientID(), "scope": scope}
		if s := sp.ClientSecret(); s != "" {
			cfg["clientSecret"] = s
		}
		return cfg
	}
}

// oidcConfig is the OpenID Connect short form: the mock's issuer (its base
// URL) alone; the connector reads everything else from the mock's
// discovery document.
func oidcConfig(p mockprovider.Provider) map[string]any {
	sp := p.(*mockprovider.OIDC)
	return map[string]any{"issuer": sp.Issuer(), "clientId": sp.ClientID(), "clientSecret": sp.ClientSecret(),
		"scope": "openid profile email phone"}
}

// oauthEndpoints names the endpoint options of an OAuth 2.0 connector
// (connector.WithEndpoint) and the mock endpoints they point at.
var oauthEndpoints = map[string]mockprovider.Endpoint{
	"authorization": mockprovider.EndpointAuthorize,
	"token":         mockprovider.EndpointToken,
	"userinfo":      mockprovider.EndpointUserInfo,
}

// endpoints points each named endpoint option of a connector at the mock's
// endpoint.
func endpoints(names map[string]mockprovider.Endpoint) func(mockprovider.Provider) []connector.Option {
	return func(p mockprovider.Provider) []connector.Option {
		opts := make([]connector.Option, 0, len(names))
		for name, e := range names {
			opts = append(opts, connector.WithEndpoint(name, p.URL(e)))
		}
		return opts
	}
}

// The demo's Sign in with Apple team and key: the key is made once per
// process; the Apple mock checks the client secrets the connector signs
// with it, as Apple checks a real .p8 key's.
const (
	demoAppleTeamID = "DEMOTEAM01"
	demoAppleKeyID  = "DEMOKEY001"
)

var demoAppleKey = sync.OnceValue(func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("cannot make the demo's Sign in with Apple key: " + err.Error()) // crypto/rand never fails
	}
	return k
})

// appleConfig is an Apple config for the mock, with the client secret's
// key: the demo shows the whole flow, code exchange included.
func appleConfig(p mockprovider.Provider) map[string]any {
	der, err := x509.MarshalPKCS8PrivateKey(demoAppleKey())
	if err != nil {
		panic(err) // a P-256 key always marshals
	}
	return map[string]any{
		"clientId":   p.(mockprovider.SocialProvider).ClientID(),
		"scope":      "name email",
		"teamId":     demoAppleTeamID,
		"keyId":      demoAppleKeyID,
		"privateKey": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	}
}

// appleEndpoints are Sign in with Apple's endpoint options: Apple's keys
// beside the OAuth endpoints, and no userinfo.
var appleEndpoints = map[string]mockprovider.Endpoint{
	"authorization": mockprovider.EndpointAuthorize,
	"token":         mockprovider.EndpointToken,
	"keys":          mockprovider.EndpointJWKS,
	"revocation":    mockprovider.EndpointRevoke,
}

// oauth2Config is a Logto oauth2 config for the generic mock: its endpoints
// are in the config, and its flat profile is mapped field by field.
func oauth2Config(p mockprovider.Provider) map[string]any {
	sp := p.(mockprovider.SocialProvider)
	return map[string]any{
		"authorizationEndpoint":   sp.URL(mockprovider.EndpointAuthorize),
		"tokenEndpoint":           sp.URL(mockprovider.EndpointToken),
		"userInfoEndpoint":        sp.URL(mockprovider.EndpointUserInfo),
		"clientId":                sp.ClientID(),
		"clientSecret":            sp.ClientSecret(),
		"tokenEndpointAuthMethod": "client_secret_basic",
		"scope":                   "openid profile email",
		"profileMap": map[string]any{
			"id": "id", "email": "email", "emailVerified": "email_verified", "name": "name",
			"avatar": "avatar", "phone": "phone",
		},
	}
}

// twilioConfig is a Logto Twilio config for the mock account, with a
// template for the common usage types and the Generic fallback.
func twilioConfig(p mockprovider.Provider) map[string]any {
	tp := p.(*mockprovider.Twilio)
	return map[string]any{
		"accountSID":              tp.AccountSID(),
		"authToken":               tp.AuthToken(),
		"fromMessagingServiceSID": tp.MessagingServiceSID(),
		"templates": []map[string]any{
			{"usageType": "SignIn", "content": "{{application.name}}: your sign-in code is {{code}}. It expires in 10 minutes."},
			{"usageType": "Register", "content": "Welcome to {{application.name}}! Your verification code is {{code}}."},
			{"usageType": "ForgotPassword", "content": "{{application.name}}: use {{code}} to reset your password."},
			{"usageType": "Generic", "content": "{{application.name}}: your code is {{code}}."},
		},
	}
}

// failureCatalog is what the demo can make a mock do wrong, for every mock
// whose endpoint supports it; each mock's own ErrorCases are added.
var failureCatalog = []struct {
	key, label string
	endpoint   mockprovider.Endpoint
	failure    mockprovider.Failure
}{
	{"token-invalid-grant", "Token endpoint refuses the code (invalid_grant)", mockprovider.EndpointToken, mockprovider.Failure{Mode: mockprovider.InvalidGrant}},
	{"token-unauthorized", "Token endpoint refuses the client (401)", mockprovider.EndpointToken, mockprovider.Failure{Mode: mockprovider.Unauthorized}},
	{"token-missing", "Token response without an access token", mockprovider.EndpointToken, mockprovider.Failure{Mode: mockprovider.MissingToken}},
	{"token-500", "Token endpoint fails (500)", mockprovider.EndpointToken, mockprovider.Failure{Mode: mockprovider.ServerError}},
	{"userinfo-401", "Userinfo refuses the access token (401)", mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.Unauthorized}},
	{"userinfo-429", "Userinfo rate limit (429, Retry-After)", mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.RateLimited}},
	{"userinfo-503", "Userinfo unavailable (503)", mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.Unavailable}},
	{"userinfo-html", "Userinfo answers an HTML page", mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.HTMLPage}},
	{"userinfo-truncated", "Userinfo answers truncated JSON", mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.TruncatedJSON}},
	{"userinfo-missing-id", "Profile without a user ID", mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.MissingID}},
	{"userinfo-wrong-types", "Profile with an ID of the wrong type", mockprovider.EndpointUserInfo, mockprovider.Failure{Mode: mockprovider.WrongTypes}},
	{"messages-invalid-recipient", "Invalid recipient", mockprovider.EndpointMessages, mockprovider.Failure{Mode: mockprovider.InvalidRecipient}},
	{"messages-unauthorized", "Credentials refused", mockprovider.EndpointMessages, mockprovider.Failure{Mode: mockprovider.Unauthorized}},
	{"messages-429", "Rate limit (429, Retry-After)", mockprovider.EndpointMessages, mockprovider.Failure{Mode: mockprovider.RateLimited}},
	{"messages-503", "Unavailable (503)", mockprovider.EndpointMessages, mockprovider.Failure{Mode: mockprovider.Unavailable}},
}

// mockFailure is an armable failure of one started mock.
type mockFailure struct {
	option   failureOption
	mock     mockprovider.Provider
	endpoint mockprovider.Endpoint
	failure  mockprovider.Failure
}

// mockBackend starts the mock of every demo provider on 127.0.0.1 and opens
// its connector against it.
func mockBackend(reg *connector.Registry, providers []demoProvider, common []connector.Option, logger *slog.Logger) (_ *backend, err error) {
	b := &backend{Mode: "mock", mocks: map[string]mockprovider.Provider{}}
	var started []mockprovider.Provider
	b.Close = func() {
		for _, p := range started {
			p.Close()
		}
	}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	armable := map[string]mockFailure{}
	for _, d := range providers {
		if !idPattern.MatchString(d.ID) {
			return nil, fmt.Errorf("demo provider %q: the ID must match %s", d.ID, idPattern)
		}
		if _, dup := b.mocks[d.ID]; dup {
			return nil, fmt.Errorf("demo provider %q is listed twice", d.ID)
		}
		p := d.Mock()
		base, err := p.Start()
		if err != nil {
			return nil, fmt.Errorf("cannot start the %s mock provider: %w", p.Name(), err)
		}
		started = append(started, p)
		b.mocks[d.ID] = p
		cfg, err := json.Marshal(d.Config(p))
		if err != nil {
			return nil, err
		}
		opts := append([]connector.Option{connector.WithInstanceID(d.ID)}, common...)
		if d.Options != nil {
			opts = append(opts, d.Options(p)...)
		}
		conn, err := reg.Open(d.Factory, cfg, opts...)
		if err != nil {
			return nil, fmt.Errorf("demo provider %s: %w", d.ID, err)
		}
		meta := conn.Metadata()
		switch k := conn.(type) {
		case connector.Social:
			b.Social = append(b.Social, socialConn{ID: d.ID, Meta: meta, Conn: k})
		case connector.Sender:
			if b.SMS != nil {
				return nil, fmt.Errorf("demo provider %s: the demo has one SMS connector (%s)", d.ID, b.SMS.ID)
			}
			b.SMS = &senderConn{ID: d.ID, Meta: meta, Conn: k}
			if mp, ok := p.(mockprovider.MessageProvider); ok {
				b.Outbox = outboxOf(mp)
			}
		default:
			return nil, fmt.Errorf("demo provider %s: factory %s builds neither a social nor a message connector", d.ID, d.Factory)
		}
		for _, f := range failuresOf(d.ID, p) {
			armable[f.option.Connector+"|"+f.option.Key] = f
			b.Failures = append(b.Failures, f.option)
		}
		logger.Debug("mock provider started", "connector", d.ID, "mock", p.Name(), "url", base)
	}
	b.Arm = func(id, key string) (failureOption, error) {
		f, ok := armable[id+"|"+key]
		if !ok {
			return failureOption{}, fmt.Errorf("no failure %q is known for connector %q", key, id)
		}
		fl := f.failure
		fl.Times = 1
		f.mock.SetFailure(f.endpoint, fl)
		return f.option, nil
	}
	return b, nil
}

// failuresOf lists the failures of the catalog that mock p supports, then
// p's own error cases.
func failuresOf(id string, p mockprovider.Provider) []mockFailure {
	var out []mockFailure
	has := map[mockprovider.Endpoint]bool{}
	for _, e := range p.Endpoints() {
		has[e] = true
	}
	for _, c := range failureCatalog {
		if has[c.endpoint] && p.Supports(c.endpoint, c.failure.Mode) {
			out = append(out, mockFailure{option: failureOption{Connector: id, Key: c.key, Label: c.label},
				mock: p, endpoint: c.endpoint, failure: c.failure})
		}
	}
	for _, ec := range p.ErrorCases() {
		if !has[ec.Endpoint] {
			continue
		}
		label := fmt.Sprintf("%s: provider error %s", endpointLabel(ec.Endpoint), ec.Name)
		out = append(out, mockFailure{option: failureOption{Connector: id, Key: "case-" + ec.Name, Label: label},
			mock: p, endpoint: ec.Endpoint, failure: ec.Failure})
	}
	return out
}

func endpointLabel(e mockprovider.Endpoint) string {
	switch e {
	case mockprovider.EndpointUserInfo:
		return "Userinfo"
	case mockprovider.EndpointMessages:
		return "Messages"
	}
	s := string(e)
	return strings.ToUpper(s[:1]) + s[1:]
}

// outboxOf reads the mock SMS provider's outbox.
func outboxOf(p mockprovider.MessageProvider) func(context.Context) ([]outboxMessage, error) {
	return func(context.Context) ([]outboxMessage, error) {
		msgs := p.Outbox()
		out := make([]outboxMessage, 0, len(msgs))
		for _, m := range msgs {
			from := m.From
			if from == "" {
				from = m.MessagingService
			}
			out = append(out, outboxMessage{SID: m.SID, To: m.To, From: from, Body: m.Body, Sent: m.Time})
		}
		return out, nil
	}
}
