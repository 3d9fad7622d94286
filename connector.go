// Package connector is the contract between an identity server and the
// providers it signs people in with or sends one-time codes through.
//
// A connector is opened from the JSON config an administrator pastes (the
// same field names as Logto's connectors) and is then immutable and safe for
// concurrent use. There are two kinds:
//
//   - [Social] connectors drive a redirect-based sign-in: [Social.AuthorizationURL]
//     returns the URL to send the browser to and a [FlowState] the host keeps
//     (cookie, database, Redis); [Social.UserInfo] takes the callback
//     parameters and that flow state and returns normalized [UserInfo].
//   - [Sender] connectors deliver a templated message (an SMS today, email
//     later) for a [UsageType] and return the provider's message ID.
//
// Optional abilities ([Refresher], [Revoker]) are small interfaces found by
// type assertion.
//
// Connectors are built by factories kept in a [Registry] (package builtin
// holds every built-in one; a custom connector registers the same way, see
// [NewFactory]):
//
//	reg, _ := builtin.NewRegistry()
//	c, err := reg.OpenSocial("oauth2", rawJSONConfig, connector.WithHTTPClient(client))
//	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: cb})
//	// keep auth.Flow, redirect to auth.URL; on the callback:
//	info, err := c.UserInfo(ctx, connector.Callback{Params: r.URL.Query(), Flow: flow})
//
// Every failure is an [*Error] with a stable [Code], the [Step] that failed
// and, where a provider answered, its status and error fields. Nothing in an
// error, a log line or the fmt output of a config holds a secret.
//
// Each code-level knob is an [Option] ([WithHTTPClient], [WithLogger],
// [WithClock], [WithEndpoints]). Package web runs the sign-in routes for a
// net/http host.
//
// Writing a connector: package kit holds the author's toolkit (config
// decoding that reports every problem with its JSON path, the JSON Schema
// of a config, option resolution, endpoint policy), and package
// conformance proves a connector against programmable mock providers.
package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connectorkit/connector/internal/validation"
)

// Every value that holds a secret hides it from fmt and slog whatever the
// verb or handler.
var (
	_ fmt.Formatter  = FlowState{}
	_ fmt.Formatter  = Callback{}
	_ fmt.Formatter  = Tokens{}
	_ fmt.Formatter  = Message{}
	_ fmt.Formatter  = UserInfo{}
	_ fmt.Formatter  = Authorization{}
	_ slog.LogValuer = FlowState{}
	_ slog.LogValuer = Callback{}
	_ slog.LogValuer = Tokens{}
	_ slog.LogValuer = Message{}
	_ slog.LogValuer = UserInfo{}
	_ slog.LogValuer = Authorization{}
)

// Type is the kind of a connector, with Logto's wire values.
type Type string

// Connector types.
const (
	TypeSocial Type = "Social"
	TypeSMS    Type = "Sms"
	TypeEmail  Type = "Email"
)

// Platform says where a social connector can be used, with Logto's wire values.
// Message connectors have no platform.
type Platform string

// Platforms.
const (
	PlatformUniversal Platform = "Universal"
	PlatformWeb       Platform = "Web"
	PlatformNative    Platform = "Native"
)

// UsageType says what a message is for; a [Sender] picks its template by it.
type UsageType string

// The usage types Logto defines, with their wire values.
const (
	UsageSignIn                   UsageType = "SignIn"
	UsageRegister                 UsageType = "Register"
	UsageForgotPassword           UsageType = "ForgotPassword"
	UsageOrganizationInvitation   UsageType = "OrganizationInvitation"
	UsageGeneric                  UsageType = "Generic"
	UsageUserPermissionValidation UsageType = "UserPermissionValidation"
	UsageBindNewIdentifier        UsageType = "BindNewIdentifier"
	UsageMfaVerification          UsageType = "MfaVerification"
	UsageBindMfa                  UsageType = "BindMfa"
)

var usageTypes = []UsageType{
	UsageSignIn, UsageRegister, UsageForgotPassword, UsageOrganizationInvitation, UsageGeneric,
	UsageUserPermissionValidation, UsageBindNewIdentifier, UsageMfaVerification, UsageBindMfa,
}

// UsageTypes returns the nine usage types, in Logto's order.
func UsageTypes() []UsageType { return append([]UsageType(nil), usageTypes...) }

// Valid reports whether u is one of the nine known usage types (case-sensitive).
func (u UsageType) Valid() bool {
	for _, k := range usageTypes {
		if u == k {
			return true
		}
	}
	return false
}

// Metadata describes a connector factory: what it is, how an admin UI shows
// it, and the JSON Schema of its config.
type Metadata struct {
	// ID is the factory ID, e.g. "kakao-universal" or "oauth2".
	ID string `json:"id" validate:"required"`
	// Target is the identity-provider name, e.g. "kakao". Users are linked
	// per target. Standard connectors let each instance set its own.
	Target string `json:"target" validate:"required"`
	// Type is Social, Sms or Email.
	Type Type `json:"type" validate:"oneof=Social Sms Email"`
	// Platform is set for social connectors (Universal, Web or Native).
	Platform Platform `json:"platform,omitempty" validate:"required_if=Type Social,excluded_unless=Type Social,omitempty,oneof=Universal Web Native"`
	// Name and Description are keyed by language tag; "en" is required.
	Name        map[string]string `json:"name" validate:"required"`
	Description map[string]string `json:"description,omitempty"`
	// Logo and LogoDark are image URLs or data: URIs.
	Logo     string `json:"logo" validate:"required"`
	LogoDark string `json:"logoDark,omitempty"`
	// IsStandard marks a connector that may have several instances, each with
	// its own target (the generic OAuth 2.0 connector is one).
	IsStandard bool `json:"isStandard,omitempty"`
	// ConfigSchema is a JSON Schema (draft 2020-12) of the config.
	ConfigSchema json.RawMessage `json:"configSchema,omitempty"`
	// ReadmeURL points at setup instructions for administrators.
	ReadmeURL string `json:"readme,omitempty"`
}

// Clone returns a copy of m that shares no map or slice with it, for a
// factory that keeps its metadata once and hands out copies.
func (m Metadata) Clone() Metadata {
	m.Name = maps.Clone(m.Name)
	m.Description = maps.Clone(m.Description)
	m.ConfigSchema = bytes.Clone(m.ConfigSchema)
	return m
}

// DisplayName returns the English name, or the ID when there is none.
func (m Metadata) DisplayName() string {
	if n := m.Name["en"]; n != "" {
		return n
	}
	return m.ID
}

// Validate reports every missing or inconsistent field of m, by its tags
// (the validator every config goes through) and the rules tags cannot say:
// an English name, a config schema that is valid JSON.
func (m Metadata) Validate() error {
	fe := problems(metadataValidator.Struct(&m))
	if len(m.Name) > 0 && m.Name["en"] == "" {
		fe = append(fe, FieldError{Path: "name.en", Message: "is required"})
	}
	if len(m.ConfigSchema) > 0 && !json.Valid(m.ConfigSchema) {
		fe = append(fe, FieldError{Path: "configSchema", Message: "must be valid JSON"})
	}
	if len(fe) > 0 {
		fe.sort()
		return &Error{Code: CodeInvalidMetadata, Connector: m.ID, Step: StepConfig, Message: "invalid metadata", Fields: fe}
	}
	return nil
}

// Connector is what every connector implements.
type Connector interface {
	// Metadata describes the connector. For standard connectors Target is the
	// instance's own.
	Metadata() Metadata
}

// Social is a redirect-based sign-in connector.
//
// A flow is two calls with no state held in between: the host keeps the
// [FlowState] returned by AuthorizationURL and hands it back to UserInfo, so
// any replica can finish a flow another one started.
type Social interface {
	Connector
	// AuthorizationURL returns the provider URL to redirect the browser to,
	// and the flow state the callback will need.
	AuthorizationURL(ctx context.Context, req AuthRequest) (*Authorization, error)
	// UserInfo checks the callback against the flow state, exchanges the
	// authorization code, verifies what must be verified and returns the
	// normalized profile.
	UserInfo(ctx context.Context, cb Callback) (*UserInfo, error)
}

// Sender delivers a templated message, such as a one-time code by SMS.
type Sender interface {
	Connector
	// Send renders the template for msg.Usage (else the Generic template)
	// with msg.Payload and sends it to msg.To.
	Send(ctx context.Context, msg Message) (*Receipt, error)
}

// Refresher is implemented by social connectors that can refresh provider
// tokens. Refresh returns the tokens to store: the provider's new refresh
// token when it rotated it, else the one given. A refresh token the
// provider refuses is [CodeSocialInvalidAccessToken] (the user must sign
// in again); an empty one is [CodeInvalidRequestParameters], refused
// before any request.
type Refresher interface {
	Refresh(ctx context.Context, refreshToken string) (*Tokens, error)
}

// Revoker is implemented by social connectors that can revoke a provider token
// (Sign in with Apple requires it when an account is deleted). hint is
// "access_token", "refresh_token" or empty.
type Revoker interface {
	Revoke(ctx context.Context, token, hint string) error
}

// AuthRequest is what the host asks of [Social.AuthorizationURL].
type AuthRequest struct {
	// RedirectURI is the callback URL registered with the provider. Required.
	RedirectURI string
	// State is the host's own state value; when empty the connector
	// generates a random one. It is returned in [FlowState.State].
	State string
	// Scope replaces the configured scope for this request when not empty.
	Scope string
	// Prompt and LoginHint are passed as the OpenID Connect parameters of
	// the same names where the provider supports them.
	Prompt    string
	LoginHint string
}

// Authorization is the answer of [Social.AuthorizationURL]. Its fmt and
// slog output shows the URL (which the browser is sent to anyway) and hides
// the PKCE verifier and nonce of the flow state.
type Authorization struct {
	// URL is where to send the browser.
	URL string
	// Flow must be kept by the host until the callback.
	Flow FlowState
}

// String implements fmt.Stringer without revealing the flow state's
// verifier or nonce.
func (a Authorization) String() string {
	return fmt.Sprintf("Authorization{URL:%q Flow:%s}", a.URL, a.Flow.String())
}

// GoString implements fmt.GoStringer like String.
func (a Authorization) GoString() string { return a.String() }

// Format implements fmt.Formatter: every verb prints the redacted form (see
// [FlowState.Format]).
func (a Authorization) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, a.String(), a.GoString())
}

// LogValue implements slog.LogValuer like String.
func (a Authorization) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", a.URL), slog.Attr{Key: "flow", Value: a.Flow.LogValue()})
}

// FlowState is everything the callback needs to finish a flow. It is plain
// data: serialise it as JSON and keep it where the host keeps sessions (an
// encrypted cookie, a database row). Its fmt and slog output hides the PKCE
// verifier and nonce, whatever the verb or handler; its JSON does not, so
// log the FlowState itself (or a pointer to it), never a struct of the
// host's that holds it, through a JSON log handler.
type FlowState struct {
	State        string `json:"state"`
	RedirectURI  string `json:"redirectUri"`
	CodeVerifier string `json:"codeVerifier,omitempty"`
	Nonce        string `json:"nonce,omitempty"`
}

// String implements fmt.Stringer without revealing the verifier or nonce.
func (f FlowState) String() string {
	return fmt.Sprintf("FlowState{State:%q RedirectURI:%q CodeVerifier:%s Nonce:%s}",
		f.State, f.RedirectURI, redactedIfSet(f.CodeVerifier), redactedIfSet(f.Nonce))
}

// GoString implements fmt.GoStringer like String.
func (f FlowState) GoString() string { return f.String() }

// Format implements fmt.Formatter, so that no verb prints the fields
// themselves: %v, %+v and %s print String, %#v GoString, %q the quoted
// String and any other verb (%d, %x, %t...) String as well. Width, precision
// and the '-' flag apply to that text. (fmt handles %p before asking a
// Formatter: %p of a FlowState value, not a pointer, prints its fields, so
// never use %p on one; the same holds for every type here.)
func (f FlowState) Format(s fmt.State, verb rune) { formatRedacted(s, verb, f.String(), f.GoString()) }

// LogValue implements slog.LogValuer.
func (f FlowState) LogValue() slog.Value {
	return slog.GroupValue(slog.String("state", f.State), slog.String("redirect_uri", f.RedirectURI),
		slog.Bool("pkce", f.CodeVerifier != ""), slog.Bool("nonce", f.Nonce != ""))
}

// Callback carries what the provider sent back: the query of a GET callback
// or the form of a POST callback (Apple's form_post), and the flow state.
// Its fmt and slog output hides the authorization code and any token,
// whatever the verb or handler (as [Tokens] says, log it itself, not inside
// a struct of the host's, through a JSON log handler).
type Callback struct {
	Params url.Values
	Flow   FlowState
	// WantTokens asks for the provider tokens in [UserInfo.Tokens], for hosts
	// that call the provider's API later.
	WantTokens bool
}

// String implements fmt.Stringer without revealing the authorization code or
// a token the callback carries (Apple's form_post sends an id_token); the
// other parameters (state, error, error_description...) are shown.
func (c Callback) String() string {
	var b strings.Builder
	b.WriteString("Callback{Params:map[")
	for i, k := range slices.Sorted(maps.Keys(c.Params)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%v", k, callbackParam(k, c.Params[k]))
	}
	fmt.Fprintf(&b, "] Flow:%s WantTokens:%t}", c.Flow.String(), c.WantTokens)
	return b.String()
}

// GoString implements fmt.GoStringer like String.
func (c Callback) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb prints the redacted form (see
// [FlowState.Format]).
func (c Callback) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String(), c.GoString()) }

// LogValue implements slog.LogValuer like String.
func (c Callback) LogValue() slog.Value {
	params := make([]any, 0, len(c.Params))
	for _, k := range slices.Sorted(maps.Keys(c.Params)) {
		params = append(params, slog.String(k, strings.Join(callbackParam(k, c.Params[k]), ",")))
	}
	return slog.GroupValue(slog.Group("params", params...), slog.Any("flow", c.Flow), slog.Bool("want_tokens", c.WantTokens))
}

// callbackParam returns the values of the callback parameter k, redacted
// when k carries a secret.
func callbackParam(k string, v []string) []string {
	switch k {
	case "code", "id_token", "access_token", "refresh_token", "token":
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = redactedIfSet(s)
		}
		return out
	}
	return v
}

// UserInfo is the normalized profile of a signed-in user. It marshals to
// JSON in full, tokens included; its fmt and slog output shows the profile
// and hides the tokens.
type UserInfo struct {
	// ID is the user's stable ID at the provider. Never empty.
	ID string `json:"id"`
	// Email is set only when the provider gave one; EmailVerified is true
	// only when the provider said the address is verified. Hosts that link
	// accounts by email must check it.
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"emailVerified"`
	// PrivateEmail marks a relay address (Sign in with Apple's "hide my
	// email").
	PrivateEmail bool `json:"privateEmail,omitempty"`
	// Phone is in E.164 where the connector can normalise it.
	Phone         string `json:"phone,omitempty"`
	PhoneVerified bool   `json:"phoneVerified"`
	Name          string `json:"name,omitempty"`
	Avatar        string `json:"avatar,omitempty"`
	// Raw is the provider's profile as received (never tokens or codes).
	Raw json.RawMessage `json:"raw,omitempty"`
	// Tokens are set only when [Callback.WantTokens] was true.
	Tokens *Tokens `json:"tokens,omitempty"`
}

// String implements fmt.Stringer: the profile fields, Raw as compact JSON
// text (quoted when it is not valid JSON) and the tokens redacted as
// [Tokens.String] does.
func (u UserInfo) String() string {
	tokens := "<nil>"
	if u.Tokens != nil {
		tokens = u.Tokens.String()
	}
	return fmt.Sprintf("UserInfo{ID:%q Email:%q EmailVerified:%t PrivateEmail:%t Phone:%q PhoneVerified:%t Name:%q Avatar:%q Raw:%s Tokens:%s}",
		u.ID, u.Email, u.EmailVerified, u.PrivateEmail, u.Phone, u.PhoneVerified, u.Name, u.Avatar, rawText(u.Raw), tokens)
}

// GoString implements fmt.GoStringer like String.
func (u UserInfo) GoString() string { return u.String() }

// Format implements fmt.Formatter: every verb prints the redacted form (see
// [FlowState.Format]).
func (u UserInfo) Format(f fmt.State, verb rune) { formatRedacted(f, verb, u.String(), u.GoString()) }

// LogValue implements slog.LogValuer: the profile fields, the size of the
// raw profile in bytes as raw_bytes (the profile itself can be large), and
// the tokens, when set, as [Tokens.LogValue] logs them.
func (u UserInfo) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("id", u.ID), slog.String("email", u.Email), slog.Bool("email_verified", u.EmailVerified),
		slog.Bool("private_email", u.PrivateEmail), slog.String("phone", u.Phone), slog.Bool("phone_verified", u.PhoneVerified),
		slog.String("name", u.Name), slog.String("avatar", u.Avatar), slog.Int("raw_bytes", len(u.Raw)),
	}
	if u.Tokens != nil {
		attrs = append(attrs, slog.Attr{Key: "tokens", Value: u.Tokens.LogValue()})
	}
	return slog.GroupValue(attrs...)
}

// rawText is raw as compact JSON, or quoted when it is not valid JSON (so
// that no control character reaches the output).
func rawText(raw json.RawMessage) string {
	var b bytes.Buffer
	if len(raw) > 0 && json.Compact(&b, raw) == nil {
		return b.String()
	}
	return strconv.Quote(string(raw))
}

// Tokens are provider tokens handed back to the host. They marshal to JSON
// in full (for storage) but their fmt and slog output is redacted, whatever
// the verb or handler. Log the Tokens themselves (or a pointer to them),
// never a struct of the host's that holds them, through a JSON log handler:
// that handler marshals such a struct with encoding/json.
type Tokens struct {
	AccessToken  string    `json:"accessToken"`
	TokenType    string    `json:"tokenType,omitempty"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	IDToken      string    `json:"idToken,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Scope        []string  `json:"scope,omitempty"`
}

// String implements fmt.Stringer without revealing any token.
func (t Tokens) String() string {
	return fmt.Sprintf("Tokens{AccessToken:%s TokenType:%q RefreshToken:%s IDToken:%s Expiry:%s Scope:%q}",
		redactedIfSet(t.AccessToken), t.TokenType, redactedIfSet(t.RefreshToken), redactedIfSet(t.IDToken),
		t.Expiry.Format(time.RFC3339), t.Scope)
}

// GoString implements fmt.GoStringer like String.
func (t Tokens) GoString() string { return t.String() }

// Format implements fmt.Formatter: every verb prints the redacted form (see
// [FlowState.Format]).
func (t Tokens) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String(), t.GoString()) }

// LogValue implements slog.LogValuer without revealing any token.
func (t Tokens) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token_type", t.TokenType), slog.Bool("refresh_token", t.RefreshToken != ""),
		slog.Bool("id_token", t.IDToken != ""), slog.Time("expiry", t.Expiry))
}

// Message is what a [Sender] sends. Its fmt and slog output hides the
// payload's values, whatever the verb or handler (as [Tokens] says, log it
// itself, not inside a struct of the host's, through a JSON log handler).
type Message struct {
	// To is the recipient: E.164 (+14155550100) or Logto's digits-only
	// form (14155550100) for SMS.
	To string
	// Usage picks the template.
	Usage UsageType
	// Payload fills the template's placeholders: {{code}}, and any other
	// key, with dotted paths into nested maps ({{application.name}}).
	Payload map[string]any
}

// String implements fmt.Stringer without revealing the payload's values (a
// one-time code is a secret while it is valid): only its keys are shown.
func (m Message) String() string {
	return fmt.Sprintf("Message{To:%q Usage:%s Payload keys:%q}", m.To, m.Usage, slices.Sorted(maps.Keys(m.Payload)))
}

// GoString implements fmt.GoStringer like String.
func (m Message) GoString() string { return m.String() }

// Format implements fmt.Formatter: every verb prints the redacted form (see
// [FlowState.Format]).
func (m Message) Format(f fmt.State, verb rune) { formatRedacted(f, verb, m.String(), m.GoString()) }

// LogValue implements slog.LogValuer like String.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(slog.String("to", m.To), slog.String("usage", string(m.Usage)),
		slog.Any("payload_keys", slices.Sorted(maps.Keys(m.Payload))))
}

// Receipt is the answer of [Sender.Send].
type Receipt struct {
	// ID is the provider's message ID (Twilio's message SID).
	ID string `json:"id"`
	// Segments is how many SMS segments the body takes (0 when unknown).
	Segments int `json:"segments,omitempty"`
	// Encoding is "GSM-7" or "UCS-2" for SMS.
	Encoding string `json:"encoding,omitempty"`
}

// formatRedacted implements fmt.Formatter for a value whose String (s) and
// GoString (gs) hide its secrets: %#v writes gs, %q (with its flags) quotes
// s, and every other verb writes s, so that no verb falls back to printing
// the fields. Width, precision and the '-' flag apply to the text written.
func formatRedacted(f fmt.State, verb rune, s, gs string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, plainFormat(f), gs)
	case verb == 'q':
		fmt.Fprintf(f, fmt.FormatString(f, 'q'), s)
	default:
		fmt.Fprintf(f, plainFormat(f), s)
	}
}

// plainFormat is f's directive as a %s one, keeping only the width,
// precision and '-' flag ('0' would pad a text with zeros).
func plainFormat(f fmt.State) string {
	var b strings.Builder
	b.WriteByte('%')
	if f.Flag('-') {
		b.WriteByte('-')
	}
	if w, ok := f.Width(); ok {
		b.WriteString(strconv.Itoa(w))
	}
	if p, ok := f.Precision(); ok {
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(p))
	}
	b.WriteByte('s')
	return b.String()
}

func redactedIfSet(s string) string {
	if s == "" {
		return `""`
	}
	return redacted
}

const redacted = "[REDACTED]"

// metadataValidator checks [Metadata] by its tags.
var metadataValidator = validation.New()

// problems turns the validator's problems into FieldErrors.
func problems(ps []validation.Problem) FieldErrors {
	if len(ps) == 0 {
		return nil
	}
	fe := make(FieldErrors, len(ps))
	for i, p := range ps {
		fe[i] = FieldError{Path: p.Path, Message: p.Message}
	}
	return fe
}
