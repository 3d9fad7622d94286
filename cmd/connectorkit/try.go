package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/netguard"
)

const defaultTryRedirect = "http://127.0.0.1:8765/callback"

func (c *cli) try(ctx context.Context, args []string) int {
	fs := c.flagSet("try", "[FACTORY] CONFIG.json [flags]", `
Signs in with a real provider, to check a config before putting it live.

`+configFileRule+`

try needs one social connector: --id picks it when an array has several.

The command listens on the --redirect-uri (an http URL on 127.0.0.1 or
localhost; register it with the provider), prints the authorization URL,
waits for the provider's callback (GET or form POST), and prints the
normalized user info, with the raw profile, as JSON on stdout. Tokens are
never printed.

The token and userinfo requests go through netguard's guarded client: they
never connect to a loopback, private, link-local (such as the cloud metadata
address 169.254.169.254) or other internal address, whatever the endpoint's
host name resolves to; they follow no redirect and use no HTTPS_PROXY. Pass
--allow-private for a provider on your own network (a local Keycloak, say)
or one reached through a proxy.

A provider that redirects only to https URLs on a real domain (Sign in with
Apple refuses localhost and IP addresses) reaches the local callback through a
tunnel or reverse proxy of yours: register its https URL with the provider and
pass it as --public-url; the command sends that URL as the redirect URI and
listens on --redirect-uri, where the tunnel forwards (same path, or the
public URL's path). Apple's answer is a form POST, which the callback accepts.

Exits 1 with the typed error (code, step, provider error fields) when the
sign-in fails, and when no callback arrives before --timeout.`)
	factoryFlag := fs.String("factory", "", "factory `ID` of a bare config, the same as the FACTORY argument (see \"connectorkit list\")")
	id := fs.String("id", "", "`id` of the entry to use from an array of entries")
	redirect := fs.String("redirect-uri", defaultTryRedirect, "local callback `URL` registered with the provider (port 0 picks a free port)")
	publicURL := fs.String("public-url", "", "https `URL` registered with the provider that a tunnel or proxy forwards to --redirect-uri (for providers that refuse local redirect URIs, such as Sign in with Apple)")
	scope := fs.String("scope", "", "`scope` to request instead of the configured one")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait for the callback")
	allowPrivate := fs.Bool("allow-private", false, "turn the netguard check off: let the token and userinfo requests reach loopback, private and link-local addresses, follow redirects and use HTTPS_PROXY (for a provider on your own network, such as a local Keycloak)")
	var endpoints endpointFlag
	fs.Var(&endpoints, "endpoint", "override a provider endpoint, `NAME=URL` (names: authorization, token, userinfo, keys, revocation); repeatable")
	pos, code, ok := c.parse(fs, args, 1, 2)
	if !ok {
		return code
	}
	if *timeout <= 0 {
		return c.usageErr(fs, "--timeout must be positive")
	}
	ru, err := url.Parse(*redirect)
	if err != nil || ru.Scheme != "http" || !kit.IsLoopbackHost(ru.Hostname()) || ru.Port() == "" || ru.RawQuery != "" || ru.Fragment != "" {
		return c.usageErr(fs, "--redirect-uri must be an http URL on a loopback host with a port and no query, such as %s", defaultTryRedirect)
	}
	if ru.Path == "" {
		ru.Path = "/"
	}
	var pu *url.URL
	if *publicURL != "" {
		pu, err = url.Parse(*publicURL)
		if err != nil || pu.Scheme != "https" || pu.Hostname() == "" || pu.User != nil || pu.RawQuery != "" || pu.Fragment != "" ||
			strings.ContainsAny(pu.Path, "{}") {
			return c.usageErr(fs, "--public-url must be an https URL with a host and no query, such as https://signin-test.example.com/callback")
		}
		if pu.Path == "" {
			pu.Path = "/"
		}
	}

	reg, err := c.newRegistry()
	if err != nil {
		return c.fail("try", err)
	}
	ca, err := factoryArg(pos, *factoryFlag, reg)
	if err != nil {
		return c.failErr(fs, err)
	}
	ca.id = *id
	entries, err := c.loadConfigs(ca, reg)
	if err != nil {
		return c.failErr(fs, err)
	}
	e, err := pickOne(ca.file, entries, connector.TypeSocial, reg)
	if err != nil {
		return c.failErr(fs, err)
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := append(e.options(), connector.WithLogger(logger))
	if !*allowPrivate {
		// The config was pasted by an admin: its endpoints must not make
		// this machine fetch its own network's addresses.
		opts = append(opts, connector.WithHTTPClient(netguard.NewClient()))
	}
	social, err := reg.OpenSocial(e.FactoryID, e.Config, append(opts, endpoints.opts...)...)
	if err != nil {
		return c.fail("try", err)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", ru.Host)
	if err != nil {
		return c.fail("try", fmt.Errorf("cannot listen on %s for the callback: %w", ru.Host, err))
	}
	defer ln.Close()
	if ru.Port() == "0" {
		ru.Host = net.JoinHostPort(ru.Hostname(), strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}

	redirectURI := ru.String()
	if pu != nil {
		redirectURI = pu.String()
	}
	auth, err := social.AuthorizationURL(ctx, connector.AuthRequest{RedirectURI: redirectURI, Scope: *scope})
	if err != nil {
		return c.fail("try", err)
	}

	type result struct {
		info *connector.UserInfo
		err  error
	}
	done := make(chan result, 1)
	var once sync.Once
	mux := http.NewServeMux()
	handle := func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		params := r.URL.Query()
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				http.Error(w, "cannot read the callback form", http.StatusBadRequest)
				return
			}
			params = r.PostForm
		}
		handled := false
		once.Do(func() {
			handled = true
			// The command's context, not the request's: the exchange
			// goes on if the browser gives up on the page.
			info, err := social.UserInfo(ctx, connector.Callback{Params: params, Flow: auth.Flow})
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Referrer-Policy", "no-referrer")
			msg := "Signed in with " + social.Metadata().DisplayName() + ". Return to the terminal."
			status := http.StatusOK
			if err != nil {
				status = connector.HTTPStatus(err)
				msg = "Sign-in failed: " + headline(err) + ". The terminal shows the details."
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>connectorkit try</title><p style=\"font:16px system-ui;margin:3em\">%s</p>", template.HTMLEscapeString(msg))
			done <- result{info, err}
		})
		if !handled {
			http.Error(w, "this sign-in is already finished: run connectorkit try again", http.StatusGone)
		}
	}
	// A tunnel may keep the public URL's path or map it to the local one.
	mux.HandleFunc(ru.Path, handle)
	if pu != nil && pu.Path != ru.Path {
		mux.HandleFunc(pu.Path, handle)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer scancel()
		_ = hs.Shutdown(sctx)
	}()

	via := ""
	if pu != nil {
		via = " through " + pu.String()
	}
	fmt.Fprintf(c.stderr, "Open this URL in a browser to sign in with %s (%s):\n\n  %s\n\nWaiting for the callback on %s%s (timeout %s)...\n",
		social.Metadata().DisplayName(), e.ID, auth.URL, ru, via, *timeout)

	select {
	case res := <-done:
		if res.err != nil {
			return c.tryFail(res.err)
		}
		res.info.Tokens = nil
		return c.printJSON("try", res.info)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return c.fail("try", fmt.Errorf("no callback arrived within %s", *timeout))
		}
		return c.fail("try", errors.New("interrupted before the callback arrived"))
	}
}

// tryFail is [cli.fail] for try, with a hint when netguard refused a
// provider address.
func (c *cli) tryFail(err error) int {
	code := c.fail("try", err)
	if errors.Is(err, netguard.ErrForbiddenAddress) {
		fmt.Fprintf(c.stderr, "  %-17s %s\n", "hint:", "netguard refused the provider's address; if the provider runs on your own network (a local Keycloak, say), run again with --allow-private")
	}
	return code
}
