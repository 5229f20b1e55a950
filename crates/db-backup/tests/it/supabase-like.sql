-- A database shaped like a Supabase project's, for db-backup's tests: the managed schemas
-- (auth, storage, extensions) beside the user's public schema, with what a dump must carry
-- exactly: foreign keys across schemas, an enum, a view, functions and triggers (one on
-- auth.users calling a public function, as Supabase's profile recipe does), a policy calling
-- auth.uid(), identity and serial sequences, a free-standing sequence, JSONB, bytea, arrays,
-- intervals, floats with NaN and infinities, and text with quotes, tabs, newlines, backslashes
-- and non-ASCII characters.
CREATE ROLE anon NOLOGIN;
CREATE ROLE authenticated NOLOGIN;
CREATE ROLE app_reader NOLOGIN;
GRANT app_reader TO authenticated;

CREATE SCHEMA auth;
CREATE SCHEMA storage;
CREATE SCHEMA extensions;
CREATE EXTENSION citext SCHEMA extensions;

CREATE TABLE auth.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text UNIQUE NOT NULL,
    encrypted_password text,
    raw_user_meta_data jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE auth.schema_migrations (version text PRIMARY KEY);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;

CREATE TABLE storage.buckets (id text PRIMARY KEY, name text NOT NULL, public boolean NOT NULL DEFAULT false);
CREATE TABLE storage.objects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    bucket_id text REFERENCES storage.buckets (id),
    name text NOT NULL,
    owner uuid REFERENCES auth.users (id),
    metadata jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE storage.migrations (id integer PRIMARY KEY, name text NOT NULL);

CREATE TYPE public.job_status AS ENUM ('waiting', 'active', 'completed', 'failed');
CREATE TABLE public.profiles (
    id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    username extensions.citext UNIQUE,
    avatar bytea,
    settings jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz
);
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_profile ON public.profiles USING (auth.uid() = id);
CREATE TABLE public.agents (
    id bigserial PRIMARY KEY,
    owner uuid NOT NULL REFERENCES public.profiles (id),
    name text NOT NULL,
    tags text[] NOT NULL DEFAULT '{}',
    config jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id bigint NOT NULL REFERENCES public.agents (id),
    status public.job_status NOT NULL DEFAULT 'waiting',
    payload jsonb,
    result bytea,
    attempts integer NOT NULL DEFAULT 0,
    score double precision,
    duration interval,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz
);
CREATE TABLE public.audit_log (
    id bigserial PRIMARY KEY,
    job_id bigint,
    change text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.edge_cases (
    id integer PRIMARY KEY,
    t text,
    f double precision,
    n numeric,
    b bytea,
    j jsonb,
    ts timestamp,
    d date
);
CREATE SEQUENCE public.invoice_number START 1000;

CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := timestamptz '2026-11-01 00:00:00+00';
    INSERT INTO public.audit_log (job_id, change, at) VALUES (NEW.id, 'status ' || NEW.status, NEW.updated_at);
    RETURN NEW;
END $$;
CREATE TRIGGER jobs_touch BEFORE UPDATE ON public.jobs FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO public.profiles (id, username) VALUES (NEW.id, split_part(NEW.email, '@', 1));
    RETURN NEW;
END $$;
CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();
CREATE VIEW public.job_stats AS SELECT status, count(*) AS n FROM public.jobs GROUP BY status;
GRANT SELECT ON public.job_stats TO app_reader;

INSERT INTO auth.users (id, email, encrypted_password, raw_user_meta_data, created_at)
SELECT md5('user' || i)::uuid, 'user' || i || '@example.com', md5('pw' || i),
       jsonb_build_object('n', i, 'name', 'Üser ' || i), timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, 2000) i;
UPDATE public.profiles SET avatar = decode(md5(id::text), 'hex'), settings = jsonb_build_object('theme', 'dark', 'id', username);
INSERT INTO public.agents (owner, name, tags, config)
SELECT id, 'agent ' || username, ARRAY['a', username::text], jsonb_build_object('model', 'openrouter/auto', 'temperature', 0.7)
FROM public.profiles ORDER BY username;
INSERT INTO public.jobs (agent_id, status, payload, result, attempts, score, duration, created_at)
OVERRIDING SYSTEM VALUE
SELECT 1 + i % 2000, (ARRAY['waiting', 'active', 'completed', 'failed']::public.job_status[])[1 + i % 4],
       jsonb_build_object('i', i, 'text', repeat('x', i % 50), 'nested', jsonb_build_object('a', ARRAY[i, i + 1])),
       CASE WHEN i % 3 = 0 THEN decode(lpad(to_hex(i), 8, '0'), 'hex') END,
       i % 5, i / 7.0, (i % 3600) * interval '1 second', timestamptz '2026-06-01 00:00:00+00' + i * interval '1 second'
FROM generate_series(1, 30000) i;
UPDATE public.jobs SET status = 'completed' WHERE id % 100 = 0;
INSERT INTO public.edge_cases VALUES
    (1, E'tab\there, newline\nthere, back\\slash, quote '' and "', 'NaN', 1e-20, '\x00ff', '{"k": [1, null, "ß"]}', '2026-02-28 23:59:59.999999', '2000-02-29'),
    (2, '', 'Infinity', -0.5, '\x', '[]', 'infinity', '-infinity'),
    (3, NULL, '-Infinity', NULL, NULL, 'null', NULL, NULL),
    (4, 'emoji 🚀 and 日本語', 1.0000000000000002, 123456789012345678901234567890.123, '\xdeadbeef', '{"a": {"b": {"c": true}}}', '1999-12-31 00:00:00', '1970-01-01');
INSERT INTO storage.buckets VALUES ('avatars', 'avatars', true);
INSERT INTO storage.objects (bucket_id, name, owner, metadata)
SELECT 'avatars', 'a/' || i || '.png', md5('user' || (1 + i % 2000))::uuid, jsonb_build_object('size', i)
FROM generate_series(1, 3000) i;
INSERT INTO auth.schema_migrations VALUES ('20240101000000'), ('20240201000000');
INSERT INTO storage.migrations VALUES (1, 'create-buckets');
SELECT setval('public.invoice_number', 4242);
