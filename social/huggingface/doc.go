// Package huggingface signs people in with Hugging Face (factory ID
// "huggingface-universal", target "huggingface"), over the shared OAuth 2.0
// engine: authorization code with PKCE (S256), client credentials in an HTTP
// Basic header at the token endpoint, and the OpenID Connect userinfo
// endpoint.
//
// The config is Logto's, so a config copied from a Logto console opens
// unchanged:
//
//	c, err := huggingface.New(huggingface.Config{ClientID: "<client ID>", ClientSecret: "<app secret>", Scope: "openid profile email"},
//		connector.WithHTTPClient(client))
//	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/huggingface"})
//	// keep auth.Flow (it holds the PKCE verifier) with the browser session, redirect to auth.URL; on the callback:
//	info, err := c.UserInfo(ctx, connector.Callback{Params: r.URL.Query(), Flow: flow})
//
// A JSON config (the one a Logto console shows) opens with [Open], or
// through [Factory] in a [connector.Registry], by ID.
//
// # Setting up the Hugging Face OAuth app
//
//  1. Signed in to https://huggingface.co, open Settings > Connected Apps
//     and create an application (https://huggingface.co/settings/applications/new).
//  2. Give it a name, a homepage URL and a logo URL.
//  3. Choose its scopes: profile (required here: it gives the user ID, name
//     and avatar), email to receive the email address, and openid if you
//     want an id_token in the tokens. Repository, inference and billing
//     scopes exist for hosts that call the Hub API on the user's behalf
//     (ask for the tokens with [connector.Callback.WantTokens]).
//  4. Add the redirect URL: the exact callback URL your server passes as
//     [connector.AuthRequest.RedirectURI], such as
//     https://id.example.com/callback/huggingface.
//  5. On the app's page, copy the Client ID (clientId) and generate an App
//     secret (clientSecret).
//  6. Set scope in the config to what the app allows, space-separated
//     ("profile email"); it defaults to profile. Asking for a scope the app
//     does not allow makes Hugging Face refuse the authorization.
//
// # Options
//
// Both constructors accept the HTTP client, logger, clock and instance ID
// options of package connector, and endpoint overrides under the names
// [EndpointAuthorization], [EndpointToken] and [EndpointUserInfo]; a
// target ([connector.WithTarget]) is refused, as Hugging Face has one
// connector per host.
//
// # User info
//
// The GET https://huggingface.co/oauth/userinfo answer maps to
// [connector.UserInfo] as follows:
//
//   - ID: sub, which survives username changes (required: an answer
//     without it is an invalid_response error).
//   - Name: name, else preferred_username (the username).
//   - Avatar: picture.
//   - Email: email (with the email scope); EmailVerified only when
//     email_verified is the JSON boolean true, so a missing flag never
//     reads as verified.
//   - Raw: the whole answer as received (profile, website, isPro, orgs...).
//
// # Errors
//
// Failures are [*connector.Error] values: the token endpoint's error and
// error_description are kept in ProviderCode and ProviderMessage
// (invalid_grant is social_auth_code_invalid), a 401 from the userinfo
// endpoint is social_invalid_access_token, 429 rate_limit_exceeded with
// Retry-After, 5xx retryable.
package huggingface
