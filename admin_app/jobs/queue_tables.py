"""Huey's tables on PostgreSQL, for migration 0014 (no imports: migrations read it)."""

# PostgreSQL: Huey's tables, as its PostgresStorage would create them (prefix "huey"), created
# by migration 0014 instead, so building the app never needs the database (Huey would connect
# at construction to create them).
QUEUE_TABLE_PREFIX = "huey_"
POSTGRES_QUEUE_DDL = [
    "create table if not exists huey_kv (queue text not null, key text not null, "
    "value bytea not null, primary key(queue, key))",
    "create table if not exists huey_schedule (id bigserial primary key, queue text not null, "
    "data bytea not null, timestamp double precision not null)",
    "create index if not exists huey_schedule_queue_timestamp on huey_schedule (queue, timestamp)",
    "create table if not exists huey_task (id bigserial primary key, queue text not null, "
    "data bytea not null, priority double precision not null default 0.0)",
    "create index if not exists huey_task_queue_priority_id "
    "on huey_task (queue, priority desc, id)",
    "create table if not exists huey_counter (queue text not null, key text not null, "
    "value bigint not null default 0, primary key(queue, key))",
]


def is_queue_table(name: str) -> bool:
    """One of Huey's tables (queue messages only; not a model)."""
    return name.startswith(QUEUE_TABLE_PREFIX)
