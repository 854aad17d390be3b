package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/smtp"
	"strings"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
)

// send mails text to one address: UTF-8, quoted-printable, the subject
// Q-encoded (so neither can break the headers). smtp.SendMail says
// STARTTLS when the relay offers it, and authenticates when a user is set.
func (ml *mailer) send(to, subject, text, messageID string, now time.Time) error {
	var body bytes.Buffer
	qp := quotedprintable.NewWriter(&body)
	qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	qp.Close()
	msg := "From: " + ml.from + "\r\n" +
		"To: " + to + "\r\n" +
		"Subject: " + mime.QEncoding.Encode("utf-8", subject) + "\r\n" +
		"Date: " + now.Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <" + messageID + "@keytag>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" + body.String()
	return smtp.SendMail(ml.addr, ml.auth, ml.from, []string{to}, []byte(msg))
}

// receipt sends one queued receipt to its customer.
func (ml *mailer) receipt(e pos.QueuedEmail, now time.Time) error {
	return ml.send(e.To, e.Subject, e.Text, e.ID, now)
}

// receiptSender empties the queue of receipts to email that pushes fill:
// a push never waits on SMTP. An email is marked sent only once the relay
// accepted it, so a crash in between sends it again (twice, never none);
// a refused one is tried again later, less and less often.
type receiptSender struct {
	store *ledgerdb.Store
	mail  *mailer
	clock pos.Clock
	log   *slog.Logger
}

// emailBackoff is the wait before attempt n+1 after n failures: 30 s,
// doubling, at most an hour.
func emailBackoff(failures int) time.Duration {
	d := 30 * time.Second << min(max(failures-1, 0), 7)
	return min(d, time.Hour)
}

// sendDue sends what is due now, and answers how many went.
func (r *receiptSender) sendDue(ctx context.Context) (int, error) {
	now := r.clock.Now()
	due, err := r.store.DueEmails(ctx, now, 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, e := range due {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		if err := r.mail.receipt(e, now); err != nil {
			// Not err itself in the log: a relay's answer may quote the address.
			why := fmt.Sprintf("SMTP %d", smtpCode(err))
			if smtpCode(err) == 0 {
				why = "no answer from the relay"
			}
			r.log.Warn("receipt email not sent", "email", e.ID, "attempt", e.Attempts+1, "why", why)
			if err := r.store.EmailFailed(ctx, e.ID, why, now.Add(emailBackoff(e.Attempts+1))); err != nil {
				return sent, err
			}
			continue
		}
		if err := r.store.EmailSent(ctx, e.ID, now); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// loop sends what is due at once and then every interval until ctx ends.
func (r *receiptSender) loop(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := r.sendDue(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("receipt email round failed", "err", err)
		} else if n > 0 {
			r.log.Info("receipt emails sent", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
