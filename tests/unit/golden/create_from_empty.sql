-- create schema app
CREATE SCHEMA IF NOT EXISTS "app";
-- create extension pgcrypto
CREATE EXTENSION IF NOT EXISTS "pgcrypto";
-- create enum public.message_role
CREATE TYPE "public"."message_role" AS ENUM ('system', 'user', 'assistant', 'tool');
-- create enum app.document_status
CREATE TYPE "app"."document_status" AS ENUM ('uploaded', 'processing', 'ready', 'failed');
-- create table public.users
CREATE TABLE "public"."users" (
  "id" uuid NOT NULL DEFAULT gen_random_uuid(),
  "email" character varying(320) NOT NULL,
  "display_name" text,
  "is_admin" boolean NOT NULL DEFAULT false,
  "settings" jsonb NOT NULL DEFAULT '{}'::jsonb,
  "created_at" timestamp with time zone NOT NULL DEFAULT now(),
  PRIMARY KEY ("id"),
  UNIQUE ("email")
);
-- create table public.conversations
CREATE TABLE "public"."conversations" (
  "id" uuid NOT NULL DEFAULT gen_random_uuid(),
  "owner_id" uuid NOT NULL,
  "title" character varying(200) NOT NULL DEFAULT 'New conversation',
  "archived" boolean NOT NULL DEFAULT false,
  "created_at" timestamp with time zone NOT NULL DEFAULT now(),
  "updated_at" timestamp with time zone NOT NULL DEFAULT now(),
  "last_message_id" bigint,
  PRIMARY KEY ("id")
);
-- create table public.messages
CREATE TABLE "public"."messages" (
  "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  "conversation_id" uuid NOT NULL,
  "seq" integer NOT NULL,
  "role" "public"."message_role" NOT NULL DEFAULT 'user',
  "content" text NOT NULL,
  "meta" jsonb DEFAULT '{}'::jsonb,
  "tokens" integer NOT NULL DEFAULT 0,
  "created_at" timestamp with time zone NOT NULL DEFAULT now(),
  "deleted_at" timestamp with time zone,
  PRIMARY KEY ("id"),
  CONSTRAINT "uq_messages_conversation_seq" UNIQUE ("conversation_id", "seq"),
  CONSTRAINT "ck_messages_tokens" CHECK (tokens >= 0)
);
-- create table app.documents
CREATE TABLE "app"."documents" (
  "id" bigserial NOT NULL,
  "owner_id" uuid NOT NULL,
  "conversation_id" uuid,
  "filename" text NOT NULL,
  "status" "app"."document_status" NOT NULL DEFAULT 'uploaded',
  "size_bytes" bigint NOT NULL DEFAULT 0,
  "sha256" character(64),
  "tags" text[] NOT NULL DEFAULT '{}'::text[],
  "created_at" timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT "pk_documents" PRIMARY KEY ("id"),
  CHECK (size_bytes >= 0)
);
-- create index ux_documents_sha256 on app.documents
CREATE UNIQUE INDEX "ux_documents_sha256" ON "app"."documents" ("sha256") WHERE sha256 IS NOT NULL;
-- add foreign key fk_conversations_owner on public.conversations
ALTER TABLE "public"."conversations" ADD CONSTRAINT "fk_conversations_owner" FOREIGN KEY ("owner_id") REFERENCES "public"."users" ("id") ON DELETE CASCADE;
-- add foreign key (last_message_id) on public.conversations
ALTER TABLE "public"."conversations" ADD FOREIGN KEY ("last_message_id") REFERENCES "public"."messages" ("id") ON DELETE SET NULL;
-- add foreign key fk_messages_conversation on public.messages
ALTER TABLE "public"."messages" ADD CONSTRAINT "fk_messages_conversation" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations" ("id") ON DELETE CASCADE;
-- add foreign key fk_documents_owner on app.documents
ALTER TABLE "app"."documents" ADD CONSTRAINT "fk_documents_owner" FOREIGN KEY ("owner_id") REFERENCES "public"."users" ("id") ON DELETE CASCADE;
-- add foreign key fk_documents_conversation on app.documents
ALTER TABLE "app"."documents" ADD CONSTRAINT "fk_documents_conversation" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations" ("id") ON DELETE SET NULL;
-- create index ix_users_lower_email on public.users
CREATE INDEX "ix_users_lower_email" ON "public"."users" ((lower((email)::text)));
-- create index ix_conversations_owner_updated on public.conversations
CREATE INDEX "ix_conversations_owner_updated" ON "public"."conversations" ("owner_id", "updated_at" DESC);
-- create index ix_messages_created_at on public.messages
CREATE INDEX "ix_messages_created_at" ON "public"."messages" ("created_at") WHERE deleted_at IS NULL;
-- create index on app.documents (owner_id, status)
CREATE INDEX ON "app"."documents" ("owner_id", "status") INCLUDE ("filename");
-- create index ix_documents_tags on app.documents
CREATE INDEX "ix_documents_tags" ON "app"."documents" USING "gin" ("tags");
-- comment on table public.users
COMMENT ON TABLE "public"."users" IS 'people who sign in';
-- comment on column public.users.is_admin
COMMENT ON COLUMN "public"."users"."is_admin" IS 'it''s an administrator';
-- comment on table public.messages
COMMENT ON TABLE "public"."messages" IS 'chat messages';
