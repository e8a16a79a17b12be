// Go peer for the users example on PostgreSQL: net/http/fcgi on a unix socket and pgx's pool (Debian's
// golang-github-jackc-pgx-v4-dev, GOPATH=/usr/share/gocode), on the table the users example's
// migrations make. The same two requests as the example:
//
//	GET  .../users/ID  one SELECT by primary key: 200 with the user as JSON, 404 when there is none
//	POST .../users     {"name", "email"}: one INSERT ... RETURNING, 201 with the user, 400 when a
//	                   field is missing, 409 when the email is taken
//
// pgx keeps its defaults: a pool of max(4, cores) connections, each caching the statements it has
// prepared. Usage: users SOCKET DATABASE_URL
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"
)

type user struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	CreatedAt string `json:"createdAt"`
}

func answer(w http.ResponseWriter, status int, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(value)
}

func main() {
	pool, err := pgxpool.Connect(context.Background(), os.Args[2])
	if err != nil {
		panic(err)
	}
	os.Remove(os.Args[1])
	listener, err := net.Listen("unix", os.Args[1])
	if err != nil {
		panic(err)
	}
	os.Chmod(os.Args[1], 0666)
	fcgi.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			var input struct {
				Name  string `json:"name"`
				Email string `json:"email"`
			}
			if json.NewDecoder(r.Body).Decode(&input) != nil || input.Name == "" || input.Email == "" {
				answer(w, http.StatusBadRequest, map[string]string{"error": "name and email are required"})
				return
			}
			var u user
			err := pool.QueryRow(r.Context(), "INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id, name, email, created_at",
				input.Name, input.Email).Scan(&u.ID, &u.Name, &u.Email, &u.CreatedAt)
			var pgErr *pgconn.PgError
			switch {
			case errors.As(err, &pgErr) && pgErr.Code == "23505":
				answer(w, http.StatusConflict, map[string]string{"error": "A user with this email already exists"})
			case err != nil:
				answer(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			default:
				w.Header().Set("Location", "/users/"+strconv.FormatInt(u.ID, 10))
				answer(w, http.StatusCreated, u)
			}
			return
		}
		id, err := strconv.ParseInt(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], 10, 64)
		if err != nil {
			answer(w, http.StatusBadRequest, map[string]string{"error": "id must be a whole number"})
			return
		}
		var u user
		err = pool.QueryRow(r.Context(), "SELECT id, name, email, created_at FROM users WHERE id = $1", id).
			Scan(&u.ID, &u.Name, &u.Email, &u.CreatedAt)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			answer(w, http.StatusNotFound, map[string]string{"error": "User not found"})
		case err != nil:
			answer(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		default:
			answer(w, http.StatusOK, u)
		}
	}))
}
