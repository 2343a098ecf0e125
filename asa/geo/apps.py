from django.apps import AppConfig
from django.db.backends.signals import connection_created


class GeoConfig(AppConfig):
    name = "asa.geo"
    label = "geo"
    verbose_name = "พื้นที่"

    def ready(self) -> None:
        from asa.lib.thai_order import register

        # SQLite learns the `thai` collation on every connection; PostgreSQL has it from the
        # migration 0004_thai_collation (ICU).
        connection_created.connect(register, dispatch_uid="asa.lib.thai_order")
