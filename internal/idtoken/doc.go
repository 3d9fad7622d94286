// Package idtoken is the one id_token verifier of connectorkit: Sign in
// with Apple and OpenID Connect connectors check every id_token here.
//
// A [KeySet] is a provider's JSON Web Key Set, fetched lazily through the
// injected HTTP client, cached by Cache-Control, refetched once on an
// unknown kid with concurrent refetches collapsed and a floor between
// fetches. Share one per provider (per jwks_uri) across every connector
// instance of the process. A [Verifier] holds one client's rules (issuer,
// audiences, algorithms) and checks a token's signature and claims as
// OpenID Connect Core §3.1.3.7 and §10.1 say:
//
//	keys := idtoken.NewKeySet("https://appleid.apple.com/auth/keys", idtoken.KeySetOptions{HTTPClient: client})
//	v, err := idtoken.New(idtoken.Config{Issuer: "https://appleid.apple.com",
//		Audiences: []string{servicesID, bundleID}, Algorithms: []string{"RS256"}, Keys: keys})
//	claims, err := v.Verify(ctx, rawIDToken, idtoken.VerifyOptions{Nonce: flow.Nonce})
//	userID, email, verified := claims.Subject, claims.Email, claims.EmailVerified
//
// Signatures are checked by github.com/golang-jwt/jwt/v5 with the allowed
// algorithms and a key of the type the algorithm needs (RSA for RS* and
// PS*, EC on the matching curve for ES*); none and HMAC are never
// accepted. The header and the claims are read with internal/jsonx: exact
// member names, and a member given twice refuses the token (parsers
// disagree on which copy wins).
//
// Errors are [*connector.Error]s at the id_token step. A token that breaks
// a rule is social_invalid_id_token, with a message that starts with the
// claim or header at fault ("exp: ...", "aud: ...", "signature: ...") and
// never quotes the token; a key set that cannot be fetched is general and
// retryable (5xx, network), rate_limit_exceeded (429) or invalid_response
// (a redirect, HTML, a malformed or empty set).
package idtoken
