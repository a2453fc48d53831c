{#-
    Many sellers in one warehouse (docs/DBT_PACKAGE.md, "Many sellers"), in the manner of
    Fivetran's union_schemas packages. Each seller's raw tables are loaded into a schema of
    its own, `<emag_schema>__<seller>` (e.g. emag_raw__acme); the tap's records carry the
    account's plain name (main, fbe) in each of them.

    Single-seller mode (no sellers given): every raw table is read as `source('emag', ...)`,
    the SQL is what it was. Seller mode (var emag_sellers, else EMAG_SELLERS): each raw table
    is read as the union over the sellers' schemas that hold it, its account qualified as
    `<seller>/<account>` (acme/main), so every key, join and test on account stays unique over
    the whole warehouse. The marts carry the seller in a column of its own (emag_seller_of).
-#}

{#-
    The sellers of seller mode: var `emag_sellers` (a list, or comma-separated text), else the
    environment variable EMAG_SELLERS (comma-separated); [] (single-seller mode) when neither
    names one. A name becomes part of a schema name: ^[a-z][a-z0-9_]{0,39}$, else the
    compilation stops naming it.
-#}
{% macro emag_sellers() %}
    {%- set given = var('emag_sellers', none) -%}
    {%- if given is none -%}
        {%- set given = env_var('EMAG_SELLERS', '') -%}
    {%- endif -%}
    {%- if given is string -%}
        {%- set given = given.split(',') -%}
    {%- endif -%}
    {%- set sellers = [] -%}
    {%- for name in given or [] -%}
        {%- set name = name | string | trim -%}
        {%- if name and not modules.re.match('^[a-z][a-z0-9_]{0,39}$', name) -%}
            {{ exceptions.raise_compiler_error(
                "var emag_sellers / EMAG_SELLERS: '" ~ name ~ "' is not a seller name (a"
                ~ " lower-case letter, then up to 39 lower-case letters, digits or _)") }}
        {%- endif -%}
        {%- if name and name not in sellers -%}
            {%- do sellers.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(sellers) }}
{% endmacro %}

{#-
    The seller of a row as a SQL expression: in seller mode the seller part of the qualified
    `account` column (acme/main -> acme), in single-seller mode the var `emag_seller`
    ('default' unless set).
-#}
{% macro emag_seller_of(account) -%}
    {%- if emag_sellers() -%}
        split_part({{ account }}, '/', 1)
    {%- else -%}
        '{{ var('emag_seller', 'default') | replace("'", "''") }}'::text
    {%- endif -%}
{%- endmacro %}

{#-
    The sellers' copies of a raw table, in the order the sellers are given: a list of
    {seller, relation, columns}, columns a list of {name, type} in the table's order. One
    catalogue query for all sellers (a seller whose first load has not landed has no table
    and is left out). [] in single-seller mode and at parse time.
-#}
{% macro emag_seller_tables(table_name) %}
    {%- set sellers = emag_sellers() -%}
    {%- if not sellers or not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set base = source('emag', table_name) -%}
    {%- set schemas = {} -%}
    {%- for seller in sellers -%}
        {%- do schemas.update({base.schema ~ '__' ~ seller: seller}) -%}
    {%- endfor -%}
    {%- set query -%}
        select
            namespaces.nspname::text as schema_name,
            columns.attname::text as column_name,
            format_type(columns.atttypid, columns.atttypmod) as data_type
        from pg_catalog.pg_attribute as columns
        inner join pg_catalog.pg_class as tables on columns.attrelid = tables.oid
        inner join pg_catalog.pg_namespace as namespaces on tables.relnamespace = namespaces.oid
        where
            tables.relname = '{{ base.identifier | replace("'", "''") }}'
            and tables.relkind in ('r', 'p')
            and namespaces.nspname in {{ sql_list(schemas.keys() | list) }}
            and columns.attnum > 0
            and not columns.attisdropped
        order by namespaces.nspname, columns.attnum
    {%- endset -%}
    {%- set found = {} -%}
    {%- for schema_name, column_name, data_type in run_query(query).rows -%}
        {%- if schema_name not in found -%}
            {%- do found.update({schema_name: []}) -%}
        {%- endif -%}
        {%- do found[schema_name].append({'name': column_name, 'type': data_type}) -%}
    {%- endfor -%}
    {%- set tables = [] -%}
    {%- for schema_name, seller in schemas.items() if schema_name in found -%}
        {%- do tables.append({
            'seller': seller,
            'relation': api.Relation.create(
                database=base.database, schema=schema_name, identifier=base.identifier),
            'columns': found[schema_name],
        }) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}

{#-
    What a staging model reads a raw table from, in place of source('emag', table_name):
    the source itself in single-seller mode, and in seller mode when no seller's schema holds
    the table (the base schema's table is read then). Otherwise a subquery (aliased as the
    table) with the union of the sellers' tables: every column any of them has (null, typed,
    where a seller's table lacks it; the first seller's type where they differ), `account` as
    '<seller>/' || account, a column `seller` (unless the table has one), and the rows'
    `xmin`, which a subquery does not have of itself (staging reads it as load_xid). The source() call keeps the source a
    dependency of the model (lineage, dbt ls, dagster-dbt).
-#}
{% macro emag_source(table_name) %}
    {%- set relation = source('emag', table_name) -%}
    {%- set tables = emag_seller_tables(table_name) -%}
    {%- if not tables -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set types = {} -%}
    {%- for table in tables -%}
        {%- for column in table.columns if column.name not in types -%}
            {%- do types.update({column.name: column.type}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set union -%}
        (
            {%- for table in tables %}
            {%- set own = {} -%}
            {%- for column in table.columns -%}
                {%- do own.update({column.name: column.type}) -%}
            {%- endfor %}
            select
                {%- for name, type in types.items() %}
                {%- set quoted = adapter.quote(name) %}
                {%- if name not in own %}
                null::{{ type }} as {{ quoted }},
                {%- elif name == 'account' %}
                '{{ table.seller }}/' || {{ quoted }} as {{ quoted }},
                {%- elif own[name] != type %}
                {{ quoted }}::{{ type }} as {{ quoted }},
                {%- else %}
                {{ quoted }},
                {%- endif %}
                {%- endfor %}
                {%- if 'seller' not in types %}
                '{{ table.seller }}'::text as seller,
                {%- endif %}
                xmin
            from {{ table.relation }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as {{ table_name }}
    {%- endset -%}
    {{ return(union) }}
{% endmacro %}
