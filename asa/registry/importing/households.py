"""Linking: target groups, problems and household memberships of a batch, in bulk."""

import hashlib

from django.db import connection
from django.utils import timezone

from asa.registry import actions
from asa.registry.importing.rows import (
    Row,
)
from asa.registry.importing.writer import (
    _any,
    _take_ids,
    insert_rows,
)
from asa.registry.models import (
    Household,
    HouseholdMembership,
    Person,
    PersonProblem,
    Relationship,
    Severity,
)


class HouseholdLinking:
    """Importer methods: what links a batch's people."""

    def _link(self, created: list[tuple[Row, int]], updated: list[tuple[Row, int]], people):
        """Target groups, problems and household memberships of the batch, in bulk."""
        self._later(
            insert_rows,
            Person.target_groups.through,
            ("person_id", "targetgroup_id"),
            [(pk, group) for row, pk in created for group in row.target_groups],
        )
        today = self.today
        problem_rows = [
            (pk, problem, Severity.MEDIUM.value, today)
            for row, pk in [*created, *updated]
            for problem in row.problems
        ]
        if updated:  # people already known may have these problems on record
            known = set(
                PersonProblem.objects.filter(person_id__in=[pk for _, pk in updated]).values_list(
                    "person_id", "problem_type_id"
                )
            )
            problem_rows = [row for row in problem_rows if (row[0], row[1]) not in known]
        self._later(
            insert_rows,
            PersonProblem,
            ("person_id", "problem_type_id", "severity", "first_reported_on"),
            problem_rows,
        )
        self._households(created, updated, {person.pk: person for _, person in people})

    def _households(self, created, updated, known_people: dict[int, Person]) -> None:
        members = [(row, pk) for row, pk in [*created, *updated] if row.household_ref]
        if not members:
            return
        self._known_households({row.household_ref for row, _ in members})
        new_households = self._new_households(members, known_people)
        if new_households:
            self._insert_households(new_households)
        self._memberships(members, created, known_people, new_households)

    def _known_households(self, refs: set[str]) -> None:
        """The ids of this source's households already in the database, by ref."""
        job = self.job
        wanted = refs - set(self.households)
        if wanted:
            column, params = _any("source_ref", wanted)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, source_ref FROM registry_household "  # noqa: S608
                    f"WHERE source = %s AND {column} AND NOT source_ref = ''",
                    [job.source, *params],
                )
                for pk, ref in cursor.fetchall():
                    self.households[ref] = pk

    def _new_households(self, members, known_people: dict[int, Person]) -> dict[str, list]:
        """Households to create, as rows for insert_rows (less id and timestamps): the
        address of the head, or else of the first member named."""
        job = self.job
        new_households: dict[str, list] = {}
        for row, pk in members:
            ref = row.household_ref
            if ref in self.households:
                continue
            household = new_households.get(ref)
            if household is None or row.relationship == Relationship.HEAD:
                person = known_people.get(pk)
                if person is not None:
                    address = [getattr(person, name) for name in actions.ADDRESS_FIELDS]
                    subdistrict_id = person.subdistrict_id
                    district_id, center_id = person.district_id, person.center_id
                else:
                    data = row.data
                    address = [data[name] for name in actions.ADDRESS_FIELDS]
                    subdistrict_id = data["subdistrict"].code if data["subdistrict"] else None
                    district_id, center_id = self._place_of(subdistrict_id)
                address[actions.ADDRESS_FIELDS.index("subdistrict")] = subdistrict_id
                new_households[ref] = [
                    _household_code(job.pk, ref),
                    job.source,
                    ref,
                    district_id,
                    district_id[:2] if district_id else None,
                    center_id,
                    pk if row.relationship == Relationship.HEAD else None,
                    *address,
                ]
        return new_households

    def _insert_households(self, new_households: dict[str, list]) -> None:
        now = timezone.now()
        ids = _take_ids(Household, len(new_households))
        for household, pk in zip(new_households.values(), ids, strict=True):
            household[:0] = [pk]
            household += [now, now]
        self._later(
            insert_rows,
            Household,
            (
                "id",
                "code",
                "source",
                "source_ref",
                "district_id",
                "province_id",
                "center_id",
                "head_id",
                *(
                    "subdistrict_id" if name == "subdistrict" else name
                    for name in actions.ADDRESS_FIELDS
                ),
                "created_at",
                "updated_at",
            ),
            [tuple(household) for household in new_households.values()],
        )
        for ref, household in new_households.items():
            self.households[ref] = household[0]

    def _memberships(self, members, created, known_people, new_households) -> None:
        """Memberships of the batch: new ones in bulk, a move between households through
        the action (it ends the old one), and heads named."""
        created_ids = {pk for _, pk in created}
        current = dict(
            HouseholdMembership.objects.filter(
                person_id__in=[pk for _, pk in members if pk not in created_ids],
                ended_on__isnull=True,
            ).values_list("person_id", "household_id")
        )
        memberships, heads = [], {}
        for row, pk in members:
            household_id = self.households[row.household_ref]
            if row.relationship == Relationship.HEAD:
                heads[household_id] = pk
            elsewhere = current.get(pk)
            if elsewhere == household_id:
                continue
            if elsewhere is not None:
                # Moving between households keeps history: the action ends the old one.
                self._later(
                    _move,
                    actor=self.actor,
                    household_id=household_id,
                    person=known_people[pk],
                    relationship=row.relationship,
                )
                continue
            memberships.append((household_id, pk, row.relationship, self.today))
        self._later(
            insert_rows,
            HouseholdMembership,
            ("household_id", "person_id", "relationship", "started_on"),
            memberships,
        )
        for household in new_households.values():
            heads.pop(household[0], None)  # created with their head already
        for household_id, person_id in heads.items():
            self._later(_set_head, household_id, person_id)


def _move(*, actor, household_id: int, person: Person, relationship: str) -> None:
    actions.add_household_member(
        actor=actor,
        household=Household.objects.get(pk=household_id),
        person=person,
        relationship=relationship,
    )


def _set_head(household_id: int, person_id: int) -> None:
    Household.objects.filter(pk=household_id).exclude(head_id=person_id).update(head_id=person_id)


def _household_code(job_id: int, ref: str) -> str:
    code = f"IM{job_id}-{ref}"
    if len(code) > 30:
        code = f"IM{job_id}-" + hashlib.sha1(ref.encode()).hexdigest()[:16]  # noqa: S324
    return code
