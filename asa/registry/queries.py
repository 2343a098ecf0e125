"""Every read of the registry: scoped through the access layer, bounded, indexed."""

from django.db import connection
from django.db.models import Q, QuerySet

from asa.accounts.access import visible
from asa.lib.crypto import identity_hash, phone_hash
from asa.lib.national_id import NationalIdError, normalize_national_id
from asa.lib.thai import to_arabic_digits
from asa.lib.thai_text import name_key, sound_key
from asa.registry.models import Household, HouseholdMembership, IdType, Person

SEARCH_LIMIT = 20
# The trigram ("contains") step: keys shorter than this have no trigram to look up, and at most
# this many matches are ranked (never the whole table).
TRIGRAM_MIN = 3
CONTAINS_CANDIDATES = 100


def people_for(user) -> QuerySet[Person]:
    """The active (not merged-away) people this user may see."""
    return visible(user, Person.objects.filter(merged_into__isnull=True))


def households_for(user) -> QuerySet[Household]:
    return visible(user, Household.objects.all())


NAME_FILTER_LIMIT = 200  # a list narrowed by a name shows at most this many people's rows


def people_named(user, text: str) -> list[int]:
    """The ids of the people this user may see who match a typed name, ID or phone: the
    registry's indexed search (`search_people`), bounded, for narrowing household and case lists
    by a name (their rows are then found by the person foreign-key indexes)."""
    return [person.pk for person in search_people(people_for(user), text, limit=NAME_FILTER_LIMIT)]


def households_named(households: QuerySet[Household], user, text: str) -> QuerySet[Household]:
    """Households whose code is `text`, or with a current member matching it by name."""
    members = HouseholdMembership.objects.filter(
        person_id__in=people_named(user, text), ended_on__isnull=True
    ).values("household_id")
    return households.filter(Q(code=text.strip().upper()) | Q(pk__in=members))


def likely_duplicates(person: Person, *, limit: int = 10) -> list[tuple[Person, float, list]]:
    """Existing people who may be this one (being registered), with a score and the reasons
    (Thai), best first: `asa.registry.matching`'s blocking and scoring, the batch finder's."""
    from asa.registry.matching import likely_matches, row_of

    matches = likely_matches(row_of(person), exclude=person.pk)[:limit]
    people = Person.objects.select_related("subdistrict__district", "center").in_bulk(
        [pk for pk, _score, _reasons in matches]
    )
    return [(people[pk], score, reasons) for pk, score, reasons in matches if pk in people]


def search_people(queryset: QuerySet[Person], text: str, *, limit: int = SEARCH_LIMIT):
    """Find people by national ID (exact), phone, or name (partial, tone-mark and title
    tolerant, or sound-alike). Returns at most `limit` rows, best first, never ranking the
    whole table: each branch is an indexed lookup bounded by `limit`.
    """
    text = (text or "").strip()
    if not text:
        return []
    compact = to_arabic_digits("".join(text.split())).replace("-", "")
    if compact.removeprefix("+").isdigit():
        # Lists, not querysets: the API's pagination then needs no COUNT query.
        if len(compact) == 13:
            try:
                number = normalize_national_id(compact)
            except NationalIdError:
                number = compact
            # 13 digits are a Thai national ID or a non-Thai ID card (บัตรบุคคลที่ไม่มีสัญชาติไทย).
            # One row, at most two (one per ID type), from the (id_type, id_number_hash) unique
            # index: ordered by key only, which costs less to build than the model's name order.
            # The number is stored encrypted: it is found by its keyed hash.
            return list(
                queryset.filter(
                    id_type__in=[IdType.NATIONAL_ID, IdType.NON_THAI_ID],
                    id_number_hash=identity_hash(number),
                ).order_by("pk")[:limit]
            )
        # Any way of writing a number finds it: +66 81 496 6696, 66814966696, 081-496-6696.
        key = phone_hash(compact)
        return list(queryset.filter(phone_hash=key)[:limit]) if key else []
    key = name_key(text)
    if not key:
        return []
    exact = list(queryset.filter(name_key=key)[:limit])
    seen = {person.pk for person in exact}
    results = exact
    if len(results) < limit:
        # Names typed from their start (given name, then the start of the family name) are
        # served in name order straight from the b-tree, before the costlier trigram search.
        for person in _name_starts(queryset, key, limit=limit):
            if person.pk not in seen:
                results.append(person)
                seen.add(person.pk)
    if len(results) < limit:
        for person in _name_contains(queryset, key, limit=limit):
            if person.pk not in seen:
                results.append(person)
                seen.add(person.pk)
            if len(results) >= limit:
                break
    if len(results) < limit:
        words = text.split()
        first = sound_key(words[0]) if words else ""
        last = sound_key(words[-1]) if len(words) > 1 else ""
        if first:
            sounds = queryset.filter(first_name_sound=first)
            if last:
                sounds = sounds.filter(last_name_sound=last)
            for person in sounds[: limit * 2]:
                if person.pk not in seen:
                    results.append(person)
                    seen.add(person.pk)
                if len(results) >= limit:
                    break
    return results[:limit]


def _name_starts(queryset: QuerySet[Person], key: str, *, limit: int) -> list[Person]:
    """Names beginning with the key, in name order, from the name_key b-tree on both databases.

    A key range, not LIKE 'key%': SQLite's LIKE never uses an index, and PostgreSQL serves
    LIKE only from the pattern-ops index, which cannot give name order, so with ORDER BY ...
    LIMIT it walked the whole name index (10 s at 1,000,000 people). In the C / C.UTF-8
    collation the range is exactly the prefix; the LIKE kept beside it keeps other collations
    correct.
    """
    starts = Q(name_key__gte=key, name_key__lt=key + "\U0010ffff")
    if connection.vendor == "postgresql":
        starts &= Q(name_key__startswith=key)
    return list(queryset.filter(starts).order_by("name_key")[:limit])


def _name_contains(queryset: QuerySet[Person], key: str, *, limit: int) -> list[Person]:
    """Partial name match through the trigram index of the database in use.

    Keys shorter than three characters are not searched this way: no trigram can be taken from
    them, so the index would answer with every row. On PostgreSQL the matches are found without
    an ORDER BY (with `ORDER BY name_key LIMIT 20` the planner walked the name b-tree and
    filtered every row: 0.7-1 s for a rare fragment at 1,000,000 people), at most
    CONTAINS_CANDIDATES of them, and only those are ranked: most similar first (pg_trgm's
    `similarity`, so the closest and shortest names lead), then in name order.
    """
    if len(key) < TRIGRAM_MIN:
        return []
    if connection.vendor == "sqlite":
        # FTS5 trigram: the MATCH finds candidate rowids from the index; the queryset's own
        # filters (scope) then apply to those rows only.
        quoted = '"' + key.replace('"', '""') + '"'
        ids = Q(pk__in=_fts_ids(quoted, limit * 50))
        return list(queryset.filter(ids).order_by("name_key")[:limit])
    if connection.vendor != "postgresql":
        return list(queryset.filter(name_key__contains=key).order_by("name_key")[:limit])
    from django.contrib.postgres.search import TrigramSimilarity

    # LIKE '%key%' is served by the gin_trgm_ops index on name_key (a bitmap scan, stopped
    # after the first CONTAINS_CANDIDATES matches).
    candidates = (
        queryset.filter(name_key__contains=key).order_by().values("pk")[:CONTAINS_CANDIDATES]
    )
    return list(
        queryset.filter(pk__in=candidates)
        .annotate(name_similarity=TrigramSimilarity("name_key", key))
        .order_by("-name_similarity", "name_key", "pk")[:limit]
    )


def _fts_ids(match: str, cap: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM registry_person_fts WHERE registry_person_fts MATCH %s LIMIT %s",
            [match, cap],
        )
        return [row[0] for row in cursor.fetchall()]


HISTORY_LIMIT = 10


def help_history(
    user,
    *,
    person_ids,
    household_ids=(),
    limit: int = HISTORY_LIMIT,
    every_center: bool = False,
) -> dict:
    """The cases, help, goods and loans of some people (and households), as this user may see them.

    For a person's page (their id; after a merge the survivor holds the merged record's rows)
    and a household's ledger (its members' ids and its own). Bounded: the newest `limit` of each
    with the total count, in at most eight queries whatever the history's size.
    """
    from asa.aid.models import Distribution, Loan
    from asa.cases.models import Assistance, Case

    person_ids, household_ids = list(person_ids), list(household_ids)
    whose = Q(person_id__in=person_ids)
    if household_ids:
        whose |= Q(household_id__in=household_ids)

    def help_rows(queryset):
        # The household ledger (`every_center`): whoever may read the household sees the help
        # every center gave its members — the date, kind, amount and giving center, so one
        # center does not duplicate another's help — but not the other centers' cases (their
        # story and number stay behind the access layer: "cases" is always scoped).
        return queryset if every_center else visible(user, queryset)

    sources = {
        "cases": visible(user, Case.objects.filter(whose)).select_related("person", "center"),
        "assistance": help_rows(Assistance.objects.filter(whose)).select_related(
            "person", "case", "center"
        ),
        "distributions": help_rows(Distribution.objects.filter(whose)).select_related(
            "person", "household", "center"
        ),
        "loans": help_rows(Loan.objects.filter(whose)).select_related(
            "person", "household", "piece__item", "center"
        ),
    }
    history: dict = {"limit": limit, "limited": False, "every_center": every_center}
    for name, rows in sources.items():
        history[name] = list(rows[:limit])
        count = len(history[name])
        if count == limit:
            count = rows.order_by().count()
        history[f"{name}_count"] = count
        history["limited"] |= count > limit
    # Receipts open only for distributions the user may see (their own centers').
    shown = [row.pk for row in history["distributions"]]
    history["readable_distribution_ids"] = (
        set(visible(user, Distribution.objects.filter(pk__in=shown)).values_list("pk", flat=True))
        if every_center and shown
        else set(shown)
    )
    return history
