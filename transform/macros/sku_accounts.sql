{#-
    The accounts emag_catalog_by_sku puts side by side: the var `sku_accounts` when set (a
    list of account names, in that order), else every account in the raw products table, by
    name. The accounts themselves are configured once, in the tap's `accounts` setting
    (meltano.yml); the raw tables are loaded before dbt runs (`meltano run tap-emag
    target-postgres dbt:run`), so an account gets its columns in the run that first loads it.
    Read when the model compiles; nothing at parse time or before the raw table exists.
-#}
{% macro sku_accounts() %}
    {%- set accounts = var('sku_accounts', none) -%}
    {%- if accounts is none -%}
        {%- set accounts = [] -%}
        {%- set products = load_relation(source('emag', 'products')) if execute else none -%}
        {%- if products is not none -%}
            {#- one index probe per account (target-postgres keys the table on account, id),
                not a scan of every offer: the loose index scan Postgres does not do itself -#}
            {%- set found = run_query(
                'with recursive accounts as ('
                ~ ' (select account from ' ~ products ~ ' order by account limit 1)'
                ~ ' union all select (select later.account from ' ~ products ~ ' as later'
                ~ ' where later.account > accounts.account order by later.account limit 1)'
                ~ ' from accounts where accounts.account is not null)'
                ~ ' select account from accounts where account is not null order by account'
            ) -%}
            {%- set accounts = found.columns[0].values() | list -%}
        {%- endif -%}
    {%- endif -%}
    {%- for account in accounts -%}
        {%- if not modules.re.match('^[a-z][a-z0-9_]*$', account | string) -%}
            {{ exceptions.raise_compiler_error(
                "emag_catalog_by_sku: account name '" ~ account ~ "' is not a lower-case"
                ~ " identifier (the tap's names are; see var sku_accounts)") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(accounts) }}
{% endmacro %}
