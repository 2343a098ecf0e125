"""Demo people and households for Bang Khen and Thawi Watthana: what a center's database of
people facing social problems looks like after a year of home visits. Idempotent."""

import datetime as dt

from django.utils import timezone

from asa.accounts.models import User
from asa.centers.demo import NameMaker
from asa.centers.models import Center
from asa.geo.models import Subdistrict
from asa.registry import actions
from asa.registry.models import Household, Person, ProblemType, Relationship, TargetGroup

DEMO_SOURCE = "demo"
# (center code, households) — Bang Khen's database is larger, as in the field.
HOUSEHOLDS = [("BKK-1005", 24), ("BKK-1048", 12)]

# Household situations: target groups of the head, problems (type, severity), indicators met.
SITUATIONS = [
    (
        ["elderly", "low_income"],
        [("elderly", "high"), ("poverty", "medium")],
        {"clean_water", "sanitary_toilet", "has_identity_documents", "uses_health_coverage"},
    ),
    (
        ["disability", "vulnerable_household"],
        [("disability", "high"), ("housing", "medium")],
        {"clean_water", "has_identity_documents", "disabled_access_welfare"},
    ),
    (
        ["woman", "family"],
        [("domestic_violence", "critical")],
        {"income_above_line", "secure_housing", "clean_water", "compulsory_schooling"},
    ),
    (["homeless"], [("homeless", "high"), ("unemployment", "high")], set()),
    (
        ["low_income", "family"],
        [("debt", "high"), ("unemployment", "medium")],
        {"secure_housing", "clean_water", "sanitary_toilet", "children_vaccinated"},
    ),
    (
        ["child", "family"],
        [("children_youth", "medium"), ("education", "medium")],
        {"clean_water", "sanitary_toilet", "preschool_attends"},
    ),
]


def load_registry_demo(*, stdout=None) -> int:
    """People, households, problems, consent and assessments in the two seed centers."""
    if Person.objects.filter(source=DEMO_SOURCE).exists():
        return 0
    names = NameMaker(seed=2563)
    groups = {group.code: group for group in TargetGroup.objects.all()}
    problems = {problem.code: problem for problem in ProblemType.objects.all()}
    chair = {
        "BKK-1005": User.objects.filter(username="chair.bangkhen").first(),
        "BKK-1048": User.objects.filter(username="chair.thawiwatthana").first(),
    }
    today = timezone.localdate()
    made = 0
    for code, count in HOUSEHOLDS:
        center = Center.objects.get(code=code)
        subdistricts = list(Subdistrict.objects.filter(district=center.district))
        for index in range(count):
            target_groups, problem_list, indicators = SITUATIONS[index % len(SITUATIONS)]
            subdistrict = names.random.choice(subdistricts)
            elderly = "elderly" in target_groups
            head_values = names.person()
            if elderly:
                head_values["birth_date"] = dt.date(
                    names.random.randint(1935, 1958),
                    names.random.randint(1, 12),
                    names.random.randint(1, 28),
                )
                head_values["national_id"] = names.national_id(born=head_values["birth_date"])
            homeless = "homeless" in target_groups
            head = actions.register_person(
                actor=None,
                title=head_values["title"],
                first_name=head_values["first_name"],
                last_name=head_values["last_name"],
                sex=head_values["sex"],
                birth_date=head_values["birth_date"],
                id_type="none" if homeless and index % 2 else "national_id",
                id_number="" if homeless and index % 2 else head_values["national_id"],
                phone="" if homeless else head_values["phone"],
                subdistrict=subdistrict,
                house_number=""
                if homeless
                else f"{names.random.randint(1, 450)}/{names.random.randint(1, 60)}",
                soi=f"รามอินทรา {names.random.randint(1, 60)}"
                if code == "BKK-1005"
                else f"ทวีวัฒนา {names.random.randint(1, 40)}",
                notes="พักอาศัยบริเวณใต้สะพาน" if homeless else "",
                target_groups=[groups[g] for g in target_groups],
                source=DEMO_SOURCE,
                source_ref=f"{code}-{index:03d}-head",
                check_duplicates=False,
            )
            actions.record_consent(
                actor=chair[code],
                person=head,
                basis="consent",
                given_by="self",
                given_on=today - dt.timedelta(days=names.random.randint(30, 300)),
                method="signed_paper",
                allows_sharing=True,
            )
            for problem_code, severity in problem_list:
                actions.record_problem(
                    actor=chair[code],
                    person=head,
                    problem_type=problems[problem_code],
                    severity=severity,
                    first_reported_on=today - dt.timedelta(days=names.random.randint(20, 320)),
                )
            made += 1
            if homeless:
                continue
            household = actions.create_household(
                actor=None, head=head, source=DEMO_SOURCE, source_ref=f"{code}-{index:03d}"
            )
            for member_index in range(names.random.randint(1, 3)):
                relationship = [Relationship.SPOUSE, Relationship.CHILD, Relationship.GRANDCHILD][
                    member_index % 3
                ]
                values = names.person(youth=relationship != Relationship.SPOUSE)
                if relationship != Relationship.SPOUSE:
                    values["birth_date"] = dt.date(
                        names.random.randint(2010, 2020),
                        names.random.randint(1, 12),
                        names.random.randint(1, 28),
                    )
                    values["title"] = "เด็กชาย" if values["sex"] == "male" else "เด็กหญิง"
                member = actions.register_person(
                    actor=None,
                    title=values["title"],
                    first_name=values["first_name"],
                    last_name=head.last_name,
                    sex=values["sex"],
                    birth_date=values["birth_date"],
                    id_type="national_id",
                    id_number=names.national_id(born=values["birth_date"]),
                    subdistrict=subdistrict,
                    house_number=head.house_number,
                    soi=head.soi,
                    target_groups=[groups["child"]] if relationship != Relationship.SPOUSE else [],
                    source=DEMO_SOURCE,
                    source_ref=f"{code}-{index:03d}-{member_index}",
                    check_duplicates=False,
                )
                actions.add_household_member(
                    actor=None, household=household, person=member, relationship=relationship
                )
                made += 1
            # Two assessments: the first months ago, the latest showing some improvement.
            first = {code_: True for code_ in indicators}
            actions.record_household_assessment(
                actor=chair[code],
                household=household,
                indicators=first,
                assessed_on=today - dt.timedelta(days=names.random.randint(150, 300)),
            )
            better = {**first, "uses_health_coverage": True, "has_identity_documents": True}
            actions.record_household_assessment(
                actor=chair[code],
                household=household,
                indicators=better,
                assessed_on=today - dt.timedelta(days=names.random.randint(5, 60)),
            )
    if stdout:
        stdout.write(f"Registered {made} demo people in {Household.objects.count()} households.\n")
    return made
