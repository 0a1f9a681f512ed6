package runner

import "net/http"

// WrapEmbedded makes the run's embedded server answer through wrap.
func WrapEmbedded(o *Options, wrap func(http.Handler) http.Handler) { o.wrapEmbedded = wrap }
