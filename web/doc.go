// Package web is the net/http side of a social sign-in: a handler that
// starts a flow (the redirect to the provider, the [connector.FlowState]
// sealed into a cookie) and a callback handler that opens the cookie,
// finishes the flow with [connector.Social.UserInfo], clears the cookie and
// hands the user or the typed error to the host. The handlers are plain
// [http.HandlerFunc]s, so any router works:
//
//	flows, err := web.New(web.Config{Keys: [][]byte{key}, OnSignIn: signedIn})
//	kakao, err := flows.Handlers(kakaoConnector, "https://id.example.com/callback/kakao")
//	mux.HandleFunc("GET /signin/kakao", kakao.SignIn)
//	mux.HandleFunc("/callback/kakao", kakao.Callback) // GET, and POST for a form_post provider
//	// signedIn(w, r, res): res.Connector.Metadata().Target and res.User.ID name the account
//
// Nothing is kept on the server between the two requests: any replica that
// holds the keys finishes a flow another one started.
//
// # The flow cookie
//
// [Handlers.SignIn] seals the flow state (state, PKCE verifier, nonce,
// redirect URI), an expiry and the host's optional data (see [WithPrepare])
// into one cookie per flow:
//
//   - Sealed with AES-256-GCM from the standard library, under a key derived
//     from each of [Config.Keys] by HKDF-SHA256, with a random 96-bit nonce
//     (safe for 2^32 seals per key; rotate long before): the browser can
//     neither read the PKCE verifier nor change a byte, and the cookie's
//     name is authenticated with the value. Why not
//     github.com/gorilla/securecookie: it wants two keys per generation
//     (AES-CTR plus HMAC), reads time.Now with no exported way to inject a
//     clock, serialises with gob by default and encodes twice in base64;
//     the AEAD gives the same guarantees in a few lines, with no
//     dependency.
//   - Expiring: the sealed payload carries its expiry ([Config.TTL], ten
//     minutes by default), checked on [Config.Now]'s clock; the cookie's
//     Max-Age is only a hint to the browser.
//   - Bound to the connector: the factory ID, the target and the redirect
//     URI of the [Handlers] that sealed it. Another connector's callback
//     refuses it.
//   - Rotatable: the first key of [Config.Keys] seals, every one opens.
//     Rotate by putting a new key first; remove the old one a TTL later. A
//     cookie sealed under a removed key no longer opens.
//   - One per flow, named after a hash of the flow's state: two tabs can
//     sign in with the same connector at once, and a double click does not
//     end one flow with the other's cookie. Its path is "/" so that the
//     name can carry the __Host- prefix on https (no sibling subdomain can
//     plant a flow cookie: that would be a login CSRF); flows left
//     unfinished are bounded by [Config.MaxPending] (the oldest are dropped
//     when a new one starts) and by their expiry.
//   - HttpOnly; Secure, except on plain http to a loopback host (localhost,
//     127.0.0.0/8, ::1) for development; SameSite=Lax, which a provider's
//     redirect back (a top-level GET) carries. A provider that posts its
//     answer from its own site (Sign in with Apple's response_mode
//     form_post) needs SameSite=None, which needs Secure: the handler uses
//     both when the authorization URL asks for response_mode=form_post, or
//     always with [WithFormPost]. Chrome (since 89) and Firefox accept a
//     Secure cookie from http://localhost and loopback addresses, so this
//     works in development too; Safari does not (test a form_post flow on
//     loopback in another browser, or over https). No loopback cookie
//     carries the __Host- prefix, which Chrome refuses there.
//
// A flow cookie is about 300 bytes; the host's data is sealed too, so the
// browser cannot read it either.
//
// # Single use
//
// The callback clears the cookie whatever the outcome, so a browser never
// sends it twice. A stateless server cannot do more on its own: a request
// captured with its cookie (from a log of the callback URL, a proxy) and
// replayed before the expiry opens again. What stops it is the provider:
// an authorization code is single use (RFC 6749 section 4.1.2), and with
// PKCE it is bound to the verifier sealed in that cookie. A connector that
// signs in with an id_token alone, with no code exchange, has no such
// guard; a host that needs strict single use sets [Config.ReplayGuard],
// which records each flow once (Redis SET NX, a unique row) until its
// expiry.
//
// # Errors
//
// Every failure reaches [Config.OnError] ([DefaultOnError] when nil) as an
// error the host can render. A missing, tampered, expired, replayed or
// foreign cookie is a [*connector.Error] with code state_mismatch (HTTP
// 401), at step callback, whose cause is [ErrNoFlow], [ErrFlowInvalid],
// [ErrFlowExpired], [ErrFlowReplayed] or [ErrFlowForeign] (errors.Is works
// with both the code's sentinel and these). A callback with no state, with
// several, or with an unreadable form is invalid_request_parameters (400).
// The connector's own errors pass through unchanged. No handler writes a
// secret, token or code into a response or a log line.
package web
