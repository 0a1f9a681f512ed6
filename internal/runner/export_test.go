package runner

import "net/http"

// WrapEmbedded makes the run's embedded server answer through wrap.
func WrapEmbedded(o *Options, wrap func(http.Handler) http.Handler) { o.wrapEmbedded = wrap }

// ReachRunTimeout makes the run time limit pass when reached is closed.
func ReachRunTimeout(o *Options, reached <-chan struct{}) { o.reachRunTimeout = reached }
