import os

import psycopg2
import redis

cache = redis.Redis(host="cache.acme.internal", port=6379, password="⟦SEC072:{a62:20}⟧")

conn = psycopg2.connect(dbname="app", user="reporting", password="⟦SEC072:{a62:18}⟧", host="db")

# The rest come from the environment.
DATABASE_PASSWORD = os.environ["DB_PASSWORD"]
SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")
broker = redis.Redis(host="broker", password=os.environ.get("BROKER_PASSWORD"))
