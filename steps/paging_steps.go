package steps

import (
	"context"
	"errors"

	"github.com/accessctk/accessctk/internal/target"
	"github.com/accessctk/accessctk/internal/verdict"
	"github.com/accessctk/accessctk/internal/walker"
)

// pagingSteps are the steps of the paging area (features/skylark/paging.feature) and
// the walking steps the read, filter and isolation areas share.
func pagingSteps(w *World) []stepDef {
	return nil
}

// pagingState is the paging area's per-scenario state, kept in World.paging.
type pagingState struct {
	// pending are the findings of walks not yet settled into the scenario record;
	// incomplete says one of those walks stopped before its last page.
	pending    []walker.Finding
	incomplete bool
	// last is the scenario's most recent walk.
	last *walker.Result
	// summary describes every item of the last "whole list" walk (read scenarios).
	summary *listSummary
}

// defaultLargestPage is the page size asked for when the fixtures name no maximum.
const defaultLargestPage = 1000

// largestPageSize is the fixtures' maxPageSize, or 1000 (the server may clamp it).
func (w *World) largestPageSize() int {
	if fx := w.suite.Fixtures; fx != nil && fx.MaxPageSize > 0 {
		return fx.MaxPageSize
	}
	return defaultLargestPage
}

func (w *World) maxPageSize() int {
	if fx := w.suite.Fixtures; fx != nil {
		return fx.MaxPageSize
	}
	return 0
}

// walkList walks a list through w.send, so every page is recorded and checked like
// any response. The walk's findings wait in w.paging.pending until a step settles
// them. The scenario record keeps the walk's first two pages and its latest one: a
// walk of thousands of pages would otherwise fill the report (the findings carry
// their own exchanges).
func (w *World) walkList(ctx context.Context, cfg walker.Config) (*walker.Result, error) {
	if cfg.Path == "" {
		cfg.Path = w.tenantPath()
	}
	if cfg.MaxPageSize == 0 {
		cfg.MaxPageSize = w.maxPageSize()
	}
	mark := len(w.record.Exchanges)
	cfg.Client = walker.DoerFunc(func(ctx context.Context, r target.Request) (*target.Response, error) {
		resp, err := w.send(ctx, r)
		if n := len(w.record.Exchanges); n-mark > 3 {
			w.record.Exchanges = append(w.record.Exchanges[:n-2], w.record.Exchanges[n-1])
		}
		return resp, err
	})
	res, err := walker.Run(ctx, cfg)
	if res != nil {
		w.paging.pending = append(w.paging.pending, res.Findings...)
		w.paging.incomplete = w.paging.incomplete || !res.Complete
		for _, n := range res.Notes {
			w.suite.Logger.Info("walk note", "scenario", w.record.Name, "note", n)
		}
	}
	if err != nil {
		return nil, err
	}
	w.paging.last = res
	return res, nil
}

// settle moves the pending walk findings into the scenario record, as the automatic
// checks do: each finding fails (or warns) the rule it names, whatever scenario met
// it, and the step judges its own rule (own, nil when it holds). Only when a walk
// stopped before its end, so that the step's own rule could not be judged on it,
// does the step fail on the first MUST finding, leaving its other rules unjudged.
func (w *World) settle(own error) error {
	pending := w.paging.pending
	incomplete := w.paging.incomplete
	w.paging.pending, w.paging.incomplete = nil, false
	var first *Failure
	for _, f := range pending {
		ex := walkExchange(f.Exchange)
		if own == nil && incomplete && first == nil && f.Level == verdict.Must {
			first = &Failure{Requirements: []string{f.Requirement}, Level: verdict.Must, Message: f.Message, Exchange: ex}
			continue
		}
		w.finding(f.Requirement, f.Level, f.Message, ex)
	}
	switch {
	case own != nil:
		return own
	case first != nil:
		return first
	case incomplete:
		return &HarnessError{Err: errors.New("a walk stopped before its last page without naming a broken rule")}
	}
	return nil
}

func walkExchange(e *target.Exchange) *verdict.Exchange {
	if e == nil {
		return nil
	}
	r := exchangeRecord(e)
	return &r
}
