CREATE TABLE "person_versions" (
	"person_hash" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
