package web

import "hubadmin/static"

// staticHandler serves the embedded, content-hashed assets with a one-year cache.
var staticHandler = static.Handler()
