package oauthflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// Provider describes an OAuth 2.0 provider to the engine. A provider
// package (Kakao, Hugging Face, the generic connector) is this value, its
// config and its mapping; [Open] builds the one social connector every
// provider shares from it, so the state check, code exchange, userinfo
// request, WantTokens, refresh, logging, redaction and metadata plumbing
// are written once.
type Provider struct {
	// FactoryID is the registry ID ("kakao-universal"): the default
	// connector ID in errors and the logger's group.
	FactoryID string
	// Metadata is the provider's metadata; [Social.Metadata] returns it
	// with the instance's target.
	Metadata func() connector.Metadata
	// Standard providers (the generic connector) may be opened several
	// times, each with its own target ([connector.WithTarget]).
	Standard bool
	// Endpoint holds the authorization and token URLs (AuthStyle is not
	// used: see AuthMethod).
	Endpoint oauth2.Endpoint
	// UserInfoURL is the userinfo endpoint; RevokeURL the RFC 7009
	// revocation endpoint, when the provider has one.
	UserInfoURL, RevokeURL string
	// AuthMethod is the token endpoint authentication; PKCE adds an S256
	// challenge.
	AuthMethod AuthMethod
	PKCE       bool
	// Nonce adds a fresh random nonce to every authorization URL, kept in
	// the flow state for the IDToken step to check; ResponseType replaces
	// "code" (Sign in with Apple: "code id_token").
	Nonce        bool
	ResponseType string
	// Scope is how the provider writes scopes.
	Scope ScopeRule
	// AuthParams are fixed extra authorization parameters; TokenParams
	// extra token and refresh parameters.
	AuthParams, TokenParams url.Values
	// TokenResponseFormat and JWTAlgorithm are as in [Config].
	TokenResponseFormat string
	JWTAlgorithm        string
	// MapProfile turns the userinfo document into user info. Its errors
	// are stamped with the connector ID.
	MapProfile func(doc []byte) (*connector.UserInfo, error)
	// ProviderError reads the provider's own error shape; nil for OAuth's.
	ProviderError ProviderErrorFunc
	// IDToken, when set, replaces the code exchange and the userinfo
	// request, for providers whose identity comes signed (Sign in with
	// Apple, OpenID Connect): see [IDTokenFunc]. Errors are stamped with
	// the connector ID.
	IDToken IDTokenFunc
	// Issuer and RequireIssuer are as in [Config] (RFC 9207's callback
	// iss parameter).
	Issuer        string
	RequireIssuer bool
	// Endpoints are further endpoint names [connector.WithEndpoint] may
	// set, for endpoints the provider package calls itself (Apple's
	// "keys"). The engine's are always accepted: authorization, token,
	// revocation when RevokeURL is set, and userinfo unless the provider
	// has an IDToken step and no UserInfoURL.
	Endpoints []string
}

// IDTokenFunc is a provider's sign-in step for a callback whose identity
// comes signed. The social connector calls it after the callback checks of
// [Engine.CheckCallback] have passed (repeated parameters, the state, a
// provider error, a code), and before any request. exchange runs the code
// exchange of [Engine.Exchange] when the step needs it (Apple without a
// client secret never does): the first call sends the token request, later
// calls return the same answer; when the host asked for tokens
// ([connector.Callback.WantTokens]) and exchange was called, the tokens are
// attached to the user info (and never otherwise). exchange belongs to one
// callback: call it from the step's goroutine only.
type IDTokenFunc func(ctx context.Context, cb connector.Callback, exchange func(context.Context) (*Token, error)) (*connector.UserInfo, error)

// ScopeRule says how a provider writes scopes: the separator it wants, the
// default, and which characters an item may have. Scopes from a config or
// a request are accepted separated by spaces and/or commas, and sent
// joined with Separator, duplicates dropped.
type ScopeRule struct {
	// Separator joins scope items: " " (RFC 6749) or "," (Kakao).
	Separator string
	// Default is sent when neither the config nor the request sets one.
	Default string
	// ItemName and ItemChars name an item and the characters it may have,
	// for messages ("consent item ID", "letters, digits, _ . : - only");
	// ValidRune decides. Nil accepts RFC 6749 scope tokens: printable
	// ASCII except space, '"' and '\'.
	ItemName, ItemChars string
	ValidRune           func(r rune) bool
	// AsWritten sends a scope as the config or request wrote it (the
	// generic connector: the provider's own syntax is unknown).
	AsWritten bool
	// Allowed, when set, lists the only items a scope may hold (Sign in
	// with Apple knows name and email, nothing else).
	Allowed []string
}

// Normalize splits s on spaces and commas, checks each item and joins them
// with the separator, dropping duplicates.
func (r ScopeRule) Normalize(s string) (string, error) {
	if r.AsWritten {
		return s, nil
	}
	valid, name, chars := r.ValidRune, r.ItemName, r.ItemChars
	if valid == nil {
		valid = func(c rune) bool { return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\' }
		name, chars = "valid OAuth scope", "printable ASCII without quotes or backslashes; scopes are space-separated"
	}
	sep := r.Separator
	if sep == "" {
		sep = " "
	}
	items := strings.FieldsFunc(s, func(c rune) bool { return c == ',' || IsSpace(c) })
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		for _, c := range it {
			if !valid(c) {
				if len(it) > 40 {
					it = it[:40] + "..."
				}
				return "", fmt.Errorf("item %q is not a %s (%s)", strings.ToValidUTF8(it, ""), name, chars)
			}
		}
		if len(r.Allowed) > 0 && !slices.Contains(r.Allowed, it) {
			if len(it) > 40 {
				it = it[:40] + "..."
			}
			return "", fmt.Errorf("item %q is not one of %s", strings.ToValidUTF8(it, ""), strings.Join(r.Allowed, ", "))
		}
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return strings.Join(out, sep), nil
}

// IsSpace reports the white space a pasted credential or scope may carry
// by accident (ASCII space and controls, NEL, NBSP).
func IsSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0
}

// Client is what one instance of a provider adds: its credentials and
// scope, and the connector options.
type Client struct {
	ClientID     string
	ClientSecret connector.Secret
	// ClientSecretFunc mints the secret per request instead (Apple).
	ClientSecretFunc func(ctx context.Context) (connector.Secret, error)
	// Scope replaces the provider's default scope; it must have passed
	// the provider's ScopeRule.
	Scope string
	// AuthMethod, when set, replaces the provider's.
	AuthMethod AuthMethod
	// PKCE, when set, replaces the provider's.
	PKCE *bool
}

// Social is the social connector every OAuth 2.0 provider shares. It is
// immutable and safe for concurrent use. It implements [connector.Social]
// and [connector.Refresher].
type Social struct {
	p        Provider
	target   string
	scope    string
	clientID string
	engine   *Engine
	opts     connector.Options
}

var (
	_ connector.Social    = (*Social)(nil)
	_ connector.Refresher = (*Social)(nil)
)

// Open builds the social connector of provider p for client c with the
// resolved options o (endpoint overrides by the names "authorization",
// "token", "userinfo", "revocation", and p.Endpoints).
func Open(p Provider, c Client, o connector.Options) (*Social, error) {
	id := o.ConnectorID(p.FactoryID)
	names := []string{EndpointAuthorization, EndpointToken}
	if p.IDToken == nil || p.UserInfoURL != "" {
		names = append(names, EndpointUserInfo)
	}
	if p.RevokeURL != "" {
		names = append(names, EndpointRevocation)
	}
	names = append(names, p.Endpoints...)
	if err := o.Restrict(p.FactoryID, p.Standard, names...); err != nil {
		return nil, err
	}
	scope := c.Scope
	if scope == "" {
		scope = p.Scope.Default
	}
	method := p.AuthMethod
	if c.AuthMethod != "" {
		method = c.AuthMethod
	}
	pkce := p.PKCE
	if c.PKCE != nil {
		pkce = *c.PKCE
	}
	engine, err := New(Config{
		ConnectorID:         id,
		ClientID:            c.ClientID,
		ClientSecret:        c.ClientSecret,
		ClientSecretFunc:    c.ClientSecretFunc,
		AuthURL:             o.Endpoint(EndpointAuthorization, p.Endpoint.AuthURL),
		TokenURL:            o.Endpoint(EndpointToken, p.Endpoint.TokenURL),
		UserInfoURL:         o.Endpoint(EndpointUserInfo, p.UserInfoURL),
		RevokeURL:           o.Endpoint(EndpointRevocation, p.RevokeURL),
		AuthMethod:          method,
		JWTAlgorithm:        p.JWTAlgorithm,
		Scope:               scope,
		PKCE:                pkce,
		Nonce:               p.Nonce,
		ResponseType:        p.ResponseType,
		AuthParams:          p.AuthParams,
		TokenParams:         p.TokenParams,
		TokenResponseFormat: p.TokenResponseFormat,
		ProviderError:       p.ProviderError,
		Issuer:              p.Issuer,
		RequireIssuer:       p.RequireIssuer,
		HTTPClient:          o.HTTPClient,
		Logger:              o.ScopedLogger(p.FactoryID),
		Now:                 o.Now,
	})
	if err != nil {
		// An endpoint given with connector.WithEndpoint was checked by
		// kit.ResolveOptions already (the same kit.CheckEndpoint), so an
		// error here is about the provider's or the config's fields.
		return nil, err
	}
	target := o.Target
	if target == "" {
		target = p.Metadata().Target
	}
	return &Social{p: p, target: target, scope: scope, clientID: c.ClientID, engine: engine, opts: o}, nil
}

// Endpoint names for [connector.WithEndpoint].
const (
	EndpointAuthorization = connector.EndpointAuthorization
	EndpointToken         = connector.EndpointToken
	EndpointUserInfo      = connector.EndpointUserInfo
	EndpointRevocation    = connector.EndpointRevocation
)

// Metadata returns the provider's metadata with the instance's target.
func (s *Social) Metadata() connector.Metadata {
	m := s.p.Metadata()
	m.Target = s.target
	return m
}

// AuthorizationURL implements [connector.Social]: a request scope is
// checked and written the provider's way.
func (s *Social) AuthorizationURL(ctx context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if req.Scope != "" {
		scope, err := s.p.Scope.Normalize(req.Scope)
		if err != nil {
			return nil, &connector.Error{Code: connector.CodeInvalidRequestParameters, Connector: s.engine.id,
				Step: connector.StepAuthorize, Message: "request scope " + err.Error()}
		}
		req.Scope = scope
	}
	return s.engine.Authorize(ctx, req)
}

// UserInfo implements [connector.Social]: the callback checks, the code
// exchange, then the provider's id_token step or its userinfo request and
// mapping.
func (s *Social) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	var info *connector.UserInfo
	var err error
	if s.p.IDToken != nil {
		info, err = s.signInWithIDToken(ctx, cb)
	} else {
		info, err = s.engine.SignIn(ctx, cb, s.p.MapProfile)
	}
	if err != nil {
		return nil, err
	}
	if s.engine.log.Enabled(ctx, slog.LevelDebug) { // no argument boxing when debug is off
		s.engine.log.DebugContext(ctx, "sign-in succeeded", "email", info.Email != "", "email_verified", info.EmailVerified,
			"phone", info.Phone != "")
	}
	return info, nil
}

// signInWithIDToken checks the callback, then runs the provider's IDToken
// step with an exchange that sends the token request at most once, and
// only if the step asks for it.
func (s *Social) signInWithIDToken(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	if err := s.engine.CheckCallback(cb); err != nil {
		return nil, err
	}
	var tok *Token
	var exchangeErr error
	exchanged := false
	exchange := func(ctx context.Context) (*Token, error) {
		if !exchanged {
			exchanged = true
			tok, exchangeErr = s.engine.Exchange(ctx, cb)
		}
		return tok, exchangeErr
	}
	info, err := s.p.IDToken(ctx, cb, exchange)
	if err != nil {
		return nil, s.engine.Stamp(err)
	}
	if info == nil {
		return nil, s.engine.Stamp(&connector.Error{Code: connector.CodeGeneral, Step: connector.StepIDToken,
			Message: "the id_token step returned neither user info nor an error"})
	}
	if err := CheckUserID(info.ID); err != nil {
		return nil, s.engine.Stamp(err)
	}
	info.Tokens = nil
	if cb.WantTokens && tok != nil {
		t := tok.Tokens
		info.Tokens = &t
	}
	return info, nil
}

// Refresh implements [connector.Refresher].
func (s *Social) Refresh(ctx context.Context, refreshToken string) (*connector.Tokens, error) {
	return s.engine.Refresh(ctx, refreshToken)
}

// Engine returns the connector's engine, for provider packages that add a
// step of their own (revocation, an id_token check).
func (s *Social) Engine() *Engine { return s.engine }

// String describes the connector without its secret.
func (s *Social) String() string {
	return fmt.Sprintf("%s connector{ID:%q Target:%q ClientID:%q Scope:%q}", s.p.FactoryID, s.engine.id, s.target, s.clientID, s.scope)
}

// GoString is like String, so %#v reveals nothing either.
func (s *Social) GoString() string { return s.String() }

// Format prints String for every verb (and so do the provider types that
// embed a *Social): fmt would otherwise print the fields for the verbs
// String does not serve.
func (s *Social) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue logs String.
func (s *Social) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Build is the body of a provider package's typed constructor: it resolves
// opts, validates cfg by its tags and [kit.Checker] (defaults fill
// its zero fields), opens p for the client that client derives from the
// valid config, and wraps the social connector in the package's type.
func Build[C, T any](p Provider, cfg C, opts []connector.Option, client func(C) Client, wrap func(*Social) T) (T, error) {
	return Validated(p.FactoryID, cfg, opts, func(c C, o connector.Options) (T, error) {
		s, err := Open(p, client(c), o)
		if err != nil {
			var zero T
			return zero, err
		}
		return wrap(s), nil
	})
}

// Validated is the body of a typed constructor that builds its connector
// itself: opts resolved, cfg validated by its tags and [kit.Checker] (a
// zero field takes its default), then build with the resolved options.
// Errors name factoryID (or the instance ID).
func Validated[C, T any](factoryID string, cfg C, opts []connector.Option, build func(C, connector.Options) (T, error)) (T, error) {
	o, err := kit.ResolveOptions(opts...)
	if err == nil {
		err = kit.ValidateConfig(&cfg)
	}
	if err != nil {
		var zero T
		return zero, kit.Attribute(err, o.ConnectorID(factoryID))
	}
	return build(cfg, o)
}

// Decoded is the body of Open for a provider whose JSON config says what
// a Go zero value cannot (a profileMap path written "" maps nothing):
// raw decoded and validated by [kit.DecodeConfig], whose defaults fill
// absent keys only, then build, without [Validated]'s zero defaults.
func Decoded[C, T any](factoryID string, raw []byte, opts []connector.Option, build func(C, connector.Options) (T, error)) (T, error) {
	var cfg C
	o, err := kit.ResolveOptions(opts...)
	if err == nil {
		err = kit.DecodeConfig(raw, &cfg)
	}
	if err != nil {
		var zero T
		return zero, kit.Attribute(err, o.ConnectorID(factoryID))
	}
	return build(cfg, o)
}

// Decode is the first half of a provider package's Open: the JSON config
// decoded into C with every problem reported at once; the typed
// constructor then validates and builds.
func Decode[C any](raw json.RawMessage, factoryID string, opts []connector.Option) (C, error) {
	var cfg C
	if err := kit.DecodeConfig(raw, &cfg); err != nil {
		o, _ := kit.ResolveOptions(opts...)
		return cfg, kit.Attribute(err, o.ConnectorID(factoryID))
	}
	return cfg, nil
}
