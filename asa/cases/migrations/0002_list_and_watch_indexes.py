"""Indexes for the case list and the watch list at national scale (bench/cases.py).

- (center | district, reported_at DESC, id DESC): a center's or district's newest cases are the
  first index entries, so a page of the list reads a page of rows instead of sorting them all.
- (center | district, next_follow_up_on) over open cases only (closed cases have no follow-up
  date): the watch buckets and their counts read only open cases of the area.

Plain SQL that SQLite and PostgreSQL both accept; the models keep their own indexes.
"""

from django.db import migrations

INDEXES = {
    "cases_case_center_reported": "(center_id, reported_at DESC, id DESC)",
    "cases_case_district_reported": "(district_id, reported_at DESC, id DESC)",
    "cases_case_center_follow_up": "(center_id, next_follow_up_on)"
    " WHERE next_follow_up_on IS NOT NULL",
    "cases_case_district_follow_up": "(district_id, next_follow_up_on)"
    " WHERE next_follow_up_on IS NOT NULL",
}


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} ON cases_case {definition}",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, definition in INDEXES.items()
    ]
