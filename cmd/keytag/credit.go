package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/sync/client"
)

// What lives on the server alone: store credit, and the claims of web
// orders. The terminal asks it directly, online only; offline or not
// joined, a call answers needs_server and changes nothing.

// serverCall bounds one question to the server from the CLI, so an
// unreachable server answers needs_server within seconds, not minutes.
const serverCall = 10 * time.Second

// serverClient is a client of the server this terminal is joined to.
func (e *env) serverClient(d *sqlite.DB, what string) (*client.Client, error) {
	id, err := d.Identity(e.ctx)
	if err != nil {
		return nil, err
	}
	if id.Server == "" {
		return nil, pos.Errorf(pos.ENeedsServer, "%s needs the server, and this terminal is not joined to one (keytag enroll): nothing was changed", what)
	}
	st, err := d.SyncState(e.ctx)
	if err != nil {
		return nil, err
	}
	return client.New(id.Server, st.Token, client.Options{RequestTimeout: serverCall, RetryMax: -1})
}

// claimOnServer does a claim's step on the server when the claim is not on
// this terminal (local is the terminal's not_found): a web order's claim,
// received, verified and settled at a store's counter. Any other local
// refusal stands, and so does not_found when the server does not know
// the claim either or the terminal is not joined.
func (e *env) claimOnServer(d *sqlite.DB, by pos.Staff, id string, step pos.ClaimStep, req pos.ClaimStepRequest, local error) error {
	if pos.ErrorCode(local) != pos.ENotFound {
		return local
	}
	if ident, err := d.Identity(e.ctx); err != nil || ident.Server == "" {
		return local
	}
	c, err := e.serverClient(d, "a web order's claim")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.ctx, serverCall)
	defer cancel()
	req.Staff = by.Name
	v, err := c.StepClaim(ctx, id, step, req)
	if pos.ErrorCode(err) == pos.ENotFound {
		return pos.Errorf(pos.ENotFound, "no claim %s on this terminal or on the server: `keytag claim list` shows this terminal's", id)
	}
	if err != nil {
		return err
	}
	return e.printOrderClaim(v)
}

// printOrderClaim prints a web order's claim and what its settling did.
func (e *env) printOrderClaim(v pos.OrderClaimView) error {
	if e.json {
		e.printJSON(v)
		return nil
	}
	if err := e.printClaimStep(v.ClaimCase, nil); err != nil {
		return err
	}
	if r := v.Result; r != nil {
		if v.Credit != nil {
			fmt.Fprintf(e.stdout, "%s issued as store credit (the customer now holds %s); points clawed back %d, credited %d\n",
				v.Credit.Amount, v.Credit.StoreCredit, r.PointsClawedBack, r.PointsCredited)
		} else {
			printRefund(e, *r)
		}
	}
	return nil
}

// runClaimCredit is `keytag claim credit ID`: a verified claim settled
// with store credit, held on the server. Claims of web orders are settled
// there; a claim of a sale made on this terminal is refused (see the
// message) rather than credited half.
func runClaimCredit(e *env, args []string) int {
	fs := newFlags("claim credit")
	p, err := parse(fs, args)
	id, code := claimID(e, p, err)
	if id == "" {
		return code
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		if _, err := d.GetClaim(e.ctx, id); err == nil {
			return pos.Errorf(pos.EInvalidInput, "claim %s is of a sale made at this store: store credit is given for web orders' claims only so far; refund it (keytag claim refund %s)", id, id)
		} else if pos.ErrorCode(err) != pos.ENotFound {
			return err
		}
		if _, err := e.serverClient(d, "store credit"); err != nil {
			return err
		}
		return e.claimOnServer(d, by, id, pos.StepCredit, pos.ClaimStepRequest{}, pos.Errorf(pos.ENotFound, "no claim %s", id))
	})
}

// storeCredit is an account's store credit as the server holds it; nil
// when it cannot be asked (not joined, offline), with why.
func (e *env) storeCredit(d *sqlite.DB, account string) (*pos.Money, error) {
	c, err := e.serverClient(d, "store credit")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(e.ctx, serverCall)
	defer cancel()
	b, err := c.CreditBalance(ctx, account)
	if pos.ErrorCode(err) == pos.ENotFound {
		// Enrolled here and not pushed yet: the server holds none for it.
		var none pos.Money
		return &none, nil
	}
	if err != nil {
		return nil, err
	}
	return &b.StoreCredit, nil
}

// showServerClaim is `claim show` of a claim the server holds.
func (e *env) showServerClaim(d *sqlite.DB, id string, local error) error {
	c, err := e.serverClient(d, "a web order's claim")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.ctx, serverCall)
	defer cancel()
	v, err := c.GetClaim(ctx, id)
	if pos.ErrorCode(err) == pos.ENotFound {
		return local
	}
	if err != nil {
		return err
	}
	return e.printOrderClaim(v)
}

// printAccountCredit is `account show`: the account, and beside the
// points the store credit the server holds for it ("store_credit" in
// minor units; null when the server cannot be asked, and the text says
// why).
func (e *env) printAccountCredit(d *sqlite.DB, a pos.Account) {
	credit, err := e.storeCredit(d, a.ID)
	if e.json {
		e.printJSON(struct {
			accountView
			StoreCredit *pos.Money `json:"store_credit"`
		}{viewOf(a), credit})
		return
	}
	e.printAccount(a)
	if credit != nil {
		fmt.Fprintf(e.stdout, "store credit %s\n", *credit)
	} else {
		fmt.Fprintf(e.stdout, "store credit unknown: %s\n", pos.ErrorMessage(err))
	}
}

// spendCredit is a sale's pos.SaleRequest.SpendCredit at this terminal:
// the store_credit tender spent on the server, online only. The move's id
// is the receipt and a nonce of this checkout: a lost answer retried is
// the same move, counted once, while a checkout that failed and was given
// back numbers its next try afresh and spends again.
func (e *env) spendCredit(d *sqlite.DB, by pos.Staff) func(context.Context, string, string, pos.Money) (func(), error) {
	return func(ctx context.Context, receipt, account string, amount pos.Money) (func(), error) {
		nonce := make([]byte, 6)
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		return e.moveCredit(ctx, d, "paying with store credit", pos.CreditMove{ID: "sale:" + receipt + ":" + hex.EncodeToString(nonce),
			Account: account, Kind: pos.CreditSpend, Amount: amount, Reference: receipt, Staff: by.Name})
	}
}

// issueCredit is a return's pos.ReturnRequest.IssueCredit at this
// terminal (`keytag return --outcome credit`): the refund issued as store
// credit on the server, online only, once per return (its id is random).
func (e *env) issueCredit(d *sqlite.DB, by pos.Staff, receipt string) func(context.Context, string, string, pos.Money) (func(), error) {
	return func(ctx context.Context, returnID, account string, amount pos.Money) (func(), error) {
		return e.moveCredit(ctx, d, "store credit", pos.CreditMove{ID: "return:" + returnID, Account: account, Kind: pos.CreditIssue,
			Amount: amount, Reference: receipt, Staff: by.Name})
	}
}

// moveCredit makes m on the server and answers how to undo it (the
// opposite move, under m's id and ":back") should what it paid for fail
// to be written, so nothing is lost either way.
func (e *env) moveCredit(ctx context.Context, d *sqlite.DB, what string, m pos.CreditMove) (func(), error) {
	c, err := e.serverClient(d, what)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, serverCall)
	defer cancel()
	if _, err := c.MoveCredit(cctx, m); err != nil {
		if pos.ErrorCode(err) == pos.ENotFound {
			return nil, pos.Errorf(pos.ENeedsServer, "the server does not know this customer yet (keytag sync), so holds no store credit for them: nothing was changed")
		}
		return nil, err
	}
	return func() {
		back := m
		back.ID, back.Kind = m.ID+":back", pos.CreditIssue
		if m.Kind == pos.CreditIssue {
			back.Kind = pos.CreditSpend
		}
		bctx, cancel := context.WithTimeout(e.ctx, serverCall)
		defer cancel()
		if _, err := c.MoveCredit(bctx, back); err != nil {
			fmt.Fprintf(e.stderr, "keytag: what %s of store credit paid for was not written, and undoing the credit move failed too (%s): make credit move %s (%s) by hand\n",
				m.Amount, pos.ErrorMessage(err), back.ID, back.Kind)
		}
	}, nil
}
