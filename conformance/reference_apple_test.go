package conformance

// A small Sign in with Apple connector written on net/http and golang-jwt,
// to prove the suite and the Apple mock work for id_token flows (the
// id_token comes in the form-posted callback; the code is exchanged only
// when a signing key is configured).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/conformance/mockprovider"
	"github.com/connectorkit/connector/internal/httpx"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/kit"
)

const refAppleID = "reference-apple"

// appleFlaw is a deliberate bug of the reference Apple connector.
type appleFlaw int

const (
	appleFlawNone appleFlaw = iota
	// appleFlawNoNonceCheck accepts an id_token whatever its nonce.
	appleFlawNoNonceCheck
	// appleFlawUnverifiedSignature decodes the id_token without checking
	// its signature (goth's and many hand-rolled connectors' bug).
	appleFlawUnverifiedSignature
	// appleFlawFollowsRedirects fetches the keys with a client that
	// follows redirects.
	appleFlawFollowsRedirects
)

type refAppleConfig struct {
	ClientID   string           `json:"clientId" validate:"required"`
	Scope      string           `json:"scope"`
	TeamID     string           `json:"teamId" validate:"required_with=KeyID PrivateKey"`
	KeyID      string           `json:"keyId" validate:"required_with=TeamID PrivateKey"`
	PrivateKey connector.Secret `json:"privateKey" validate:"required_with=TeamID KeyID"`
}

type refApple struct {
	cfg                     refAppleConfig
	opts                    connector.Options
	client                  *http.Client // opts.HTTPClient, following no redirect
	authURL, tokenURL, jwks string
	clientSecret            string
	flaw                    appleFlaw

	mu   *sync.Mutex
	keys map[string]*rsa.PublicKey
}

func (c *refApple) String() string   { return "refApple{" + c.cfg.ClientID + "}" }
func (c *refApple) GoString() string { return c.String() }

// Format prints String for every verb, of the connector or of a copy of
// it: fmt would print the fields, the secret among them, for the verbs
// String does not serve (%d, %x...).
func (c refApple) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

func refAppleMetadata() connector.Metadata {
	return connector.Metadata{ID: refAppleID, Target: "apple", Type: connector.TypeSocial, Platform: connector.PlatformUniversal,
		Name: map[string]string{"en": "Reference Apple"}, Logo: "data:image/svg+xml,<svg/>",
		ConfigSchema: kit.ConfigSchema(refAppleConfig{}, "Reference Apple")}
}

func refAppleFactory(flaw appleFlaw) connector.Factory {
	return connector.Factory{Metadata: refAppleMetadata(), Open: func(raw json.RawMessage, opts ...connector.Option) (connector.Connector, error) {
		o, err := kit.ResolveOptions(opts...)
		if err != nil {
			return nil, err
		}
		noFollow := *o.HTTPClient
		if flaw != appleFlawFollowsRedirects {
			noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		}
		c := &refApple{opts: o, client: &noFollow, mu: new(sync.Mutex), keys: map[string]*rsa.PublicKey{}, flaw: flaw,
			authURL:  o.Endpoint("authorization", "https://appleid.apple.com/auth/authorize"),
			tokenURL: o.Endpoint("token", "https://appleid.apple.com/auth/token"),
			jwks:     o.Endpoint("keys", "https://appleid.apple.com/auth/keys")}
		if err := kit.DecodeConfig(raw, &c.cfg); err != nil {
			var ce *connector.Error
			if errors.As(err, &ce) {
				ce.Connector = refAppleID
			}
			return nil, err
		}
		if !c.cfg.PrivateKey.IsZero() {
			block, _ := pem.Decode([]byte(c.cfg.PrivateKey.Reveal()))
			var key any
			if block != nil {
				key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
			}
			ec, ok := key.(*ecdsa.PrivateKey)
			if block == nil || err != nil || !ok {
				return nil, &connector.Error{Code: connector.CodeInvalidConfig, Connector: refAppleID, Step: connector.StepConfig,
					Message: "invalid config", Fields: connector.FieldErrors{{Path: "privateKey", Message: "must be a PKCS#8 EC private key in PEM"}}}
			}
			tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": c.cfg.TeamID, "sub": c.cfg.ClientID,
				"aud": "https://appleid.apple.com", "iat": o.Now().Unix(), "exp": o.Now().Add(24 * time.Hour).Unix()})
			tok.Header["kid"] = c.cfg.KeyID
			if c.clientSecret, err = tok.SignedString(ec); err != nil {
				return nil, err
			}
		}
		return c, nil
	}}
}

func (c *refApple) Metadata() connector.Metadata { return refAppleMetadata() }

func (c *refApple) fail(code connector.Code, step connector.Step, msg string) *connector.Error {
	return &connector.Error{Code: code, Connector: refAppleID, Step: step, Message: msg}
}

func (c *refApple) AuthorizationURL(_ context.Context, req connector.AuthRequest) (*connector.Authorization, error) {
	if req.RedirectURI == "" {
		return nil, c.fail(connector.CodeInvalidRequestParameters, connector.StepAuthorize, "redirect URI is required")
	}
	flow := connector.FlowState{State: req.State, RedirectURI: req.RedirectURI, Nonce: randomString(24)}
	if flow.State == "" {
		flow.State = randomString(32)
	}
	scope := c.cfg.Scope
	if req.Scope != "" {
		scope = req.Scope
	}
	q := url.Values{"client_id": {c.cfg.ClientID}, "redirect_uri": {req.RedirectURI}, "state": {flow.State},
		"nonce": {flow.Nonce}, "response_type": {"code id_token"}, "response_mode": {"fragment"}}
	if scope != "" {
		q.Set("scope", scope)
		q.Set("response_mode", "form_post")
	}
	return &connector.Authorization{URL: c.authURL + "?" + strings.ReplaceAll(q.Encode(), "+", "%20"), Flow: flow}, nil
}

func (c *refApple) UserInfo(ctx context.Context, cb connector.Callback) (*connector.UserInfo, error) {
	p := cb.Params
	for _, name := range []string{"state", "code", "id_token", "user", "error"} {
		if len(p[name]) > 1 {
			return nil, c.fail(connector.CodeInvalidRequestParameters, connector.StepCallback, "the callback repeats "+name)
		}
	}
	// The state first: only the flow's own callback may end it with an
	// error of the provider's.
	if cb.Flow.State == "" || subtle.ConstantTimeCompare([]byte(p.Get("state")), []byte(cb.Flow.State)) != 1 {
		return nil, c.fail(connector.CodeStateMismatch, connector.StepCallback, "the callback state does not match the flow")
	}
	if e := p.Get("error"); e != "" {
		return nil, &connector.Error{Code: connector.CodeAuthorizationFailed, Connector: refAppleID, Step: connector.StepCallback,
			Message: "the user did not authorize", ProviderCode: strings.Map(printable, e)}
	}
	claims, err := c.verify(ctx, p.Get("id_token"), cb.Flow.Nonce)
	if err != nil {
		return nil, err
	}
	var tokens *connector.Tokens
	if c.clientSecret != "" {
		if p.Get("code") == "" {
			return nil, c.fail(connector.CodeAuthorizationFailed, connector.StepCallback, "the callback has no code")
		}
		if tokens, err = c.exchange(ctx, p.Get("code"), cb.Flow.RedirectURI, cb.Flow.Nonce, claims); err != nil {
			return nil, err
		}
	}
	info := &connector.UserInfo{ID: claims["sub"].(string)}
	info.Email, _ = claims["email"].(string)
	isTrue := func(v any) bool { return v == true || v == "true" }
	info.EmailVerified = info.Email != "" && isTrue(claims["email_verified"])
	info.PrivateEmail = isTrue(claims["is_private_email"])
	var user struct {
		Name struct{ FirstName, LastName string } `json:"name"`
	}
	if json.Unmarshal([]byte(p.Get("user")), &user) == nil {
		info.Name = strings.TrimSpace(user.Name.FirstName + " " + user.Name.LastName)
	}
	info.Raw, _ = json.Marshal(claims)
	if cb.WantTokens {
		info.Tokens = tokens
	}
	return info, nil
}

func (c *refApple) exchange(ctx context.Context, code, redirect, nonce string, callbackClaims jwt.MapClaims) (*connector.Tokens, error) {
	const step = connector.StepTokenExchange
	form := url.Values{"client_id": {c.cfg.ClientID}, "client_secret": {c.clientSecret}, "code": {code},
		"grant_type": {"authorization_code"}, "redirect_uri": {redirect}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, &connector.Error{Code: connector.CodeGeneral, Connector: refAppleID, Step: step, Retryable: true, Message: "the request failed", Err: err}
	}
	if resp.StatusCode/100 == 3 {
		resp.Body.Close()
		return nil, &connector.Error{Code: connector.CodeInvalidResponse, Connector: refAppleID, Step: step, Status: resp.StatusCode,
			Message: "apple answered with a redirect, which is not followed"}
	}
	body, err := httpx.ReadResponse(resp, 0)
	if err != nil {
		return nil, c.fail(connector.CodeInvalidResponse, step, "the token response cannot be read")
	}
	if resp.StatusCode/100 != 2 {
		e := &connector.Error{Code: connector.CodeGeneral, Connector: refAppleID, Step: step, Status: resp.StatusCode, Message: "apple answered " + resp.Status}
		var oe struct{ Error string }
		if json.Unmarshal(body, &oe) == nil {
			e.ProviderCode = oe.Error
		}
		switch {
		case resp.StatusCode == 429:
			e.Code, e.Retryable = connector.CodeRateLimitExceeded, true
			e.RetryAfter = kit.ParseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
		case resp.StatusCode >= 500:
			e.Retryable = true
		case e.ProviderCode == "invalid_grant":
			e.Code = connector.CodeSocialAuthCodeInvalid
		}
		return nil, e
	}
	var tr struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	// Exact member names, and a name twice refused (which access_token
	// would count?).
	if err := jsonx.Unmarshal(body, &tr); err != nil {
		return nil, c.fail(connector.CodeInvalidResponse, step, "the token response "+err.Error())
	}
	if tr.IDToken == "" {
		return nil, c.fail(connector.CodeInvalidResponse, step, "the token response has no id_token")
	}
	claims, err := c.verify(ctx, tr.IDToken, nonce)
	if err != nil {
		return nil, err
	}
	if claims["sub"] != callbackClaims["sub"] {
		return nil, c.fail(connector.CodeSocialInvalidIDToken, connector.StepIDToken, "the token endpoint's id_token is for another user")
	}
	return &connector.Tokens{AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken, IDToken: tr.IDToken}, nil
}

// key returns the JWKS key kid, fetching the JWKS when kid is unknown.
func (c *refApple) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	k, ok := c.keys[kid]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.jwks, nil)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := httpx.ReadResponse(resp, 0)
	if err != nil || resp.StatusCode != 200 {
		return nil, errors.New("the JWKS cannot be fetched")
	}
	var set struct{ Keys []struct{ Kid, N, E string } }
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, errors.New("the JWKS is not JSON")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, jk := range set.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(jk.N)
		e, err2 := base64.RawURLEncoding.DecodeString(jk.E)
		if err1 == nil && err2 == nil {
			c.keys[jk.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if k, ok := c.keys[kid]; ok {
		return k, nil
	}
	return nil, errors.New("no key " + kid + " in the JWKS")
}

func (c *refApple) verify(ctx context.Context, raw, nonce string) (jwt.MapClaims, error) {
	bad := func(msg string) (jwt.MapClaims, error) {
		return nil, c.fail(connector.CodeSocialInvalidIDToken, connector.StepIDToken, msg)
	}
	if raw == "" {
		return bad("no id_token")
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(mockprovider.AppleIssuer), jwt.WithAudience(c.cfg.ClientID),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(c.opts.Now))
	tok, err := parser.Parse(raw, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return c.key(ctx, kid)
	})
	if c.flaw == appleFlawUnverifiedSignature {
		tok, _, err = parser.ParseUnverified(raw, jwt.MapClaims{})
	}
	if err != nil {
		return bad("the id_token does not verify: " + err.Error())
	}
	claims := tok.Claims.(jwt.MapClaims)
	if nonce != "" && claims["nonce"] != nonce && c.flaw != appleFlawNoNonceCheck {
		return bad("the id_token nonce is not the flow's")
	}
	if s, ok := claims["sub"].(string); !ok || s == "" {
		return bad("the id_token has no sub")
	}
	return claims, nil
}

// printable drops control and invisible formatting characters (as a
// strings.Map function) from provider text kept in an error.
func printable(r rune) rune {
	if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
		return -1
	}
	return r
}

func refAppleSubject(withKey bool, flaw appleFlaw) Social {
	f := refAppleFactory(flaw)
	opts := mockprovider.AppleOptions{ClientID: "com.example.web"}
	var pemKey string
	if withKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		pemKey = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		opts.TeamID, opts.KeyID, opts.ClientKey = "TEAM123456", "KEY1234567", &k.PublicKey
	}
	return Social{
		Factory:  f,
		Provider: mockprovider.NewApple(opts),
		Config: func(p mockprovider.SocialProvider) json.RawMessage {
			cfg := map[string]any{"clientId": p.ClientID(), "scope": "name email"}
			if withKey {
				cfg["teamId"], cfg["keyId"], cfg["privateKey"] = "TEAM123456", "KEY1234567", pemKey
			}
			return mustJSON(cfg)
		},
		Options: func(p mockprovider.SocialProvider) []connector.Option {
			return []connector.Option{
				connector.WithEndpoint("authorization", p.URL(mockprovider.EndpointAuthorize)),
				connector.WithEndpoint("token", p.URL(mockprovider.EndpointToken)),
				connector.WithEndpoint("keys", p.URL(mockprovider.EndpointJWKS)),
			}
		},
		InvalidConfigs: []InvalidConfig{
			{Name: "missing clientId", Edit: func(c map[string]any) { delete(c, "clientId") }, Field: "clientId"},
			{Name: "teamId without key", Edit: func(c map[string]any) { c["teamId"] = "T"; delete(c, "keyId"); delete(c, "privateKey") }, Field: "keyId"},
		},
		Nonce:    true,
		Scope:    "name email",
		Deadline: 300 * time.Millisecond,
	}
}

func TestReferenceApple(t *testing.T) {
	t.Parallel()
	t.Run("IDTokenOnly", func(t *testing.T) {
		t.Parallel()
		RunSocial(t, refAppleSubject(false, appleFlawNone))
	})
	t.Run("WithSigningKey", func(t *testing.T) {
		t.Parallel()
		RunSocial(t, refAppleSubject(true, appleFlawNone))
	})
}

// TestSuiteCatchesBrokenApple proves the id_token checks (the Apple mock's
// error cases) on connectors that skip part of the verification.
func TestSuiteCatchesBrokenApple(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		flaw   appleFlaw
		caught []string
	}{
		{"NoNonceCheck", appleFlawNoNonceCheck, []string{
			"ProviderErrors/id_token_WrongNonce: succeeded, want social_invalid_id_token"}},
		{"UnverifiedSignature", appleFlawUnverifiedSignature, []string{
			"ProviderErrors/id_token_BadSignature: succeeded, want social_invalid_id_token",
			"ProviderErrors/id_token_UnknownKey: succeeded, want social_invalid_id_token"}},
		{"FollowsRedirects", appleFlawFollowsRedirects, []string{
			"KeysEndpoint/Redirect: the connector followed the redirect"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := refAppleSubject(false, tc.flaw)
			s.Deadline = 200 * time.Millisecond
			r := runRecorded(func(r *recorder) { runSocial(r, s) })
			assertCaught(t, r, tc.caught...)
		})
	}
}
