"""Every write of billing, by sub-domain: ``runs`` (billing a period), ``issuing`` (gapless numbers,
payment), ``credit_notes`` and ``settlement`` (the year-end settlement); ``invoices`` holds what making
any invoice shares.

The rules (DESIGN.md rule 5): one periodic invoice per customer per period, whatever runs at the same
time (a per-customer lock plus the database's unique constraint); numbers assigned when issued from a
counter row per series and year, locked in the same transaction (a PostgreSQL sequence would leave gaps
after a rollback); issued invoices never change (corrections are credit notes); every run and every
issue checks that each line carries the one tariff of its service and year (rule 1).
"""
