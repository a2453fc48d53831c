{#-
    `dbt run-operation prepare_sources`, the step `dbt:prepare-sources`, which `dbt:run` and
    `dbt:build` run first (run_exclusive.py ... --then run): the writes outside dbt's own
    schemas that a build needs first, in order (docs/ARCHITECTURE.md, "Writes outside dbt's
    schemas"). Each is also a step of its own (dbt:create-local-tables, dbt:create-write-log,
    dbt:mark-unlisted-deleted).
-#}
{% macro prepare_sources() %}
    {%- do create_local_tables() -%}
    {%- do create_write_log() -%}
    {%- do mark_unlisted_products_deleted() -%}
{% endmacro %}
