package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
)

// mailer sends the birthday emails through an SMTP relay.
type mailer struct {
	addr, from string
	auth       smtp.Auth
}

func (m *Main) mailer() *mailer {
	if m.smtpAddr == "" {
		return nil
	}
	ml := &mailer{addr: m.smtpAddr, from: m.smtpFrom}
	if user := os.Getenv("KEYTAGD_SMTP_USER"); user != "" {
		host, _, _ := strings.Cut(m.smtpAddr, ":")
		ml.auth = smtp.PlainAuth("", user, os.Getenv("KEYTAGD_SMTP_PASSWORD"), host)
	}
	return ml
}

// birthday announces a birthday gift.
func (ml *mailer) birthday(g ledgerdb.BirthdayGrant, now time.Time) error {
	text := fmt.Sprintf("Happy birthday, %s!\n\nWe have added %d points to your account. They are yours to spend at the counter or in the web shop.\n", g.Name, g.Points)
	return ml.send(g.Email, "Happy birthday from keytag", text, pos.NewID(), now)
}

// smtpCode is the relay's reply code in err, or 0 for a network error.
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// jobs runs the server's periodic work: the birthday gift and the lapse
// of gift reservations.
type jobs struct {
	store *ledgerdb.Store
	log   *slog.Logger
	clock pos.Clock
	mail  *mailer
}

// loop runs the jobs at once and then every interval until ctx ends.
// Both are idempotent, so running more often than daily costs a query.
func (j *jobs) loop(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		j.runOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (j *jobs) runOnce(ctx context.Context) {
	if _, err := j.birthdays(ctx); err != nil && ctx.Err() == nil {
		j.log.Error("birthday job failed", "err", err)
	}
	if n, err := j.store.LapseGifts(ctx); err != nil && ctx.Err() == nil {
		j.log.Error("gift lapse job failed", "err", err)
	} else if n > 0 {
		j.log.Info("gift reservations lapsed", "count", n)
	}
}

// birthdays grants today's birthday gifts and emails each customer when
// mail is configured. A failed email is logged, not retried: the points
// are granted either way.
func (j *jobs) birthdays(ctx context.Context) (int, error) {
	grants, err := j.store.GrantBirthdays(ctx, pos.DayOf(j.clock.Now()))
	for _, g := range grants {
		j.log.Info("birthday gift granted", "account", g.Account, "points", g.Points)
		if j.mail != nil {
			if err := j.mail.birthday(g, j.clock.Now()); err != nil {
				// Not err itself: a relay's answer may quote the address.
				j.log.Warn("birthday email not sent", "account", g.Account, "smtp_code", smtpCode(err))
			}
		}
	}
	return len(grants), err
}
