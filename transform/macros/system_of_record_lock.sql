{#-
    The first statement of each system-of-record model's build transaction (folder pre-hook):
    a transaction-level advisory lock on the model's own table. Two builds of the package at
    once (a plain `dbt build` beside a scheduled job, two hosts' orchestrators) then write
    these tables, which raw cannot give back, one after the other: the second reads what the
    first committed, instead of both appending the same versions. Held until the model's
    commit, released by Postgres however the build ends. The whole-build lock is
    run_exclusive.py's (one key); this one uses the two-key form, which Postgres keeps apart,
    so a build under run_exclusive.py never waits on its own parent.
-#}
{% macro system_of_record_lock() -%}
    select pg_advisory_xact_lock(hashtext('tap-emag system of record'), hashtext('{{ this }}'))
{%- endmacro %}
