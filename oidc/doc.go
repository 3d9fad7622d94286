// Package oidc signs people in with any OpenID Connect provider (Google,
// Microsoft Entra ID, Okta, Keycloak, Auth0, Zitadel...): Logto's "oidc"
// connector, with the same JSON config, plus issuer alone as the short
// form.
//
//	c, err := oidc.New(oidc.Config{Issuer: "https://accounts.google.com", ClientID: id, ClientSecret: secret},
//		connector.WithHTTPClient(client))
//	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: callbackURL})
//	// keep auth.Flow with the session, redirect to auth.URL; on the callback:
//	info, err := c.UserInfo(ctx, connector.Callback{Params: r.URL.Query(), Flow: flow})
//
// With issuer alone, the endpoints, the key set and what the provider
// supports come from {issuer}/.well-known/openid-configuration, read
// through the injected HTTP client at the first sign-in and kept for the
// connector's life; the document's issuer must equal the configured one
// exactly. A failed read is retried at a later sign-in, at most once per
// [RetryDiscoveryAfter]. Logto's explicit form (authorizationEndpoint,
// tokenEndpoint, userInfoEndpoint, idTokenVerificationConfig with jwksUri
// and issuer) makes no discovery request.
//
// Every sign-in: state, a fresh nonce and a PKCE S256 challenge on the
// authorization URL; on the callback the state, then RFC 9207's iss
// (required when the provider advertises
// authorization_response_iss_parameter_supported, refused whenever it is
// not the issuer), the code exchange (client_secret_basic,
// client_secret_post, client_secret_jwt or none), the id_token (signed
// with an asymmetric algorithm its key allows, never none or HMAC; iss;
// aud and azp; exp, iat and nbf on the injected clock with a skew; nonce;
// at_hash), then the userinfo endpoint when there is one, whose sub must
// be the id_token's. The claims (the userinfo's over the id_token's) are
// mapped by profileMap, standard claims by default; email_verified and
// phone_number_verified count when true or "true".
//
// Keys are fetched once and cached (Cache-Control max-age), refetched on an
// unknown kid at most once per minute. The connector is "standard": a
// host may open several instances, each with its own target
// ([connector.WithTarget]).
//
// Not supported: the implicit and hybrid flows, signed or encrypted
// userinfo responses (application/jwt), encrypted id_tokens, and Logto's
// idTokenVerificationConfig fields other than jwksUri, issuer, algorithms
// and clockTolerance (audience, crit, maxTokenAge, subject, typ: refused
// as unknown, so nothing is silently skipped).
package oidc
