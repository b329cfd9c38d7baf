CREATE TABLE "rule_errors" (
	"rule_id" text NOT NULL,
	"rule_version" integer NOT NULL,
	"service_month" text NOT NULL,
	"errors" integer NOT NULL,
	"last_message" text NOT NULL,
	"last_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rule_errors_rule_id_rule_version_service_month_pk" PRIMARY KEY("rule_id","rule_version","service_month")
);
