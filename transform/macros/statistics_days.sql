{#-
    The account days a statistics model computes (int_emag__catalogue_by_day,
    int_emag__sync_windows_by_day, emag_sync_statistics): each day from the account's first
    product version (`versions`: a relation or CTE with account and valid_from) to today, the
    last `statistics_days` at most. In an incremental run, the caller's last stored day and the
    days since: earlier days are kept as they are.
-#}
{% macro statistics_days(versions) %}
    select
        accounts.account,
        series.day::date as stat_date
    from (
        select
            account,
            min(valid_from)::date as first_day
        from {{ versions }}
        group by account
    ) as accounts
    cross join
        lateral generate_series(
            greatest(accounts.first_day, current_date - {{ var('statistics_days') - 1 }}),
            current_date,
            interval '1 day'
        ) as series (day)
    {% if is_incremental() %}
        where series.day::date >= (
            select coalesce(max(previous.stat_date), '1900-01-01') from {{ this }} as previous
        )
    {% endif %}
{% endmacro %}
