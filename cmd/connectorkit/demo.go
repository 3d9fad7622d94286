package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
)

// cookieKeyEnv names the environment variable that may hold the cookie key.
const cookieKeyEnv = "CONNECTORKIT_COOKIE_KEY"

// shutdownGrace is how long in-flight requests get after Ctrl-C.
const shutdownGrace = 5 * time.Second

func (c *cli) demo(ctx context.Context, args []string) int {
	fs := c.flagSet("demo", "[flags]", `
Runs a local identity server with a sign-in page: one "Continue with ..."
button per social connector and a form that sends a one-time code by SMS.
After a sign-in it shows the normalized user info beside the provider's raw
profile, or the typed error with every field.

Without --config, every built-in connector is wired to a mock provider from
the conformance kit, started on 127.0.0.1: no network and no accounts are
needed. On each mock's authorization page you pick a test identity (verified
or unverified email, no email consent, a 64-bit Kakao ID...) or cancel (the
OpenID Connect mock is found through its discovery document, as a real
provider is from its issuer alone); the
sign-in page can make a mock's next answer fail (invalid_grant, 401, 429,
HTML instead of JSON...) to show the typed errors; sent SMS land in an
outbox page. The Sign in with Apple mock answers as Apple does, with a form
POST from its own origin (response_mode form_post); its flow cookie is
SameSite=None and Secure so that the browser sends it on that cross-site
POST (Chrome and Firefox accept a Secure cookie from http://127.0.0.1,
Safari does not). The flow cookie and the callback's state check are the
CSRF defence there; every other cross-site POST is refused.

With --config CONFIG.json (the configs in Logto's shape) it serves the same
page for real providers: every connector of the file, or the one --id
picks; register <base URL>/callback/<id> as each provider's redirect URI (a
bare config's id is its factory's ID). (Sign in with Apple accepts only
https return URLs on a real domain: serve the demo behind a tunnel or proxy
and pass its URL as --base-url.)

`+configFileRule+`

The flow state of each sign-in lives in an AES-256-GCM sealed cookie
(encrypted, authenticated, expiring, bound to the connector), set and
checked by the library's web package. The key is
random per process unless --cookie-key or $`+cookieKeyEnv+` gives one
(64 hex digits or base64 of 32 bytes); replicas sharing the key can finish
each other's flows.

Stop it with Ctrl-C: in-flight requests finish, then the mocks stop.`)
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	configFile := fs.String("config", "", "config file `CONFIG.json` with real provider configs instead of the mocks (\"-\" for standard input)")
	factoryFlag := fs.String("factory", "", "factory `ID` of a bare --config")
	id := fs.String("id", "", "serve only the entry of --config with this `id`")
	baseURL := fs.String("base-url", "", "public `URL` of the demo, when it differs from http://<addr> (behind a proxy or a tunnel)")
	cookieKey := fs.String("cookie-key", "", "cookie sealing `key` (default $"+cookieKeyEnv+", else random per process)")
	logFormat := fs.String("log-format", "text", "log format: `text` or json")
	logLevel := fs.String("log-level", "info", "log level: debug, `info`, warn or error")
	if _, code, ok := c.parse(fs, args, 0, 0); !ok {
		return code
	}
	if *configFile == "" && (*factoryFlag != "" || *id != "") {
		return c.usageErr(fs, "--factory and --id choose from --config, which is not set")
	}
	if err := checkAddr(*addr); err != nil {
		return c.usageErr(fs, "%v", err)
	}

	logger, err := newLogger(c, *logFormat, *logLevel)
	if err != nil {
		return c.usageErr(fs, "%v", err)
	}
	var key []byte
	keyText := *cookieKey
	if keyText == "" {
		keyText = c.getenv(cookieKeyEnv)
	}
	if keyText != "" {
		if key, err = parseKey(keyText); err != nil {
			return c.usageErr(fs, "%v", err)
		}
	} else {
		key = make([]byte, keySize)
		if _, err := rand.Read(key); err != nil {
			return c.fail("demo", fmt.Errorf("cannot generate a cookie key: %w", err))
		}
	}
	// One key for both: the SMS cookie's sealer uses it as is, web derives
	// its own AES key from it with HKDF.
	sealer, err := newSealer(key, nil)
	if err != nil {
		return c.fail("demo", err)
	}
	var base *url.URL
	if *baseURL != "" {
		if base, err = parseBaseURL(*baseURL); err != nil {
			return c.usageErr(fs, "--base-url: %v", err)
		}
		// The flow cookies are Secure except on a loopback host.
		if base.Scheme == "http" && !kit.IsLoopbackHost(base.Hostname()) {
			return c.usageErr(fs, "--base-url: %q must be https (http only on a loopback host)", *baseURL)
		}
	}

	reg, err := c.newRegistry()
	if err != nil {
		return c.fail("demo", err)
	}
	// One HTTP client for every connector: pooled connections, bounded
	// time. The demo never uses http.DefaultClient.
	client := &http.Client{Timeout: 20 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	common := []connector.Option{connector.WithHTTPClient(client), connector.WithLogger(logger)}

	var b *backend
	if *configFile != "" {
		if err := checkFactory(*factoryFlag, reg); err != nil {
			return c.usageErr(fs, "%v", err)
		}
		entries, err := c.loadConfigs(configArgs{file: *configFile, factory: *factoryFlag, id: *id}, reg)
		if err != nil {
			return c.failErr(fs, err)
		}
		b, err = configBackend(displayName(*configFile), entries, reg, common)
		if err != nil {
			return c.fail("demo", err)
		}
	} else {
		b, err = mockBackend(reg, demoProviders, common, logger)
		if err != nil {
			return c.fail("demo", err)
		}
	}
	defer b.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return c.fail("demo", fmt.Errorf("cannot listen on %s: %w", *addr, err))
	}
	// Without --base-url the demo is reached on its loopback address; a
	// request for another name of it (localhost) is sent there, as cookies
	// are per host. Listening on all interfaces, the public name is
	// unknown: give it with --base-url.
	canonical := false
	if base == nil {
		base = listenURL(ln.Addr())
		ta, ok := ln.Addr().(*net.TCPAddr)
		canonical = ok && ta.IP.IsLoopback()
	}
	srv, err := newServer(serverConfig{Backend: b, Logger: logger, Sealer: sealer, FlowKeys: [][]byte{key},
		BaseURL: base, Canonical: canonical})
	if err != nil {
		ln.Close()
		return c.fail("demo", err)
	}
	hs := &http.Server{
		Handler:           srv.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	fmt.Fprintf(c.stdout, "connectorkit demo: open %s\n", base)
	if b.Mode == "config" {
		fmt.Fprintln(c.stdout, "Redirect URIs to register with each provider:")
		for _, sc := range b.Social {
			fmt.Fprintf(c.stdout, "  %-20s %s\n", sc.ID, srv.callbackURL(sc.ID))
		}
	}
	names := make([]string, 0, len(b.Social)+1)
	for _, sc := range b.Social {
		names = append(names, sc.ID)
	}
	if b.SMS != nil {
		names = append(names, b.SMS.ID)
	}
	logger.Info("demo listening", "url", base.String(), "mode", b.Mode, "connectors", strings.Join(names, ","))

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return c.fail("demo", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		logger.Warn("shutdown did not finish in time", "error", err.Error())
		hs.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return c.fail("demo", err)
	}
	fmt.Fprintln(c.stdout, "connectorkit demo: stopped")
	return exitOK
}

// newLogger returns the demo's structured logger on stderr.
func newLogger(c *cli, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(c.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(c.stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}

// listenURL is the http URL of a listening address; an unspecified host
// (":8080", "0.0.0.0:8080") is shown as 127.0.0.1.
func listenURL(a net.Addr) *url.URL {
	host, port := "127.0.0.1", "80"
	if ta, ok := a.(*net.TCPAddr); ok {
		port = strconv.Itoa(ta.Port)
		if !ta.IP.IsUnspecified() {
			host = ta.IP.String()
		}
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}
}

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not have a query or fragment", s)
	}
	return u, nil
}

// checkAddr checks the form of a listen address, host:port.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr: %q is not host:port, such as 127.0.0.1:8080 (port 0 picks a free port)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--addr: the port of %q is not a number from 0 to 65535", addr)
	}
	if host != "" && net.ParseIP(host) == nil && !hostPattern.MatchString(host) {
		return fmt.Errorf("--addr: the host of %q is not an IP address or a host name", addr)
	}
	return nil
}

var hostPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// configBackend opens the connectors of a config file. Every problem of
// every entry is reported at once, each with its path in the file
// ("[1].config.clientId: is required").
func configBackend(file string, entries []entry, reg *connector.Registry, common []connector.Option) (*backend, error) {
	b := &backend{Mode: "config", Close: func() {}}
	var fe connector.FieldErrors
	for _, e := range entries {
		at := orFile(e.at)
		opts := append(e.options(), common...)
		conn, err := reg.Open(e.FactoryID, e.Config, opts...)
		if err != nil {
			fe = append(fe, e.problems(err)...)
			continue
		}
		meta := conn.Metadata()
		switch k := conn.(type) {
		case connector.Social:
			b.Social = append(b.Social, socialConn{ID: e.ID, Meta: meta, Conn: k})
		case connector.Sender:
			if meta.Type != connector.TypeSMS {
				fe = append(fe, connector.FieldError{Path: e.keyPath("factoryId"), Message: fmt.Sprintf("is a %s connector; the demo sends SMS only", meta.Type)})
				continue
			}
			if b.SMS != nil {
				fe = append(fe, connector.FieldError{Path: at, Message: fmt.Sprintf("is a second SMS connector (the demo uses one; %q is already set)", b.SMS.ID)})
				continue
			}
			b.SMS = &senderConn{ID: e.ID, Meta: meta, Conn: k}
		default:
			fe = append(fe, connector.FieldError{Path: e.keyPath("factoryId"), Message: "builds neither a social nor a message connector"})
		}
	}
	if len(fe) > 0 {
		sortFields(fe)
		return nil, configError(file, fe)
	}
	return b, nil
}
