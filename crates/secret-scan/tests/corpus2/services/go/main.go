package main

import (
	"database/sql"
	"os"

	_ "github.com/lib/pq"
)

func open() (*sql.DB, error) {
	if url := os.Getenv("DATABASE_URL"); url != "" {
		return sql.Open("postgres", url)
	}
	return sql.Open("postgres", "⟦SEC010:postgres://svc:{a62:20}@db.acme.internal:5432/app?sslmode=require⟧")
}
