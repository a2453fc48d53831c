{#- The tap's sync-log vocabulary (the sync_runs stream; tap_emag/sync_run.py holds it, tests/unit/test_sync_run_vocabulary.py keeps this copy equal). -#}
{% macro sync_statuses() %}
    {{ return(['completed', 'partial', 'failed', 'skipped']) }}
{% endmacro %}

{#-
    The modes of a scan, a run that reads the whole catalogue (page by page): full (no
    bookmark), incremental and full_reemit (compared with the bookmark). Only a completed scan
    confirms what it did not emit: deletions, and the stock of unchanged products.
-#}
{% macro scan_modes() %}
    {{ return(['full', 'incremental', 'full_reemit']) }}
{% endmacro %}

{#-
    Every mode: the scans, quick (no scan: only the products that orders touched, re-read by
    id; created, updated and unchanged null, no deletions, no bookmark origin) and skipped (a
    run that found another run of the account still going and read nothing; its
    error_messages say which).
-#}
{% macro sync_modes() %}
    {{ return(scan_modes() + ['quick', 'skipped']) }}
{% endmacro %}
