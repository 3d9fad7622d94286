package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/chromedp"

	"github.com/connectorkit/connector/conformance/mockprovider"
)

// screenshotDir is where the browser test saves the README's screenshots
// when CONNECTORKIT_SCREENSHOTS=1; otherwise they go to a temporary
// directory, so the test leaves the checkout alone (and passes on a
// read-only one).
const screenshotDir = "../../docs/screenshots"

// screenshotsTo returns where this run saves its screenshots.
func screenshotsTo(t *testing.T) string {
	if os.Getenv("CONNECTORKIT_SCREENSHOTS") == "1" {
		return screenshotDir
	}
	return t.TempDir()
}

// findChromium returns the path of a Chromium or Chrome binary: $CHROMIUM
// when set (and "" when it names no file), else Debian's /usr/bin/chromium,
// else one on $PATH.
func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives headless Chromium through the demo on mock providers:
// every social provider's happy path (Sign in with Apple's form POST
// callback included), a cancel, a provider error and the SMS flow,
// asserting what the result page shows. It takes the README's screenshots
// of the sign-in page and a result page, and writes them to docs/screenshots
// only with CONNECTORKIT_SCREENSHOTS=1.
//
// Without Chromium it skips, except in CI (CI=true), where a missing browser
// is a failure: .ci/run installs Debian's chromium package.
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no Chromium found: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM to the browser's path")
		}
		t.Skip("no Chromium found: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM to run the browser test")
	}
	shots := screenshotsTo(t)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	demoCtx, stopDemo := context.WithCancel(ctx)
	stdout, stderr, done := started(t, demoCtx, "demo", "--addr", "127.0.0.1:0", "--log-level", "warn")
	base := waitFor(t, stdout, openLine, done)
	t.Cleanup(func() {
		stopDemo()
		if code := exitCode(t, done); code != exitOK {
			t.Errorf("demo exit %d\n%s", code, stderr)
		}
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Without these, Chromium's own background connections are
		// refused in sandboxed CI and slow every page.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("cannot start %s: %v", chromium, err)
	}

	// tab opens a fresh tab in its own browser context (its own cookies).
	tab := func(t *testing.T) context.Context {
		t.Helper()
		c, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		c, cancelT := context.WithTimeout(c, 45*time.Second)
		t.Cleanup(cancelT)
		return c
	}
	do := func(t *testing.T, c context.Context, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(c, steps...); err != nil {
			loc, _ := chromedp.Run(c, chromedp.Location())
			body, _ := chromedp.Run(c, chromedp.Text(chromedp.CSS("body")))
			t.Fatalf("at %s: %v\npage text:\n%s", loc, err, body)
		}
	}
	text := func(t *testing.T, c context.Context, sel string) string {
		t.Helper()
		s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	// signIn starts the sign-in of connector id from the sign-in page and
	// picks identity on the mock's page ("" cancels).
	signIn := func(t *testing.T, c context.Context, id, identity string) {
		t.Helper()
		do(t, c, chromedp.Navigate(base+"/"), visible("#signin-"+id), click("#signin-"+id), visible(`button[name="cancel"]`))
		if identity == "" {
			do(t, c, click(`button[name="cancel"]`))
		} else {
			do(t, c, click(`button[name="identity"][value="`+identity+`"]`))
		}
		do(t, c, visible("#result"))
	}
	screenshot := func(t *testing.T, c context.Context, name string) {
		t.Helper()
		buf, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(buf))
		if err != nil || img.Bounds().Dx() < 800 {
			t.Fatalf("screenshot is not a usable PNG: %v", err)
		}
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("sign-in page", func(t *testing.T) {
		c := tab(t)
		do(t, c, chromedp.Navigate(base+"/"), visible("#signin"), visible("#sms-form"))
		for _, want := range []string{"Continue with Apple", "Continue with Kakao", "Continue with Hugging Face", "Continue with OAuth 2.0", "Continue with OpenID Connect", "Send code with Twilio"} {
			if !strings.Contains(text(t, c, "#signin"), want) {
				t.Errorf("sign-in page lacks %q", want)
			}
		}
		do(t, c, visible("#signin-outbox-link"))
		// Every logo is an embedded image that decoded.
		n, err := chromedp.Run(c, chromedp.Evaluate[int](`[...document.querySelectorAll("img.logo")].filter(i => i.complete && i.naturalWidth > 0).length`))
		if err != nil || n != len(demoProviders) {
			t.Errorf("%d logos loaded, want %d (%v)", n, len(demoProviders), err)
		}
		screenshot(t, c, "signin.png")
	})

	happy := []struct {
		name, connector, identity string
		id, email, name2          string
		verified                  bool
	}{
		// Apple's answer is a form POST from the mock's page, as
		// appleid.apple.com's: the id_token is verified and the code
		// exchanged with the ES256 client secret.
		{"apple", "apple", mockprovider.DefaultAppleIdentities[0].ID, mockprovider.DefaultAppleIdentities[0].ID, "ada@example.com", "Ada Lovelace", true},
		{"kakao", "kakao", mockprovider.DefaultKakaoIdentities[4].ID, "9223372036854775807", "doyun@example.kr", "", true},
		{"hugging face", "huggingface", mockprovider.DefaultHuggingFaceIdentities[0].ID, "64f1a2b3c4d5e6f708192a3b", "ada@example.com", "Ada Lovelace", true},
		{"oauth2", "oauth2", mockprovider.DefaultOAuth2Identities[1].ID, "u-1002", "charles@example.com", "Charles Babbage", false},
	}
	for _, h := range happy {
		t.Run("happy path "+h.name, func(t *testing.T) {
			c := tab(t)
			signIn(t, c, h.connector, h.identity)
			if got := text(t, c, "#user-id"); got != h.id {
				t.Errorf("ID = %q, want %q", got, h.id)
			}
			if got := text(t, c, "#user-email"); got != h.email {
				t.Errorf("email = %q, want %q", got, h.email)
			}
			badge := "#email-unverified"
			if h.verified {
				badge = "#email-verified"
			}
			do(t, c, visible(badge))
			if h.name2 != "" {
				if got := text(t, c, "#user-name"); got != h.name2 {
					t.Errorf("name = %q, want %q", got, h.name2)
				}
			}
			if got := text(t, c, "#user-private"); got != "no" {
				t.Errorf("private relay = %q", got)
			}
			if raw := text(t, c, "#raw-profile"); !strings.Contains(raw, h.id) {
				t.Errorf("raw profile lacks the ID:\n%s", raw)
			}
			switch h.connector {
			case "kakao":
				if got := text(t, c, "#user-phone"); got != "+821012345678" {
					t.Errorf("phone = %q", got)
				}
			case "huggingface":
				screenshot(t, c, "result.png")
			}
		})
	}

	t.Run("apple private relay", func(t *testing.T) {
		c := tab(t)
		grace := mockprovider.DefaultAppleIdentities[2]
		signIn(t, c, "apple", grace.ID)
		if got := text(t, c, "#user-email"); got != grace.Email {
			t.Errorf("email = %q, want %q", got, grace.Email)
		}
		if got := text(t, c, "#user-private"); !strings.HasPrefix(got, "yes") {
			t.Errorf("private relay = %q, want yes", got)
		}
		if raw := text(t, c, "#raw-profile"); !strings.Contains(raw, `"real_user_status": 2`) || strings.Contains(raw, "id_token") {
			t.Errorf("raw profile:\n%s", raw)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		c := tab(t)
		signIn(t, c, "kakao", "")
		if got := text(t, c, "#error-code"); got != "authorization_failed" {
			t.Errorf("code = %q", got)
		}
		if details := text(t, c, "#error-details"); !strings.Contains(details, "access_denied") || !strings.Contains(details, "callback") {
			t.Errorf("details:\n%s", details)
		}
	})

	t.Run("provider error", func(t *testing.T) {
		c := tab(t)
		do(t, c, chromedp.Navigate(base+"/"), click(".simulate summary"), visible("#failure"),
			chromedp.SetValue(chromedp.CSS("#failure"), "huggingface|token-invalid-grant"), click("#fail-arm"), visible("#armed"))
		signIn(t, c, "huggingface", mockprovider.DefaultHuggingFaceIdentities[1].ID)
		if got := text(t, c, "#error-code"); got != "social_auth_code_invalid" {
			t.Errorf("code = %q", got)
		}
		details := text(t, c, "#error-details")
		for _, want := range []string{"token_exchange", "400", "invalid_grant"} {
			if !strings.Contains(details, want) {
				t.Errorf("details lack %q:\n%s", want, details)
			}
		}
		screenshot(t, c, "error.png")
	})

	t.Run("bad phone number", func(t *testing.T) {
		c := tab(t)
		do(t, c, chromedp.Navigate(base+"/"), visible("#sms-form"),
			chromedp.SendKeys(chromedp.CSS("#phone"), "+1 415 555"),
			chromedp.SetValue(chromedp.CSS("#usage"), "Register"),
			click("#sms-send"), visible("#sms-error"))
		if got := text(t, c, "#sms-error"); !strings.HasPrefix(got, "That number is too short for country code +1.") {
			t.Errorf("error = %q", got)
		}
		phone, err := chromedp.Run(c, chromedp.Evaluate[string](`document.querySelector("#phone").value`))
		if err != nil || phone != "+1 415 555" {
			t.Errorf("the phone field holds %q, want what was typed (%v)", phone, err)
		}
		usage, err := chromedp.Run(c, chromedp.Evaluate[string](`document.querySelector("#usage").value`))
		if err != nil || usage != "Register" {
			t.Errorf("the usage is %q, want Register (%v)", usage, err)
		}
	})

	t.Run("korean names", func(t *testing.T) {
		c := tab(t)
		minjun := mockprovider.DefaultKakaoIdentities[0]
		do(t, c, chromedp.Navigate(base+"/signin/kakao"), visible(`button[value="`+minjun.ID+`"]`))
		mustRenderHangul(t, c, `button[value="`+minjun.ID+`"] .who`)
		do(t, c, click(`button[value="`+minjun.ID+`"]`), visible("#result"))
		if got := text(t, c, "#user-name"); got != minjun.Name {
			t.Errorf("name = %q, want %q", got, minjun.Name)
		}
		mustRenderHangul(t, c, "#user-name")
	})

	t.Run("mock page looks like the demo", func(t *testing.T) {
		c := tab(t)
		look := `(() => { const s = getComputedStyle(document.body); return [s.fontFamily, s.backgroundColor, s.color].join(" | "); })()`
		do(t, c, chromedp.Navigate(base+"/"), visible("#signin"))
		demo, err := chromedp.Run(c, chromedp.Evaluate[string](look))
		if err != nil {
			t.Fatal(err)
		}
		for id, name := range map[string]string{"apple": "Sign in with Apple", "kakao": "Kakao", "huggingface": "Hugging Face", "oauth2": "OAuth 2.0"} {
			do(t, c, chromedp.Navigate(base+"/signin/"+id), visible(`button[name="cancel"]`))
			if got := text(t, c, "h1"); got != name {
				t.Errorf("%s: heading %q, want %q", id, got, name)
			}
			mock, err := chromedp.Run(c, chromedp.Evaluate[string](look))
			if err != nil || mock != demo {
				t.Errorf("%s: the mock's page has %q, the demo's %q (%v)", id, mock, demo, err)
			}
		}
	})

	t.Run("phone width", func(t *testing.T) {
		// An iPhone's 390 CSS pixels: no page scrolls sideways, and the
		// top bar (brand and mode pill) fits.
		c := tab(t)
		do(t, c, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		fits := func(t *testing.T, page string) {
			t.Helper()
			w, err := chromedp.Run(c, chromedp.Evaluate[int](`document.scrollingElement.scrollWidth`))
			if err != nil || w > 390 {
				t.Errorf("%s: scroll width %d, want at most 390 (%v)", page, w, err)
			}
		}
		// topbar checks that the top bar is one row inside the screen:
		// the brand and the pill side by side, neither wrapped nor
		// squeezed (a wrapped top bar "fits" too, three lines high).
		topbar := func(t *testing.T, page string) {
			t.Helper()
			fits(t, page)
			problems, err := chromedp.Run(c, chromedp.Evaluate[[]string](`(() => {
				const box = s => document.querySelector(s).getBoundingClientRect();
				const bar = box(".topbar"), brand = box(".brand"), mark = box(".mark"), pill = box(".pill");
				const out = [];
				if (Math.max(bar.right, brand.right, pill.right) > 390) out.push("reaches x=" + Math.max(bar.right, brand.right, pill.right));
				if (mark.width !== 28) out.push("the mark is squeezed to " + mark.width + "px");
				if (brand.height > mark.height + 1) out.push("the brand wraps (" + brand.height + "px high)");
				if (pill.height > 28) out.push("the pill wraps (" + pill.height + "px high)");
				if (Math.abs((brand.top + brand.bottom) / 2 - (pill.top + pill.bottom) / 2) > 2) out.push("the pill is not beside the brand");
				return out;
			})()`))
			if err != nil || len(problems) > 0 {
				t.Errorf("%s: the top bar does not fit a phone: %v (%v)", page, problems, err)
			}
		}
		do(t, c, chromedp.Navigate(base+"/"), visible("#sms-form"), visible(".topbar .pill"))
		topbar(t, "sign-in page")
		do(t, c, click(".simulate summary"), visible("#failure"))
		fits(t, "sign-in page, failures open")
		do(t, c, chromedp.SendKeys(chromedp.CSS("#phone"), "12"), click("#sms-send"), visible("#sms-error"))
		topbar(t, "sign-in page with a form error")
		do(t, c, click("#signin-kakao"), visible(`button[name="cancel"]`))
		fits(t, "Kakao's mock page")
		do(t, c, click(`button[value="`+mockprovider.DefaultKakaoIdentities[4].ID+`"]`), visible("#result"))
		topbar(t, "Kakao result page")
		do(t, c, chromedp.Navigate(base+"/signin/apple"), visible(`button[name="cancel"]`))
		fits(t, "Apple's mock page")
		do(t, c, click(`button[value="`+mockprovider.DefaultAppleIdentities[0].ID+`"]`), visible("#result"))
		topbar(t, "Apple result page")
		do(t, c, chromedp.Navigate(base+"/callback/kakao?code=x&state=y"), visible("#noflow"))
		topbar(t, "no sign-in in progress page")
		do(t, c, chromedp.Navigate(base+"/outbox"), visible("#outbox-empty"))
		topbar(t, "outbox")
		do(t, c, chromedp.Navigate(base+"/sms/verify"), visible("#verify"))
		topbar(t, "verify page")
		do(t, c, chromedp.Navigate(base+"/nope"), visible("#problem"))
		topbar(t, "not found page")
	})

	t.Run("sms", func(t *testing.T) {
		c := tab(t)
		do(t, c, chromedp.Navigate(base+"/"), visible("#sms-form"),
			chromedp.SendKeys(chromedp.CSS("#phone"), "+14155550100"),
			chromedp.SetValue(chromedp.CSS("#usage"), "SignIn"),
			click("#sms-send"), visible("#verify-form"))
		if got := text(t, c, "#verify-phone"); got != "+14155550100" {
			t.Errorf("verify page phone = %q", got)
		}
		do(t, c, click("#outbox-link"), visible(".sms-body"))
		msg := text(t, c, ".sms-body")
		m := regexp.MustCompile(`code is (\d{6})`).FindStringSubmatch(msg)
		if m == nil {
			t.Fatalf("no code in the outbox message %q", msg)
		}
		do(t, c, chromedp.Navigate(base+"/sms/verify"), visible("#code"),
			chromedp.SendKeys(chromedp.CSS("#code"), m[1]), click("#verify-submit"), visible("#result"))
		if got := text(t, c, "#user-phone"); got != "+14155550100" {
			t.Errorf("phone = %q", got)
		}
		do(t, c, visible("#phone-verified"))
		if got := text(t, c, "#result-heading"); !strings.Contains(got, "Twilio") {
			t.Errorf("heading = %q", got)
		}
	})
}

// cjkFamilies are the CJK fallbacks of the demo's font stack (--sans in
// static/style.css).
var cjkFamilies = []string{"Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic"}

// mustRenderHangul checks that the Korean text of the element sel is drawn
// with a CJK font of the demo's stack, as Chromium reports the platform
// fonts it used: without one, it draws boxes with a Latin font. A machine
// without a Korean font skips the check, except in CI (CI=true), where
// .ci/run installs Debian's fonts-noto-cjk.
func mustRenderHangul(t *testing.T, c context.Context, sel string) {
	t.Helper()
	nodes, err := chromedp.Run(c, chromedp.Nodes(chromedp.CSS(sel)))
	if err != nil || len(nodes) == 0 {
		t.Fatalf("%s: %v", sel, err)
	}
	res, err := chromedp.Call(c, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: nodes[0].NodeID})
	if err != nil {
		t.Fatalf("the fonts of %s: %v", sel, err)
	}
	var cjk, other []string
	for _, f := range res.Fonts {
		if slices.Contains(cjkFamilies, f.FamilyName) {
			cjk = append(cjk, f.FamilyName)
		} else {
			other = append(other, f.FamilyName)
		}
	}
	if len(cjk) > 0 {
		return
	}
	if os.Getenv("CI") != "true" && !koreanFontInstalled() {
		t.Skipf("%s is drawn with %v: no Korean font is installed (Debian: apt-get install fonts-noto-cjk)", sel, other)
	}
	t.Errorf("%s is drawn with %v, none of the stack's CJK fonts %v: its Korean text shows as boxes", sel, other, cjkFamilies)
}

// koreanFontInstalled reports whether fontconfig knows a font for Korean.
func koreanFontInstalled() bool {
	out, err := exec.Command("fc-list", ":lang=ko", "family").Output()
	return err == nil && len(bytes.TrimSpace(out)) > 0
}
