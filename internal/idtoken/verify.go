package idtoken

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/jsonx"
	"github.com/connectorkit/connector/internal/redact"
	"github.com/connectorkit/connector/internal/userid"
	"github.com/connectorkit/connector/kit"
)

// MaxTokenBytes bounds an id_token: a longer one is refused before it is
// parsed. Real id_tokens are under 2 KiB.
const MaxTokenBytes = 16 << 10

// DefaultSkew is the clock skew tolerated on exp, iat and nbf when
// [Config.Skew] is zero.
const DefaultSkew = time.Minute

// maxSkew bounds Config.Skew: a larger tolerance would keep expired tokens
// alive.
const maxSkew = 10 * time.Minute

// signingMethods are the algorithms an id_token may use. HMAC (HS*) is
// never one: the "secret" would be a public key anyone can fetch.
var signingMethods = map[string]jwt.SigningMethod{
	"RS256": jwt.SigningMethodRS256, "RS384": jwt.SigningMethodRS384, "RS512": jwt.SigningMethodRS512,
	"PS256": jwt.SigningMethodPS256, "PS384": jwt.SigningMethodPS384, "PS512": jwt.SigningMethodPS512,
	"ES256": jwt.SigningMethodES256, "ES384": jwt.SigningMethodES384, "ES512": jwt.SigningMethodES512,
}

// Algorithms returns the algorithms a Verifier supports.
func Algorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
}

// Config describes what a [Verifier] accepts. [New] validates it.
type Config struct {
	// ConnectorID names the connector in errors.
	ConnectorID string
	// Issuer is the exact iss every token must carry (no trailing-slash
	// or case leniency): "https://appleid.apple.com" for Apple.
	Issuer string
	// Audiences are the accepted aud values, the client ID first (Apple:
	// the Services ID, then the app bundle IDs). Required.
	Audiences []string
	// Algorithms are the accepted alg values, from [Algorithms]: Apple's
	// is RS256 only; an OpenID provider's are those it declares. none and
	// HMAC algorithms are refused. Required.
	Algorithms []string
	// Keys is the provider's key set, shared by every verifier of that
	// provider. Required.
	Keys *KeySet
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Skew is the clock skew tolerated on exp, iat and nbf, at most 10
	// minutes; zero means DefaultSkew (one minute).
	Skew time.Duration
}

// Verifier checks id_tokens of one client of one provider. It is
// immutable after [New] and safe for concurrent use.
type Verifier struct {
	id        string
	issuer    string
	audiences []string
	algs      []string
	keys      *KeySet
	now       func() time.Time
	skew      time.Duration
	parser    *jwt.Parser
}

// New validates cfg and returns its verifier. Every invalid field is
// reported in one invalid_config [*connector.Error].
func New(cfg Config) (*Verifier, error) {
	var fe connector.FieldErrors
	add := func(path, msg string) { fe = append(fe, connector.FieldError{Path: path, Message: msg}) }
	switch {
	case cfg.Issuer == "":
		add("Issuer", "is required")
	case strings.TrimSpace(cfg.Issuer) != cfg.Issuer:
		add("Issuer", "must not start or end with white space")
	}
	if len(cfg.Audiences) == 0 {
		add("Audiences", "must list at least the client ID")
	}
	for i, a := range cfg.Audiences {
		if strings.TrimSpace(a) == "" || strings.TrimSpace(a) != a {
			add("Audiences["+strconv.Itoa(i)+"]", "must be a non-empty value without surrounding white space")
		}
	}
	var algs []string
	if len(cfg.Algorithms) == 0 {
		add("Algorithms", "must list at least one algorithm (Apple: RS256)")
	}
	for i, a := range cfg.Algorithms {
		path := "Algorithms[" + strconv.Itoa(i) + "]"
		switch {
		case strings.EqualFold(a, "none"):
			add(path, "none is never accepted: an id_token must be signed")
		case strings.HasPrefix(strings.ToUpper(a), "HS"):
			add(path, "HMAC algorithms are never accepted for id_tokens: the key would be a public key anyone can read")
		case signingMethods[a] == nil:
			add(path, fmt.Sprintf("must be one of %s, got %q", strings.Join(Algorithms(), ", "), a))
		case !slices.Contains(algs, a):
			algs = append(algs, a)
		}
	}
	if cfg.Keys == nil {
		add("Keys", "is required")
	} else if err := kit.CheckEndpoint(cfg.Keys.URL()); err != nil {
		add("Keys", "the key set URL "+err.Error())
	}
	if cfg.Skew < 0 || cfg.Skew > maxSkew {
		add("Skew", "must be from 0 (the default of one minute) to 10 minutes")
	}
	if len(fe) > 0 {
		slices.SortStableFunc(fe, func(a, b connector.FieldError) int { return strings.Compare(a.Path, b.Path) })
		return nil, &connector.Error{Code: connector.CodeInvalidConfig, Connector: cfg.ConnectorID, Step: connector.StepConfig,
			Message: "invalid id_token verifier config", Fields: fe}
	}
	v := &Verifier{
		id:        cfg.ConnectorID,
		issuer:    cfg.Issuer,
		audiences: slices.Clone(cfg.Audiences),
		algs:      algs,
		keys:      cfg.Keys,
		now:       cfg.Now,
		skew:      cfg.Skew,
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.skew == 0 {
		v.skew = DefaultSkew
	}
	v.parser = jwt.NewParser(jwt.WithValidMethods(slices.Clone(algs)), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding())
	return v, nil
}

// String describes the verifier.
func (v *Verifier) String() string {
	return fmt.Sprintf("idtoken.Verifier{Connector:%q Issuer:%q Audiences:%q Algorithms:%q Keys:%q}",
		v.id, v.issuer, v.audiences, v.algs, v.keys.URL())
}

// Keys returns the verifier's key set.
func (v *Verifier) Keys() *KeySet { return v.keys }

// VerifyOptions are the per-token inputs of [Verifier.Verify].
type VerifyOptions struct {
	// Nonce is the nonce sent in the authorization request (kept in the
	// flow state); the token's nonce must equal it. Required unless
	// SkipNonce is set: an empty Nonce is a programming error.
	Nonce string
	// NonceHashed also accepts a token nonce that is the lower-case hex
	// SHA-256 of Nonce, as Apple's native (iOS) sign-in sends when the app
	// passed the hash to Apple and the server keeps the raw value.
	NonceHashed bool
	// SkipNonce verifies a token that carries no flow nonce: one from the
	// token endpoint on refresh, or from a code exchange whose request had
	// no nonce. The token's nonce, if any, is then not checked.
	SkipNonce bool
	// AccessToken, when set, is checked against the token's at_hash if it
	// has one (OpenID Connect Core §3.1.3.6).
	AccessToken string
}

// Verify checks rawIDToken and returns its claims. It checks, in order:
// the token's size and shape; the header (valid base64url and JSON, no
// duplicate member, no crit); alg (allowed, never none or HMAC); the key
// picked by kid, fit for alg; the signature; the claims JSON (decoded
// once, exact names, no duplicate); iss; aud and azp (OpenID Connect Core
// §3.1.3.7: when aud has several values, azp must be present; when azp is
// present, it must be an accepted audience); exp, nbf and iat on the
// injected clock with the skew; sub (the user ID rule); nonce (constant
// time); at_hash when the token has one and an access token is given.
//
// Every failure of the token is a social_invalid_id_token
// [*connector.Error] at the id_token step, whose message starts with the
// claim or header at fault ("exp: ...", "kid: ...", "signature: ...") and
// never quotes the token. A key set that cannot be fetched gives the
// key set's error (general and retryable for an unreachable endpoint).
func (v *Verifier) Verify(ctx context.Context, rawIDToken string, opts VerifyOptions) (*Claims, error) {
	c, err := v.verify(ctx, rawIDToken, opts)
	if err != nil {
		return nil, kit.Attribute(err, v.id)
	}
	return c, nil
}

// header is the JOSE header fields the verifier reads.
type header struct {
	Alg  *string  `json:"alg"`
	Kid  *string  `json:"kid"`
	Crit rawValue `json:"crit"`
}

func (v *Verifier) verify(ctx context.Context, raw string, opts VerifyOptions) (*Claims, error) {
	switch {
	case opts.SkipNonce && opts.Nonce != "":
		return nil, misuse("both Nonce and SkipNonce are set")
	case !opts.SkipNonce && opts.Nonce == "":
		return nil, misuse("no expected nonce was given: pass the flow's nonce, or set SkipNonce for a token that carries none")
	}
	hdr, err := v.checkShape(raw)
	if err != nil {
		return nil, err
	}
	alg, kid := *hdr.Alg, ""
	if hdr.Kid != nil {
		kid = *hdr.Kid
	}

	tc := &tokenClaims{}
	_, err = v.parser.ParseWithClaims(raw, tc, func(*jwt.Token) (any, error) {
		k, err := v.keys.Key(ctx, kid, alg)
		if err != nil {
			return nil, err
		}
		return k.Public, nil
	})
	if err != nil {
		return nil, v.parseError(err, tc)
	}
	if !tc.decoded {
		return nil, invalidToken("claims", "the payload is not a JSON object")
	}
	return v.checkClaims(tc, alg, opts)
}

// checkShape refuses, before anything is parsed, a token that is empty,
// too long, not three segments, or whose header is not valid; and checks
// alg and crit.
func (v *Verifier) checkShape(raw string) (*header, error) {
	switch {
	case raw == "":
		return nil, invalidToken("id_token", "is empty")
	case len(raw) > MaxTokenBytes:
		return nil, invalidToken("id_token", "is longer than "+strconv.Itoa(MaxTokenBytes)+" bytes")
	}
	switch n := strings.Count(raw, ".") + 1; {
	case n == 5:
		return nil, invalidToken("id_token", "has 5 segments: encrypted id_tokens (JWE) are not supported")
	case n != 3:
		return nil, invalidToken("id_token", "has "+strconv.Itoa(n)+" segments, a signed JWT has 3")
	}
	seg, _, _ := strings.Cut(raw, ".")
	b, err := decodeB64(seg)
	if err != nil {
		return nil, invalidToken("header", "is not valid base64url")
	}
	var h header
	if err := jsonx.CheckObject(b); err != nil {
		return nil, jsonProblem("header", err)
	}
	if err := jsonx.Unmarshal(b, &h); err != nil {
		return nil, jsonProblem("header", err)
	}
	if !h.Crit.null() {
		return nil, invalidToken("crit", "the header lists critical extensions, none of which is supported")
	}
	switch {
	case h.Alg == nil || *h.Alg == "":
		return nil, invalidToken("alg", "missing")
	case strings.EqualFold(*h.Alg, "none"):
		return nil, invalidToken("alg", "none is never accepted: an id_token must be signed")
	case strings.HasPrefix(strings.ToUpper(*h.Alg), "HS"):
		return nil, invalidToken("alg", "HMAC algorithms are never accepted for id_tokens")
	case !slices.Contains(v.algs, *h.Alg):
		return nil, invalidToken("alg", algName(*h.Alg)+" is not allowed (allowed: "+strings.Join(v.algs, ", ")+")")
	}
	return &h, nil
}

// parseError maps an error of golang-jwt's parser.
func (v *Verifier) parseError(err error, tc *tokenClaims) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce // from the key set
	}
	var cie base64.CorruptInputError
	switch {
	case tc.err != nil:
		return jsonProblem("claims", tc.err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return invalidToken("signature", "does not verify with the key set's key for this kid")
	case errors.As(err, &cie) && tc.decoded:
		return invalidToken("signature", "is not valid base64url")
	case errors.As(err, &cie):
		return invalidToken("claims", "the payload is not valid base64url")
	case errors.Is(err, jwt.ErrTokenMalformed) && !tc.decoded:
		return invalidToken("claims", "the payload is not a JSON object")
	}
	return &connector.Error{Code: connector.CodeSocialInvalidIDToken, Step: connector.StepIDToken,
		Message: "id_token: cannot be verified", Err: err}
}

// checkClaims applies the claim rules to a token whose signature holds.
func (v *Verifier) checkClaims(tc *tokenClaims, alg string, opts VerifyOptions) (*Claims, error) {
	w := &tc.w
	if w.Iss != v.issuer {
		return nil, invalidToken("iss", quoteClean(w.Iss)+" is not the issuer "+strconv.Quote(v.issuer))
	}
	aud, err := audience(w.Aud)
	switch {
	case err != nil:
		return nil, invalidToken("aud", err.Error())
	case len(aud) == 0:
		return nil, invalidToken("aud", "missing")
	case !slices.ContainsFunc(aud, v.accepts):
		return nil, invalidToken("aud", "names none of the accepted audiences ("+strings.Join(v.audiences, ", ")+")")
	}
	azp := ""
	switch {
	case w.Azp != nil:
		azp = *w.Azp
		if !v.accepts(azp) {
			return nil, invalidToken("azp", "names a party that is not an accepted audience")
		}
	case len(aud) > 1:
		return nil, invalidToken("azp", "missing, but required when aud has several values")
	}

	now := v.now()
	exp, err := v.date("exp", w.Exp, true)
	if err != nil {
		return nil, err
	}
	if now.After(exp.Add(v.skew)) {
		return nil, invalidToken("exp", "the id_token expired at "+stamp(exp)+" (now "+stamp(now)+", skew "+v.skew.String()+")")
	}
	nbf, err := v.date("nbf", w.Nbf, false)
	if err != nil {
		return nil, err
	}
	if !nbf.IsZero() && nbf.After(now.Add(v.skew)) {
		return nil, invalidToken("nbf", "the id_token is not valid before "+stamp(nbf)+" (now "+stamp(now)+", skew "+v.skew.String()+")")
	}
	iat, err := v.date("iat", w.Iat, true)
	if err != nil {
		return nil, err
	}
	if iat.After(now.Add(v.skew)) {
		return nil, invalidToken("iat", "the id_token is issued in the future, at "+stamp(iat)+" (now "+stamp(now)+", skew "+v.skew.String()+")")
	}

	if w.Sub == nil {
		return nil, invalidToken("sub", "missing")
	}
	if err := userid.Check(*w.Sub); err != nil {
		return nil, invalidToken("sub", err.Error())
	}

	nonce := ""
	if w.Nonce != nil {
		nonce = *w.Nonce
	}
	if !opts.SkipNonce {
		if nonce == "" {
			return nil, invalidToken("nonce", "missing (the authorization request sent one)")
		}
		ok := equal(nonce, opts.Nonce)
		if opts.NonceHashed {
			sum := sha256.Sum256([]byte(opts.Nonce))
			ok = equal(nonce, hex.EncodeToString(sum[:])) || ok
		}
		if !ok {
			return nil, invalidToken("nonce", "does not match the flow's nonce")
		}
	}

	if w.AtHash != nil && opts.AccessToken != "" {
		if !equal(*w.AtHash, tokenHash(alg, opts.AccessToken)) {
			return nil, invalidToken("at_hash", "does not match the access token")
		}
	}

	return &Claims{
		Subject:             *w.Sub,
		Issuer:              w.Iss,
		Audience:            aud,
		AuthorizedParty:     azp,
		Expiry:              exp,
		IssuedAt:            iat,
		NotBefore:           nbf,
		Nonce:               nonce,
		Email:               w.Email,
		EmailVerified:       w.EmailVerified.truthy(),
		PhoneNumber:         w.PhoneNumber,
		PhoneNumberVerified: w.PhoneNumberVerified.truthy(),
		Name:                w.Name.str(),
		Picture:             w.Picture.str(),
		CodeHash:            w.CHash.str(),
		Raw:                 tc.raw,
	}, nil
}

// accepts reports whether a is an accepted audience.
func (v *Verifier) accepts(a string) bool { return slices.Contains(v.audiences, a) }

// date converts a NumericDate claim; a required one must be present.
func (v *Verifier) date(name string, f *float64, required bool) (time.Time, error) {
	if f == nil {
		if required {
			return time.Time{}, invalidToken(name, "missing")
		}
		return time.Time{}, nil
	}
	t, ok := numericDate(*f)
	if !ok {
		return time.Time{}, invalidToken(name, "is not a date from 1970 to 9999 in seconds")
	}
	return t, nil
}

// tokenHash is at_hash for accessToken under alg: the base64url of the
// left half of the access token's hash, with the hash of alg's size.
func tokenHash(alg, accessToken string) string {
	var h hash.Hash
	switch alg[len(alg)-3:] {
	case "384":
		h = sha512.New384()
	case "512":
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// equal compares in constant time (for equal lengths).
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// quoteClean quotes provider text for a message: cleaned and clipped.
func quoteClean(s string) string {
	s = redact.Clean(s)
	if len(s) > 100 {
		s = strings.ToValidUTF8(s[:100], "") + "..."
	}
	return strconv.Quote(s)
}

// algName names alg in a message: a known algorithm by name, anything
// else (text from the token) generically.
func algName(alg string) string {
	if signingMethods[alg] != nil {
		return alg
	}
	return "an unsupported algorithm"
}

// invalidToken is the error of a token that breaks a rule: name is the
// claim or header at fault.
func invalidToken(name, msg string) *connector.Error {
	return &connector.Error{Code: connector.CodeSocialInvalidIDToken, Step: connector.StepIDToken, Message: name + ": " + msg}
}

// misuse is the error of a call the verifier cannot honour: a
// programming error in the connector, not a bad token.
func misuse(msg string) *connector.Error {
	return &connector.Error{Code: connector.CodeGeneral, Step: connector.StepIDToken, Message: "nonce: " + msg}
}

// jsonProblem maps a jsonx problem of the header or claims to an error
// naming the member at fault.
func jsonProblem(part string, err error) *connector.Error {
	var p *jsonx.Problem
	switch {
	case !errors.As(err, &p):
		return invalidToken(part, "is not a valid JSON object")
	case p.Pointer == "":
		return invalidToken(part, p.Reason)
	}
	name, _, _ := strings.Cut(p.Path(), ".")
	name = quoteName(name)
	if p.Duplicate {
		return invalidToken(name, "appears more than once in the "+part)
	}
	return invalidToken(name, p.Reason)
}

// quoteName keeps a member name fit for a message: the names the
// verifier reads as they are, any other cleaned and quoted.
func quoteName(name string) string {
	switch name {
	case "alg", "kid", "crit", "iss", "sub", "aud", "azp", "exp", "iat", "nbf", "nonce", "at_hash",
		"email", "email_verified", "phone_number", "phone_number_verified", "name", "picture":
		return name
	}
	return quoteClean(name)
}
