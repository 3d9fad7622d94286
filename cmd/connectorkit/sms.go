package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/connectorkit/connector"
	"github.com/connectorkit/connector/internal/phone"
)

// The SMS code flow: a code sent, then entered; and the mock provider's
// outbox.

// smsCookie holds the sealed SMS verification.
const smsCookie = "ck_sms"

// smsFlow is what the SMS cookie seals.
type smsFlow struct {
	Verification string `json:"v"`
	Phone        string `json:"phone"`
	Usage        string `json:"usage"`
	MessageID    string `json:"messageId"`
	Segments     int    `json:"segments,omitempty"`
	Encoding     string `json:"encoding,omitempty"`
}

func (s *server) smsBinding() string { return "sms:" + s.b.SMS.ID }

// smsSend sends a one-time code through the SMS connector.
func (s *server) smsSend(w http.ResponseWriter, r *http.Request) {
	if s.b.SMS == nil {
		s.problem(w, r, http.StatusNotFound, "No SMS connector", "This demo has no SMS connector configured.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.problem(w, r, http.StatusBadRequest, "Bad request", "The form cannot be read.")
		return
	}
	to := strings.TrimSpace(r.PostForm.Get("phone"))
	usage := connector.UsageType(r.PostForm.Get("usage"))
	if usage == "" {
		usage = connector.UsageSignIn
	}
	// formError shows the form again, as it was filled in, with msg about
	// field ("phone" or "usage").
	formError := func(field, msg string) {
		v := s.signInView()
		v.Phone, v.Usage, v.Error, v.ErrorField = to, string(usage), msg, field
		s.render(w, r, http.StatusBadRequest, "signin", "Sign in", v)
	}
	if !usage.Valid() {
		formError("usage", "Choose one of the listed usage types.")
		return
	}
	if to == "" {
		formError("phone", "Enter a phone number, such as +14155550100.")
		return
	}
	// A number no connector can send to is the visitor's typo, told beside
	// the field; what the provider refuses is the connector's error.
	if _, err := phone.ToE164(to); err != nil {
		formError("phone", phoneProblem(err))
		return
	}
	id, code, err := s.codes.issue(to, string(usage))
	if err != nil {
		s.problem(w, r, http.StatusServiceUnavailable, "Cannot send a code", err.Error())
		return
	}
	receipt, err := s.b.SMS.Conn.Send(r.Context(), connector.Message{To: to, Usage: usage,
		Payload: map[string]any{"code": code, "application": map[string]any{"name": "connectorkit demo"}}})
	if err != nil {
		s.codes.discard(id)
		s.failureMeta(w, r, s.b.SMS.Meta, err)
		return
	}
	e164 := to
	if n, err := phone.ToE164(to); err == nil {
		e164 = n
	}
	sealed, err := s.seal.seal(s.smsBinding(), smsFlow{Verification: id, Phone: e164, Usage: string(usage),
		MessageID: receipt.ID, Segments: receipt.Segments, Encoding: receipt.Encoding}, codeTTL)
	if err != nil {
		s.failureMeta(w, r, s.b.SMS.Meta, err)
		return
	}
	http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", sealed, codeTTL))
	s.log.InfoContext(r.Context(), "code sent", "connector", s.b.SMS.ID, "usage", string(usage),
		"message_id", receipt.ID, "segments", receipt.Segments)
	http.Redirect(w, r, "/sms/verify", http.StatusSeeOther)
}

// phoneProblem tells a visitor what is wrong with the phone number they
// typed ([phone.ToE164]'s error) and how to write it.
func phoneProblem(err error) string {
	const how = " Enter it with its country code, such as +14155550100."
	if reason, ok := strings.CutPrefix(err.Error(), "invalid phone number: "); ok {
		return "That number " + reason + "." + how
	}
	return "That is not a phone number." + how
}

type verifyView struct {
	Flow      smsFlow
	Error     string
	Expired   bool
	HasOutbox bool
}

// smsFlow opens the SMS cookie; ok is false (and a page is written) when
// there is no usable one.
func (s *server) smsFlow(w http.ResponseWriter, r *http.Request) (smsFlow, bool) {
	var f smsFlow
	if s.b.SMS == nil {
		s.problem(w, r, http.StatusNotFound, "No SMS connector", "This demo has no SMS connector configured.")
		return f, false
	}
	c, err := r.Cookie(smsCookie)
	if err == nil {
		err = s.seal.open(s.smsBinding(), c.Value, &f)
	}
	if err != nil {
		msg := "No code is waiting to be entered in this browser. Send a code from the sign-in page."
		if errors.Is(err, errSealExpired) {
			msg = "The code has expired. Send a new one from the sign-in page."
		}
		http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", "", -1))
		s.render(w, r, http.StatusBadRequest, "verify", "Enter your code", verifyView{Error: msg, Expired: true})
		return f, false
	}
	return f, true
}

func (s *server) smsVerifyPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.smsFlow(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "verify", "Enter your code", verifyView{Flow: f, HasOutbox: s.b.Outbox != nil})
}

// smsVerify checks the entered code and signs the visitor in.
func (s *server) smsVerify(w http.ResponseWriter, r *http.Request) {
	f, ok := s.smsFlow(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.problem(w, r, http.StatusBadRequest, "Bad request", "The form cannot be read.")
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	_, usage, left, err := s.codes.verify(f.Verification, code)
	if err != nil {
		v := verifyView{Flow: f, HasOutbox: s.b.Outbox != nil}
		status := http.StatusUnauthorized
		if errors.Is(err, errCodeWrong) {
			v.Error = fmt.Sprintf("That code is not correct. %d %s left.", left, plural(left, "attempt", "attempts"))
		} else {
			v.Error = capitalize(err.Error()) + "."
			v.Expired = true
			http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", "", -1))
		}
		s.log.InfoContext(r.Context(), "code refused", "connector", s.b.SMS.ID, "reason", err.Error())
		s.render(w, r, status, "verify", "Enter your code", v)
		return
	}
	http.SetCookie(w, s.cookie(r, smsCookie, "/sms/", "", -1))
	raw, _ := json.Marshal(map[string]any{"to": f.Phone, "usageType": usage, "messageId": f.MessageID,
		"segments": f.Segments, "encoding": f.Encoding})
	info := &connector.UserInfo{ID: f.Phone, Phone: f.Phone, PhoneVerified: true, Raw: raw}
	s.log.InfoContext(r.Context(), "signed in", "connector", s.b.SMS.ID, "usage", usage)
	s.success(w, r, s.b.SMS.Meta, "Signed in with a code sent by "+s.b.SMS.Meta.DisplayName(), info, []detail{
		{"usage type", usage}, {"message ID", f.MessageID},
	})
}

func (s *server) outbox(w http.ResponseWriter, r *http.Request) {
	if s.b.Outbox == nil {
		s.problem(w, r, http.StatusNotFound, "No outbox", "Messages go to real phones: the outbox exists only with the mock SMS provider.")
		return
	}
	msgs, err := s.b.Outbox(r.Context())
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "Outbox unavailable", err.Error())
		return
	}
	// Newest first.
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	s.render(w, r, http.StatusOK, "outbox", "SMS outbox", msgs)
}
