package client

import (
	"context"
	"net/http"
	"net/url"

	"keytag/pos"
)

// The programme's reports are added up on the server alone: these calls
// work online only, and offline answer needs_server. A terminal's token
// reads its own store's figures (see sync/httpapi/reports.go).

// Liability reads what the programme owes: points available and pending
// and their value, per enrolling store.
func (c *Client) Liability(ctx context.Context) (pos.Liability, error) {
	var out pos.Liability
	err := c.do(ctx, http.MethodGet, "/v1/reports/liability", nil, nil, &out)
	return out, refusal(err, "the liability report")
}

// Daily reads the ledger per store per UTC day from from to to, both
// included.
func (c *Client) Daily(ctx context.Context, from, to pos.Day) ([]pos.DailyRow, error) {
	var out struct {
		Days []pos.DailyRow `json:"days"`
	}
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	err := c.do(ctx, http.MethodGet, "/v1/reports/daily", q, nil, &out)
	return out.Days, refusal(err, "the daily report")
}
