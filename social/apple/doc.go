// Package apple signs people in with Apple (factory ID "apple-universal",
// target "apple"): Sign in with Apple's web flow on the shared OAuth 2.0
// engine, every id_token verified by the shared verifier (internal/idtoken),
// and the native path of an app that signed in on the device.
//
// The config is Logto's (clientId, scope), so a Logto Apple config opens
// unchanged; teamId, keyId and privateKey add the client secret, which the
// code exchange, refresh and revocation need:
//
//	c, err := apple.New(apple.Config{ClientID: "com.example.web", Scope: "name email"}, connector.WithHTTPClient(client))
//	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/apple"})
//	// keep auth.Flow (it holds the nonce) with the browser session, redirect to auth.URL;
//	// Apple POSTs the callback: r.ParseForm(), then
//	info, err := c.UserInfo(ctx, connector.Callback{Params: r.PostForm, Flow: flow})
//
// A JSON config opens with [Open], or through [Factory] in a
// [connector.Registry], by ID.
//
// # Setting up Sign in with Apple
//
//  1. In the Apple Developer account, Certificates, Identifiers & Profiles >
//     Identifiers: enable Sign in with Apple on the App ID of your app (its
//     bundle ID), then register a Services ID for the website (such as
//     com.example.web): it is clientId.
//  2. Configure the Services ID: its primary App ID, the website's domain,
//     and the return URL, the exact callback URL your server passes as
//     [connector.AuthRequest.RedirectURI]. Apple accepts only https return
//     URLs on a real domain: never localhost or an IP address.
//  3. Optionally, under Keys, create a key with Sign in with Apple enabled
//     and download its .p8 file (once: Apple keeps no copy). Its content is
//     privateKey, its Key ID keyId, and your Team ID (top right of the
//     account) teamId. With them the code is exchanged for tokens, which
//     can be refreshed and revoked.
//  4. Set scope to "name email" to receive the user's name and email.
//  5. For an app that signs in on the device, add its bundle ID to
//     audiences, and have it send its id_token, nonce and code to your
//     server ([Connector.VerifyNative]).
//
// # The callback is a cross-site POST
//
// The authorization URL asks for response_type "code id_token" with
// response_mode form_post (which Apple requires when a scope is requested),
// so Apple's page POSTs the callback to the return URL from
// appleid.apple.com. Browsers do not send SameSite=Lax or Strict cookies
// with a cross-site POST: a cookie that holds the flow state must be
// SameSite=None; Secure to reach the callback (or the host relays the POST
// to itself, as the demo command does). Read the callback from the POST
// form (r.PostForm), not the URL query. The state check of the callback is
// then the CSRF defence: a cross-site POST whose state is not the flow's is
// refused (state_mismatch) before anything else.
//
// # What is verified
//
// The id_token in the callback is verified before anything is trusted, and
// before any token request: signature RS256 with Apple's keys (none, HMAC
// and every other algorithm refused, whatever the header says); the key by
// kid (a token without kid only when Apple publishes a single key); iss
// exactly https://appleid.apple.com; aud clientId or one of audiences, and
// azp when aud lists several; exp required and not passed, iat required
// and not in the future, nbf when present, each with one minute of clock
// skew on the injected clock; sub present; and nonce, always, equal to the
// flow's (constant-time compare). Each failure is social_invalid_id_token at
// the id_token step, its message naming the claim or header at fault. A
// callback without an id_token fails without any request.
//
// With the client secret, the code is then exchanged at Apple's token
// endpoint, and the token response's id_token is verified by the same
// rules (its nonce only when it carries one) and must name the same user
// (sub) as the callback's.
//
// Apple's keys are fetched through the injected HTTP client at the first
// sign-in (opening a connector makes no request), cached as Apple's
// Cache-Control says, and fetched again once when a token names an unknown
// key, at most once a minute. A host with one connector per tenant shares
// one [KeySet] between them, so the keys are fetched once per process.
//
// # User info
//
//   - ID: sub, Apple's stable user ID for your team.
//   - Email: the id_token's email, never the unsigned user form field (a
//     replayed form could name anyone). EmailVerified when email_verified
//     is true or "true" (Apple sends either). PrivateEmail when
//     is_private_email is true or "true", or the address is at
//     privaterelay.appleid.com ("Hide My Email": it forwards to the user).
//   - Name: firstName and lastName from the user form field, which Apple
//     sends at the user's first authorization only. Store the name then:
//     later sign-ins have none. A user field that is not Apple's JSON is
//     ignored (and logged, without its content); nothing but the name is
//     ever read from it.
//   - Raw: the id_token's claims (real_user_status, is_private_email,
//     auth_time... included), never the id_token or the code.
//
// # Client secret
//
// With teamId, keyId and privateKey, the client secret is a JWT signed
// ES256 with the key (header kid = keyId; iss = teamId, sub = the client
// ID, aud = https://appleid.apple.com, iat, and exp a day later). It is
// minted at the first request that needs it and reused by every request
// until an hour before it expires, on the injected clock: never per
// request. The private key is parsed once, at open, and must be ECDSA
// P-256; neither the key nor a secret ever appears in an error, a log line
// or fmt output.
//
// # Native apps
//
// An app that signed in with Apple on the device (AuthenticationServices)
// sends its server the credential's identityToken, the nonce it generated
// and, optionally, the authorizationCode. [Connector.VerifyNative] verifies
// the token by the rules above, with the nonce raw or as its SHA-256 hex
// (Apple's guidance has the app send the hash), and exchanges the code with
// the client ID the token was issued to (the app's bundle ID, listed in
// audiences).
//
// # Revocation
//
// App Store rules require an app that offers account creation to let users
// delete their account, and a Sign in with Apple app to revoke the user's
// tokens then: keep the refresh token ([connector.Callback.WantTokens],
// [Native.WantTokens]) and call [Connector.Revoke] (or
// [Connector.RevokeFor] with the app's bundle ID) when the account is
// deleted.
//
// # Errors
//
// Failures are [*connector.Error] values: a cancelled authorization
// (error=user_cancelled_authorize) is authorization_failed; a callback
// whose state is not the flow's is state_mismatch; a token that breaks a
// rule is social_invalid_id_token; a refused code (invalid_grant) is
// social_auth_code_invalid; Apple's keys endpoint failing is a retryable
// general error (5xx, network) or invalid_response (HTML, an empty or
// malformed key set).
package apple
