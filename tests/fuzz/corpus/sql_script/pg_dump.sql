--
-- PostgreSQL database dump
--
\restrict abcDEF123

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA extensions;
COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

CREATE TYPE public.role AS ENUM ('user', 'admin');

CREATE TABLE public.users (
    id bigint NOT NULL,
    email extensions.citext NOT NULL,
    role public.role DEFAULT 'user'::public.role NOT NULL,
    token uuid DEFAULT gen_random_uuid(),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_email_check CHECK ((length((email)::text) > 3))
);
ALTER TABLE public.users OWNER TO someone;
CREATE SEQUENCE public.users_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE VIEW public.admins AS SELECT id FROM public.users WHERE role = 'admin';
CREATE INDEX CONCURRENTLY users_created_idx ON public.users (created_at DESC);
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.created_at := now(); RETURN NEW; END; $$;
GRANT SELECT ON public.users TO PUBLIC;
\unrestrict abcDEF123
