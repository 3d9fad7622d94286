package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/kit"
	"github.com/connectorkit/connector/sms/twilio"
)

const (
	twAccountSID = "AC0123456789abcdef0123456789abcdef"
	twAuthToken  = "f00dfacef00dfacef00dfacef00dface"
	twServiceSID = "MG00112233445566778899aabbccddeeff"
	twMessageSID = "SM0123456789abcdef0123456789abcdef"
	twTo         = "+14155550100"
	twCode       = "482916"
	twPath       = "/2010-04-01/Accounts/" + twAccountSID + "/Messages.json"
)

// twCreated is Twilio's 201 answer to a message creation.
const twCreated = `{"account_sid":"` + twAccountSID + `","api_version":"2010-04-01","body":"Your sign-in code is ` + twCode + `",` +
	`"date_created":"Thu, 24 Aug 2023 05:01:45 +0000","date_sent":null,"date_updated":"Thu, 24 Aug 2023 05:01:45 +0000",` +
	`"direction":"outbound-api","error_code":null,"error_message":null,"from":null,"messaging_service_sid":"` + twServiceSID + `",` +
	`"num_media":"0","num_segments":"0","price":null,"price_unit":null,"sid":"` + twMessageSID + `","status":"accepted",` +
	`"subresource_uris":{"media":"` + "/2010-04-01/Accounts/" + twAccountSID + "/Messages/" + twMessageSID + `/Media.json"},` +
	`"to":"` + twTo + `","uri":"` + "/2010-04-01/Accounts/" + twAccountSID + "/Messages/" + twMessageSID + `.json"}`

// twilioServer is Twilio's Messages API on a plain-HTTP loopback server
// that counts its TCP connections. record, when set, receives each form.
type twilioServer struct {
	record func(url.Values)
}

func (s twilioServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost || r.URL.Path != twPath {
		http.Error(w, `{"code":20404,"message":"not found","status":404}`, http.StatusNotFound)
		return
	}
	if s.record != nil {
		form, _ := url.ParseQuery(string(body))
		s.record(form)
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(len(twCreated))}
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, twCreated)
}

var twMessage = connector.Message{To: twTo, Usage: connector.UsageSignIn, Payload: map[string]any{"code": twCode}}

// twilioCK is sms/twilio's Send pointed at base, with the library's
// default HTTP client (no WithHTTPClient).
func twilioCK(tb testing.TB, base string) func(context.Context) (string, error) {
	tb.Helper()
	c, err := twilio.New(twilio.Config{
		AccountSID: twAccountSID, AuthToken: twAuthToken, FromMessagingServiceSID: twServiceSID,
		Templates: []twilio.Template{
			{UsageType: connector.UsageSignIn, Content: "Your sign-in code is {{code}}"},
			{UsageType: connector.UsageGeneric, Content: "Your code is {{code}}"},
		},
	}, connector.WithEndpoint(twilio.EndpointAPI, base))
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context) (string, error) {
		r, err := c.Send(ctx, twMessage)
		if err != nil {
			return "", err
		}
		return r.ID, nil
	}
}

// twilioFloor is a bare POST of the same form with the same default client
// (kit.DefaultHTTPClient, the one the connector uses when given none), the
// answer read with its Content-Length and decoded into a typed struct.
// With phone set it also normalises the recipient to E.164 as the
// connector does (github.com/nyaruka/phonenumbers).
func twilioFloor(base string, phone bool) func(context.Context) (string, error) {
	client := kit.DefaultHTTPClient()
	target := base + twPath
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(twAccountSID+":"+twAuthToken))
	return func(ctx context.Context) (string, error) {
		to := twMessage.To
		if phone {
			num, err := phonenumbers.Parse(to, "")
			if err != nil || !phonenumbers.IsValidNumber(num) {
				return "", fmt.Errorf("invalid recipient %q", to)
			}
			to = phonenumbers.Format(num, phonenumbers.E164)
		}
		form := url.Values{
			"To":                  {to},
			"MessagingServiceSid": {twServiceSID},
			"Body":                {"Your sign-in code is " + twMessage.Payload["code"].(string)},
			"RiskCheck":           {"enable"},
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
		if err != nil {
			return "", err
		}
		req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
		req.Header["Accept"] = []string{"application/json"}
		req.Header["Authorization"] = []string{auth}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || resp.ContentLength < 0 || resp.ContentLength > 1<<20 {
			return "", fmt.Errorf("status %d, content length %d", resp.StatusCode, resp.ContentLength)
		}
		body := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			return "", err
		}
		var m struct {
			SID    string `json:"sid"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return "", err
		}
		if m.SID == "" {
			return "", errors.New("no sid")
		}
		return m.SID, nil
	}
}

var twilioImpls = []struct {
	name string
	open func(tb testing.TB, base string) func(context.Context) (string, error)
}{
	{implCK, twilioCK},
	{implFloor, func(_ testing.TB, base string) func(context.Context) (string, error) { return twilioFloor(base, false) }},
	{"floor+phone", func(_ testing.TB, base string) func(context.Context) (string, error) { return twilioFloor(base, true) }},
}

// BenchmarkTwilioSend is group 4: one SMS sent to a loopback Twilio, from
// one goroutine (seq) and from eight (g8). Each variant has its own server
// so that no connection is shared between variants: conns/1000 is the
// TCP connections that server accepted per 1,000 sends of the timed run,
// conns all it accepted since it started (the warm-up send, the ramp-up
// runs and this one).
func BenchmarkTwilioSend(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"seq", "g8"} {
		b.Run("mode="+mode, func(b *testing.B) {
			for _, impl := range twilioImpls {
				srv, conns := startCounted(b, twilioServer{})
				send := impl.open(b, srv.URL)
				if id, err := send(ctx); err != nil || id != twMessageSID {
					b.Fatalf("%s: got %q, %v", impl.name, id, err)
				}
				b.Run("impl="+impl.name, func(b *testing.B) {
					before, cpu := conns.n.Load(), startCPU()
					b.ReportAllocs()
					if mode == "seq" {
						for b.Loop() {
							if _, err := send(ctx); err != nil {
								b.Fatal(err)
							}
						}
					} else {
						sendFrom(b, 8, func() error { _, err := send(ctx); return err })
					}
					cpu.report(b)
					b.ReportMetric(1000*float64(conns.n.Load()-before)/float64(b.N), "conns/1000")
					b.ReportMetric(float64(conns.n.Load()), "conns")
				})
			}
		})
	}
}

// sendFrom runs b.N calls of send from g goroutines.
func sendFrom(b *testing.B, g int, send func() error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range g {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := send(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
