"""Copy geothai's areas into the database. Idempotent: new areas are added, names refreshed."""

import geothai


def load_areas(province_model, district_model, subdistrict_model) -> dict[str, int]:
    """Upsert all areas; models are passed in so migrations can use their historical models."""
    counts = {}
    for model, rows in (
        (
            province_model,
            [
                province_model(code=p.code, name_th=p.name_th, name_en=p.name_en)
                for p in geothai.provinces()
            ],
        ),
        (
            district_model,
            [
                district_model(
                    code=d.code, name_th=d.name_th, name_en=d.name_en, province_id=d.province_code
                )
                for p in geothai.provinces()
                for d in geothai.districts(p.code)
            ],
        ),
        (
            subdistrict_model,
            [
                subdistrict_model(
                    code=s.code,
                    name_th=s.name_th,
                    name_en=s.name_en,
                    district_id=s.district_code,
                    postal_codes=" ".join(s.postal_codes),
                )
                for p in geothai.provinces()
                for d in geothai.districts(p.code)
                for s in geothai.subdistricts(d.code)
            ],
        ),
    ):
        update_fields = [
            f
            for f in ("name_th", "name_en", "province_id", "district_id", "postal_codes")
            if hasattr(rows[0], f)
        ]
        model.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=update_fields,
        )
        counts[model.__name__] = len(rows)
    return counts
