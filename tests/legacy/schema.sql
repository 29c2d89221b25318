-- The old system's tables as Django created them (../shared/LEGACY_SCHEMA.md), plus one
-- table the importer must ignore.
CREATE TABLE subscription_plans (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    description text NOT NULL DEFAULT '',
    max_hints_per_day integer NOT NULL DEFAULT 5,
    max_executions_per_day integer NOT NULL DEFAULT 50,
    max_problems integer NOT NULL DEFAULT -1,
    can_view_all_problems boolean NOT NULL DEFAULT false,
    can_register_problems boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    password varchar(128) NOT NULL DEFAULT '',
    last_login timestamptz NULL,
    is_superuser boolean NOT NULL DEFAULT false,
    email varchar(254) NOT NULL UNIQUE,
    name varchar(255) NOT NULL DEFAULT '',
    picture varchar(200) NOT NULL DEFAULT '',
    google_id varchar(255) NULL UNIQUE,
    is_active boolean NOT NULL DEFAULT true,
    is_staff boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    subscription_plan_id integer NULL REFERENCES subscription_plans (id) ON DELETE SET NULL,
    subscription_plan_id_dynamodb integer NULL
);

CREATE TABLE problems (
    id bigserial PRIMARY KEY,
    platform varchar(50) NOT NULL,
    problem_id varchar(50) NOT NULL,
    title varchar(255) NOT NULL,
    problem_url varchar(200) NULL,
    tags jsonb NOT NULL DEFAULT '[]',
    solution_code text NULL,
    language varchar(50) NULL,
    constraints text NULL,
    is_completed boolean NOT NULL DEFAULT false,
    is_deleted boolean NOT NULL DEFAULT false,
    deleted_at timestamptz NULL,
    deleted_reason text NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    needs_review boolean NOT NULL DEFAULT false,
    review_notes text NULL,
    verified_by_admin boolean NOT NULL DEFAULT false,
    reviewed_at timestamptz NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, problem_id)
);

CREATE TABLE test_cases (
    id bigserial PRIMARY KEY,
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    input text NOT NULL,
    output text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX test_cases_problem_id ON test_cases (problem_id);

CREATE TABLE search_history (
    id bigserial PRIMARY KEY,
    user_id bigint NULL REFERENCES users (id) ON DELETE CASCADE,
    user_identifier varchar(100) NOT NULL,
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    platform varchar(50) NOT NULL,
    problem_number varchar(50) NOT NULL,
    problem_title varchar(255) NOT NULL,
    language varchar(50) NOT NULL,
    code text NOT NULL,
    result_summary jsonb NOT NULL DEFAULT '{}',
    passed_count integer NOT NULL DEFAULT 0,
    failed_count integer NOT NULL DEFAULT 0,
    total_count integer NOT NULL DEFAULT 0,
    is_code_public boolean NOT NULL DEFAULT false,
    test_results jsonb NULL,
    hints jsonb NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE usage_logs (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action varchar(20) NOT NULL,
    problem_id bigint NULL REFERENCES problems (id) ON DELETE SET NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE script_generation_jobs (
    id bigserial PRIMARY KEY,
    platform varchar(50) NOT NULL,
    problem_id varchar(50) NOT NULL,
    title varchar(255) NOT NULL,
    problem_url varchar(200) NULL,
    tags jsonb NOT NULL DEFAULT '[]',
    solution_code text NULL,
    language varchar(50) NOT NULL,
    constraints text NOT NULL DEFAULT '',
    generator_code text NULL,
    status varchar(20) NOT NULL,
    celery_task_id varchar(255) NULL,
    error_message text NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE django_migrations (
    id bigserial PRIMARY KEY,
    app varchar(255) NOT NULL,
    name varchar(255) NOT NULL,
    applied timestamptz NOT NULL
);
