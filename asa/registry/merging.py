"""What a merge does with each relation to a person, found from the models themselves.

`person_relations()` walks Django's model meta for every ForeignKey and OneToOneField in every
installed app (auto-created many-to-many through tables included) that targets `Person`. Each
gets a rule from `RULES`: moved to the survivor (the default), or staying with the merged
record for a stated reason. A test enumerates the relations independently and fails when one
has no rule, so a model added later makes its author decide (asa/registry/tests/test_merge.py).

Moving respects the model's unique constraints: a row of the merged record that would collide
with one of the survivor's (the same problem type, the same target group, a second current
household) stays with the merged record, where undo finds it unchanged; the survivor's row wins.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.db import models
from django.db.models import Q


class Rule(StrEnum):
    MOVE = "move"  # follows the survivor; undo puts it back
    STAY = "stay"  # a record about the merged record itself: it stays there


# "app_label.model.field" -> (rule, why). Every relation to Person must be listed here.
RULES: dict[str, tuple[Rule, str]] = {
    "registry.person.merged_into": (
        Rule.MOVE,
        "records merged earlier into the merged record lead to the survivor",
    ),
    "registry.person_target_groups.person": (Rule.MOVE, "target groups (duplicates kept once)"),
    "registry.household.head": (Rule.MOVE, "head of household"),
    "registry.householdmembership.person": (
        Rule.MOVE,
        "household history (one current household: the survivor's wins)",
    ),
    "registry.personproblem.person": (Rule.MOVE, "problems (one per type: the survivor's wins)"),
    "registry.consent.person": (Rule.MOVE, "legal basis and consent"),
    "registry.duplicatecandidate.person_a": (
        Rule.STAY,
        "a decision about this pair of records, kept as it was made",
    ),
    "registry.duplicatecandidate.person_b": (
        Rule.STAY,
        "a decision about this pair of records, kept as it was made",
    ),
    "registry.merge.survivor": (Rule.STAY, "the merge records themselves"),
    "registry.merge.merged": (Rule.STAY, "the merge records themselves"),
    "registry.importrowresult.person": (
        Rule.STAY,
        "an import report says which record a row of a file made",
    ),
    "cases.case.person": (Rule.MOVE, "cases, with their visits, plans and referrals"),
    "cases.assistance.person": (Rule.MOVE, "help given"),
    "aid.distribution.person": (Rule.MOVE, "goods handed over"),
    "aid.loan.person": (Rule.MOVE, "equipment lent"),
    "privacy.privacyrequest.person": (Rule.MOVE, "data-subject requests of the same person"),
    "privacy.anonymisation.person": (
        Rule.STAY,
        "an anonymised record cannot be merged (merge_people refuses it)",
    ),
}


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field: models.Field

    @property
    def key(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"

    @property
    def rule(self) -> Rule:
        return RULES[self.key][0]


def person_relations() -> list[Relation]:
    """Every ForeignKey / OneToOneField to Person in every installed model, through tables too."""
    from asa.registry.models import Person

    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if (
                field.concrete
                and (field.many_to_one or field.one_to_one)
                and field.related_model is Person
            ):
                found.append(Relation(model, field))
    return sorted(found, key=lambda relation: relation.key)


def movable_rows(relation: Relation, *, survivor, merged) -> list[int]:
    """Ids of the merged record's rows on `relation` that can move without breaking a unique
    rule (a row that would collide with one of the survivor's stays)."""
    model, name = relation.model, relation.field.name
    rows = model._default_manager.filter(**{name: merged})
    blocked = Q(pk__in=[])
    for fields, condition in _unique_rules(model):
        if name not in fields:
            continue
        others = [field for field in fields if field != name]
        theirs = model._default_manager.filter(**{name: survivor})
        if condition is not None:
            theirs = theirs.filter(condition)
        if others:
            taken = set(theirs.values_list(*others))
            if not taken:
                continue
            collide = Q(pk__in=[])
            for values in taken:
                collide |= Q(**dict(zip(others, values, strict=True)))
        elif theirs.exists():
            collide = Q(pk__isnull=False)  # the survivor holds the only row allowed
        else:
            continue
        blocked |= collide & condition if condition is not None else collide
    return list(rows.exclude(blocked).order_by("pk").values_list("pk", flat=True))


def _unique_rules(model) -> list[tuple[list[str], Q | None]]:
    """(field names, condition) of each unique rule of `model` that spans fields."""
    rules = []
    for together in model._meta.unique_together:
        rules.append(([model._meta.get_field(name).name for name in together], None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            names = [model._meta.get_field(name).name for name in constraint.fields]
            rules.append((names, constraint.condition))
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            rules.append(([field.name], None))
    return rules
