{#-
    Incremental models that read only what changed since their last build (the product history
    reading the raw products, the current products reading the history) go by the transaction
    that wrote each row, not by a time column: the loader stamps rows with the start of their
    batch (`_sdc_batched_at`), and when loads overlap (the quick sync beside a scan) a batch can
    commit after another load's later batch was already built on. Every build stores its
    read_horizon_xid: the oldest transaction still running when it read (every older one had
    finished, committed or not). A row it did not see was written by that transaction or a
    later one. The next build reads the rows whose writing transaction is at most (now - that
    horizon) transactions old; that takes in some rows already read, which the models compare
    and skip. Postgres' own xmin and age() handle the wrap-around of transaction ids.
-#}

{#- The oldest transaction still running at this statement's snapshot, as a number. -#}
{% macro read_horizon_xid() -%}
    pg_snapshot_xmin(pg_current_snapshot())::text::bigint
{%- endmacro %}

{#-
    True for a row written by a transaction of `xid_age` transactions ago (age(xmin)) that the
    model's last build may not have seen. Every row on a first build, and in unit tests (where
    `this` is a fixture, not a table).
-#}
{% macro written_since_last_build(xid_age) -%}
    {%- if execute and is_incremental() and this is not string -%}
        coalesce(
            {{ xid_age }} <= (
                select pg_current_xact_id()::text::bigint - max(previous.read_horizon_xid)
                from {{ this }} as previous
            ),
            true
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
