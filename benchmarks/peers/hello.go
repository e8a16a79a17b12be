// Go peer: net/http/fcgi on a unix socket. GET answers {"message":"Hello, World!"}; POST parses the
// JSON body and answers 201 {"received": <body>}; GET .../slow?ms=N waits N milliseconds first, as
// a handler awaiting a database would (a goroutine per connection waits, no thread).
package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Remove(os.Args[1])
	listener, err := net.Listen("unix", os.Args[1])
	if err != nil {
		panic(err)
	}
	os.Chmod(os.Args[1], 0666)
	fcgi.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/slow") {
			ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
			time.Sleep(time.Duration(ms) * time.Millisecond)
			json.NewEncoder(w).Encode(map[string]any{"slept": ms})
			return
		}
		if r.Method == http.MethodPost {
			var body any
			json.NewDecoder(r.Body).Decode(&body)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]any{"received": body})
			return
		}
		w.Write([]byte(`{"message":"Hello, World!"}`))
	}))
}
