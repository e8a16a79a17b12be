// Go peer: net/http/fcgi on a unix socket. GET answers {"message":"Hello, World!"}; POST parses the
// JSON body and answers 201 {"received": <body>}.
package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
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
