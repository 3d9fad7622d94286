// Package kakao signs people in with Kakao Login (factory ID
// "kakao-universal", target "kakao"), over the shared OAuth 2.0 engine.
//
// The config is Logto's, so a config copied from a Logto console opens
// unchanged, plus an optional scope:
//
//	c, err := kakao.New(kakao.Config{ClientID: "<REST API key>", Scope: "profile_nickname,account_email"},
//		connector.WithHTTPClient(client))
//	auth, err := c.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: "https://id.example.com/callback/kakao"})
//	// keep auth.Flow with the browser session, redirect to auth.URL; on the callback:
//	info, err := c.UserInfo(ctx, connector.Callback{Params: r.URL.Query(), Flow: flow})
//
// A JSON config (the one a Logto console shows) opens with [Open], or
// through [Factory] in a [connector.Registry], by ID.
//
// # Setting up the Kakao app
//
//  1. In Kakao Developers (https://developers.kakao.com), open My Application
//     and add an application (or pick an existing one).
//  2. In App Keys (앱 키), copy the REST API key: it is clientId. (The
//     JavaScript, native and admin keys are not what the token endpoint
//     expects: it answers KOE101 with them.)
//  3. In Kakao Login (카카오 로그인), switch Kakao Login on, and register the
//     redirect URI: the exact callback URL your server passes as
//     [connector.AuthRequest.RedirectURI], such as
//     https://id.example.com/callback/kakao. A URI that differs in any
//     character is refused with KOE006.
//  4. In Kakao Login > Consent Items (동의항목), enable what you need:
//     Nickname (profile_nickname) for the name, Profile image (profile_image)
//     for the avatar, Kakao Account (Email) (account_email) for the email,
//     Phone number (phone_number) for the phone. Items marked "no
//     permission" (email on newer apps, phone number, real name) need a Biz
//     app: fill in the app's business information first.
//  5. In Kakao Login > Security (보안), a client secret code can be
//     generated. When its status is "Use", set it as clientSecret; when it
//     is not used, leave clientSecret out (it is then not sent; a wrong one
//     is refused with KOE010).
//  6. Optionally set scope to request consent items explicitly (comma
//     separated, the item IDs shown on the Consent Items page); without it
//     Kakao asks for the items configured in the console.
//
// # Options
//
// [New] and [Open] take [connector.WithHTTPClient], [connector.WithLogger],
// [connector.WithClock], [connector.WithInstanceID], and endpoint
// overrides ([connector.WithEndpoints], or [connector.WithEndpoint] with
// [EndpointAuthorization], [EndpointToken] or [EndpointUserInfo]) for tests
// and the demo. Kakao is not a standard connector: [connector.WithTarget]
// is refused.
//
// # User info
//
// Kakao's GET https://kapi.kakao.com/v2/user/me answer maps to
// [connector.UserInfo] as follows:
//
//   - ID: the exact decimal string of id, a 64-bit integer that never goes
//     through float64 (9223372036854775807 stays exact). An id sent as a
//     string of digits maps to the same ID; anything else is an
//     invalid_response error.
//   - Name: kakao_account.profile.nickname.
//   - Avatar: kakao_account.profile.profile_image_url, unless
//     is_default_image is true (Kakao's grey placeholder is not an avatar).
//   - Email: kakao_account.email, only when is_email_valid is true (an
//     address that no longer receives mail is dropped); EmailVerified only
//     when is_email_verified is true as well.
//   - Phone: kakao_account.phone_number ("+82 10-1234-5678") in E.164
//     ("+821012345678"). A number that cannot be normalised is left out.
//     PhoneVerified stays false: Kakao has no such flag.
//   - Raw: the whole answer as received.
//
// A missing kakao_account (no consent given) yields the ID alone.
//
// # Errors
//
// Failures are [*connector.Error] values that keep Kakao's own error fields:
// a token error such as {"error":"invalid_grant","error_description":"...",
// "error_code":"KOE320"} has ProviderCode "invalid_grant" and
// ProviderDetails["error_code"] "KOE320" (invalid_grant is
// social_auth_code_invalid); a user info error such as
// {"msg":"this access token does not exist","code":-401} has ProviderCode
// "-401" and ProviderMessage the msg (HTTP 401 is
// social_invalid_access_token). The authorization code Kakao echoes in some
// messages is removed.
package kakao
