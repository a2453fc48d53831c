{#-
    The first pre-hook of every incremental model: a transaction-scoped advisory lock keyed on
    the model's relation. The quick job's `dbt run` and the hourly or daily job's may overlap;
    without the lock both would read the same table state and append, or delete and insert,
    the same rows. dbt-postgres runs pre-hooks inside the model's transaction, before the
    statement that reads the model's inputs, and commits after the insert: the second build
    waits here until the first has committed, and its next statement (a new snapshot under
    READ COMMITTED) reads the first one's rows. The lock ends with the transaction, so a
    failed or killed build never leaves it held. Other models (views, tables rebuilt whole)
    need no lock: a concurrent rebuild replaces them with the same content.
-#}
{% macro serialize_build() -%}
    select pg_advisory_xact_lock(
        hashtext('emag dbt build'), hashtext('{{ this.schema }}.{{ this.identifier }}')
    )
{%- endmacro %}
