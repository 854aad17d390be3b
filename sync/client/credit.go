package client

import (
	"context"
	"net/http"
	"net/url"

	"keytag/pos"
)

// Store credit and web orders' claims live on the server alone: these
// calls work online only, and offline answer needs_server with nothing
// changed.

// MoveCredit issues or spends store credit. The caller makes m.ID, so a
// retry after a lost answer is the same move, counted once.
func (c *Client) MoveCredit(ctx context.Context, m pos.CreditMove) (pos.CreditView, error) {
	var out pos.CreditView
	err := c.do(ctx, http.MethodPost, "/v1/credit", nil, m, &out)
	return out, refusal(err, "store credit")
}

// CreditBalance reads an account's store credit.
func (c *Client) CreditBalance(ctx context.Context, account string) (pos.CreditBalance, error) {
	var out pos.CreditBalance
	err := c.do(ctx, http.MethodGet, "/v1/credit/"+url.PathEscape(account), nil, nil, &out)
	return out, refusal(err, "reading store credit")
}

// GetClaim reads a web order's claim.
func (c *Client) GetClaim(ctx context.Context, id string) (pos.OrderClaimView, error) {
	var out pos.OrderClaimView
	err := c.do(ctx, http.MethodGet, "/v1/claims/"+url.PathEscape(id), nil, nil, &out)
	return out, refusal(err, "a web order's claim")
}

// claimPaths names each step's route, as the state it leaves.
var claimPaths = map[pos.ClaimStep]string{pos.StepReceive: "received", pos.StepVerify: "verified", pos.StepRefund: "refunded",
	pos.StepReplace: "replaced", pos.StepCredit: "credited", pos.StepReject: "rejected"}

// StepClaim does one step of a web order's claim on the server.
func (c *Client) StepClaim(ctx context.Context, id string, step pos.ClaimStep, req pos.ClaimStepRequest) (pos.OrderClaimView, error) {
	var out pos.OrderClaimView
	path, ok := claimPaths[step]
	if !ok {
		return out, pos.Errorf(pos.EInvalidInput, "a claim has no step %q", step)
	}
	err := c.do(ctx, http.MethodPost, "/v1/claims/"+url.PathEscape(id)+"/"+path, nil, req, &out)
	return out, refusal(err, "a web order's claim")
}
