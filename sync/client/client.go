// Package client is the terminal's HTTP client of keytagd: retries with
// capped backoff and jitter, and errors that tell offline from refused.
// The messages are pos's (pos/syncwire.go).
package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"keytag/pos"
)

// Options tune the terminal's HTTP client. Zero values take the
// defaults below.
type Options struct {
	// RequestTimeout bounds one attempt (connect, send, answer). Default 30 s.
	RequestTimeout time.Duration
	// RetryMax is how many times one call is retried on a network error,
	// a 429 or a 5xx before the call fails (the worker's own backoff then
	// takes over). Default 2.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the wait between those retries.
	// Defaults 250 ms and 5 s.
	RetryWaitMin, RetryWaitMax time.Duration
	// RetryAfterMax caps a server's Retry-After: a confused or hostile
	// answer must not park a till for an hour. Default 1 minute.
	RetryAfterMax time.Duration
	// Transport is the HTTP transport (tests pass one; nil: a pooled one).
	Transport http.RoundTripper
	// TLS, when set, configures the default transport's TLS.
	TLS *tls.Config
	// Logger receives retry notes at debug level. nil: none.
	Logger *slog.Logger
	// Rand gives jitter in [0,1); nil: math/rand/v2.
	Rand func() float64
}

func (o Options) withDefaults() Options {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.RetryMax == 0 {
		o.RetryMax = 2
	}
	if o.RetryMax < 0 {
		o.RetryMax = 0
	}
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = 250 * time.Millisecond
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = 5 * time.Second
	}
	if o.RetryAfterMax <= 0 {
		o.RetryAfterMax = time.Minute
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

// Client talks to keytagd for a terminal: enrolment, push, pull and the
// gift reservations that need the server. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	http  *retryablehttp.Client
	opts  Options
}

// New returns a client of the server at baseURL, authenticating
// with token ("" before enrolment).
func New(baseURL, token string, o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(baseURL), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, pos.Errorf(pos.EInvalidInput, "server %q is not a URL like https://keytagd.example.com", baseURL)
	}
	o = o.withDefaults()
	tr := o.Transport
	if tr == nil {
		t := cleanhttp.DefaultPooledTransport()
		if o.TLS != nil {
			t.TLSClientConfig = o.TLS
		}
		tr = t
	}
	rc := &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: tr, Timeout: o.RequestTimeout},
		RetryWaitMin: o.RetryWaitMin,
		RetryWaitMax: o.RetryWaitMax,
		RetryMax:     o.RetryMax,
		CheckRetry:   retryablehttp.DefaultRetryPolicy,
		Backoff:      CappedBackoff(o.RetryAfterMax, o.Rand),
		// The caller reads the last answer itself (its status, its
		// Retry-After, its error body) instead of a generic "giving up".
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	if o.Logger != nil {
		rc.Logger = leveled{o.Logger}
	}
	return &Client{base: u, token: token, http: rc, opts: o}, nil
}

// Server is the server's base URL.
func (c *Client) Server() string { return c.base.String() }

// CappedBackoff is retryablehttp's backoff with two changes: full jitter
// on the exponential wait (so fifty tills that lost the network together
// do not come back together), and a server's Retry-After honoured only up
// to max.
func CappedBackoff(retryAfterMax time.Duration, rnd func() float64) retryablehttp.Backoff {
	return func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		if d, ok := RetryAfter(resp); ok {
			return clamp(d, 0, retryAfterMax)
		}
		return Jitter(ExpBackoff(min, max, attempt), rnd)
	}
}

// ExpBackoff is min·2^attempt, capped at max.
func ExpBackoff(min, max time.Duration, attempt int) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	if attempt > 62 {
		return max
	}
	d := min << attempt
	if d <= 0 || d > max || d>>attempt != min {
		return max
	}
	return d
}

// Jitter returns a wait in [d/2, d): never zero, never more than d.
func Jitter(d time.Duration, rnd func() float64) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + time.Duration(rnd()*float64(d/2))
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}

// RetryAfter reads a 429 or 503 answer's Retry-After (seconds or an HTTP
// date).
func RetryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0, false
	}
	h := resp.Header.Get("Retry-After")
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64); err == nil && s >= 0 {
		if s > int64(24*time.Hour/time.Second) {
			s = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// HTTPError is an answer other than 2xx.
type HTTPError struct {
	Status int
	// Code and Message are the server's {"error":{…}} when it sent one.
	Code, Message string
	// RetryAfter is the server's Retry-After (already capped), or 0.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("server answered %d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("server answered %d", e.Status)
}

// Temporary reports whether trying again later may help.
func (e *HTTPError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// ErrOffline wraps every failure to reach the server (no route, refused,
// timed out, connection lost before an answer).
var ErrOffline = errors.New("the server cannot be reached")

// do sends one JSON request (retried by retryablehttp on network errors,
// 429 and 5xx) and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := *c.base
	u.Path = c.base.Path + path
	if query != nil {
		u.RawQuery = query.Encode()
	}
	var body any
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		body = b
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if resp != nil {
			resp.Body.Close()
		}
		return fmt.Errorf("%s %s: %w: %w", method, path, ErrOffline, netError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s %s: %w: reading the answer: %w", method, path, ErrOffline, err)
	}
	if resp.StatusCode/100 != 2 {
		he := &HTTPError{Status: resp.StatusCode}
		var eb pos.ErrorBody
		if json.Unmarshal(raw, &eb) == nil {
			he.Code, he.Message = eb.Error.Code, eb.Error.Message
		}
		if d, ok := RetryAfter(resp); ok {
			he.RetryAfter = clamp(d, 0, c.opts.RetryAfterMax)
		}
		return fmt.Errorf("%s %s: %w", method, path, he)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not what a keytagd sends: %w", method, path, err)
	}
	return nil
}

// netError keeps the kind of a network failure, not the URL (the
// url.Error would repeat it in every log line).
func netError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

// Enroll spends a one-time enrolment code.
func (c *Client) Enroll(ctx context.Context, code, name string) (pos.EnrollResponse, error) {
	return c.EnrollAs(ctx, pos.EnrollRequest{Code: code, Name: name})
}

// EnrollAs spends a one-time enrolment code as the terminal req.Key
// names, so that a retry after a lost answer is answered again.
func (c *Client) EnrollAs(ctx context.Context, req pos.EnrollRequest) (pos.EnrollResponse, error) {
	var out pos.EnrollResponse
	err := c.do(ctx, http.MethodPost, "/v1/enroll", nil, req, &out)
	if err != nil {
		return out, refusal(err, "enrolment")
	}
	if out.TerminalID == "" || out.Token == "" {
		return out, fmt.Errorf("enrol: the server's answer has no terminal id or token")
	}
	return out, nil
}

// Push sends a contiguous run of the outbox.
func (c *Client) Push(ctx context.Context, req pos.PushRequest) (pos.PushResponse, error) {
	if req.Records == nil {
		req.Records = []pos.Record{}
	}
	var out pos.PushResponse
	err := c.do(ctx, http.MethodPost, "/v1/sync/push", nil, req, &out)
	return out, err
}

// Pull asks for up to limit changes after cursor.
func (c *Client) Pull(ctx context.Context, cursor int64, limit int) (pos.PullResponse, error) {
	return c.PullSince(ctx, cursor, limit, "")
}

// PullSince is Pull naming the server start the terminal saw last
// (pos.PullResponse.Start), so that a server restored from a backup made
// before that start says so (Restored).
func (c *Client) PullSince(ctx context.Context, cursor int64, limit int, start string) (pos.PullResponse, error) {
	var out pos.PullResponse
	q := url.Values{"cursor": {strconv.FormatInt(cursor, 10)}, "limit": {strconv.Itoa(limit)}}
	if start != "" {
		q.Set("start", start)
	}
	err := c.do(ctx, http.MethodGet, "/v1/sync/pull", q, nil, &out)
	return out, err
}

// PullWait is Pull held open by the server until a change past cursor
// exists or wait ends (then with no changes): the long-poll that tells a
// terminal at once of a change made elsewhere. wait must stay under the
// client's RequestTimeout.
func (c *Client) PullWait(ctx context.Context, cursor int64, limit int, wait time.Duration) (pos.PullResponse, error) {
	var out pos.PullResponse
	q := url.Values{"cursor": {strconv.FormatInt(cursor, 10)}, "limit": {strconv.Itoa(limit)}, "wait": {wait.String()}}
	err := c.do(ctx, http.MethodGet, "/v1/sync/pull", q, nil, &out)
	return out, err
}

// RequestTimeout is how long one attempt may take.
func (c *Client) RequestTimeout() time.Duration { return c.opts.RequestTimeout }

// refusal turns a failed call into what a cashier can act on: a
// refusal from the server keeps its code and message; anything that
// means "no answer" is needs_server.
func refusal(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return pos.Errorf(pos.ENeedsServer, "%s needs the server, and it did not answer in time: try again", what)
	}
	var he *HTTPError
	if errors.As(err, &he) && !he.Temporary() && he.Code != "" {
		return &pos.Error{Code: he.Code, Message: he.Message}
	}
	if errors.Is(err, ErrOffline) || (errors.As(err, &he) && he.Temporary()) {
		return pos.Errorf(pos.ENeedsServer, "%s needs the server, which cannot be reached now: nothing was changed; try again when the terminal is online", what)
	}
	return err
}

// Gifts lists the gift catalog with cost and stock.
func (c *Client) Gifts(ctx context.Context) ([]pos.Gift, error) {
	var out struct {
		Gifts []pos.Gift `json:"gifts"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/gifts", nil, nil, &out); err != nil {
		return nil, refusal(err, "the gift catalog")
	}
	return out.Gifts, nil
}

// ReserveGift reserves a gift for an account: the points are deducted
// and one unit of stock held, on the server. The reservation id is made
// here, so a retry after a lost answer finds the same reservation
// instead of reserving twice. Offline it answers needs_server and
// nothing changes.
func (c *Client) ReserveGift(ctx context.Context, account, gift, staff string) (pos.ReservationView, error) {
	var out pos.ReservationView
	in := map[string]string{"reservation_id": pos.NewID(), "account": account, "gift": gift}
	if staff != "" {
		in["staff"] = staff
	}
	err := c.do(ctx, http.MethodPost, "/v1/gifts/reservations", nil, in, &out)
	return out, refusal(err, "reserving a gift")
}

// ChangeGift swaps a held reservation's gift for another.
func (c *Client) ChangeGift(ctx context.Context, reservation, gift, staff string) (pos.ReservationView, error) {
	return c.giftAction(ctx, reservation, "change", map[string]string{"gift": gift, "staff": staff}, "changing a reserved gift")
}

// HandOverGift records that the customer has the gift.
func (c *Client) HandOverGift(ctx context.Context, reservation, staff string) (pos.ReservationView, error) {
	return c.giftAction(ctx, reservation, "handover", map[string]string{"staff": staff}, "handing over a gift")
}

// ForgoGift releases a reservation: points refunded, stock released.
func (c *Client) ForgoGift(ctx context.Context, reservation, staff string) (pos.ReservationView, error) {
	return c.giftAction(ctx, reservation, "forgo", map[string]string{"staff": staff}, "releasing a gift")
}

// GetReservation reads a reservation.
func (c *Client) GetReservation(ctx context.Context, reservation string) (pos.ReservationView, error) {
	var out pos.ReservationView
	err := c.do(ctx, http.MethodGet, "/v1/gifts/reservations/"+url.PathEscape(reservation), nil, nil, &out)
	return out, refusal(err, "reading a gift reservation")
}

func (c *Client) giftAction(ctx context.Context, reservation, action string, in map[string]string, what string) (pos.ReservationView, error) {
	var out pos.ReservationView
	if in["staff"] == "" {
		delete(in, "staff")
	}
	err := c.do(ctx, http.MethodPost, "/v1/gifts/reservations/"+url.PathEscape(reservation)+"/"+action, nil, in, &out)
	return out, refusal(err, what)
}

// leveled adapts slog to retryablehttp's LeveledLogger. Its
// messages carry the method and the URL without query; ours never holds
// personal data in either.
type leveled struct{ l *slog.Logger }

func (c leveled) Error(msg string, kv ...any) { c.l.Debug(msg, kv...) }
func (c leveled) Info(msg string, kv ...any)  { c.l.Debug(msg, kv...) }
func (c leveled) Debug(msg string, kv ...any) { c.l.Debug(msg, kv...) }
func (c leveled) Warn(msg string, kv ...any)  { c.l.Debug(msg, kv...) }
