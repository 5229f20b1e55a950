#!/usr/bin/env bash
set -euo pipefail
export PGPASSWORD="$DB_PASSWORD"
export AWS_ACCESS_KEY_ID=⟦SEC036:AKIA{A32:16}⟧
export AWS_SECRET_ACCESS_KEY=⟦SEC037:{b64:40}⟧
pg_dump --format=custom "$DATABASE_URL" > backup.dump
mysqldump -u backup -p⟦SEC071:{a62:16}⟧ shop > shop.sql
mysql -u root -p
aws s3 cp backup.dump s3://acme-backups/$(date +%F)/
sha256sum backup.dump # e.g. {hex:64}
