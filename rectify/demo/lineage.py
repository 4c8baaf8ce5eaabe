"""Demo lineage in 诸暨市: one merger and one split, made as the county would (through
``rectify.lineage.make_event``), in the county's first township after 枫桥镇 and 店口镇 are set
aside (their demo villages stay as the contract lists them).

- merger, 诸委〔2026〕21号, effective 2026-09-01: the township's first backward village (its open
  case, ledger items and pairings carry over) merges into its first ordinary village;
- split, 诸委〔2026〕25号, effective 2026-10-01: the next ordinary village splits into two new
  villages (codes …901 and …902), each with a party branch and a secretary.

Only villages created in this run take part, so a second ``load_demo`` adds nothing.
"""

from datetime import date

from django.contrib.auth import get_user_model

from casework.models import Case
from rectify import lineage
from rectify.demo.common import person_name
from villages.lineage import NewVillage
from villages.models import PartyBranch, Person, Post, PostAssignment, Region, Village

MERGER = ("诸委〔2026〕21号", date(2026, 9, 1), "村规模调整：两村地域相连、产业相近，合并建村")
SPLIT = ("诸委〔2026〕25号", date(2026, 10, 1), "村域过大、人口分散，拆分为两个行政村便于管理服务")
KEPT = ("枫桥镇", "店口镇")


def _township(new_ids: set[int]) -> tuple[Region, list[Village]] | None:
    townships = Region.objects.filter(parent__code="330681000000").exclude(
        name__in=KEPT).order_by("code")
    for township in townships:
        villages = list(Village.objects.filter(township=township, pk__in=new_ids, is_active=True)
                        .select_related("township__parent", "party_branch").order_by("code"))
        backward = set(Case.objects.filter(village__in=villages).values_list("village_id",
                                                                            flat=True))
        if backward and len(villages) - len(backward) >= 2:
            return township, villages
    return None


def _staff_new_village(builder, village: Village, members: int) -> None:
    PartyBranch.objects.create(village=village, name=f"{village.name}党支部",
                               member_count=members)
    person = Person.objects.create(name=person_name(builder.rng), region=village.township)
    PostAssignment.objects.create(person=person, village=village, post=Post.SECRETARY,
                                  start=SPLIT[1])


def build_lineage(builder, villages: list[Village]) -> None:
    actor = get_user_model().objects.filter(username="zhuji").first()
    found = _township({v.pk for v in villages})
    if actor is None or found is None:
        return
    township, chosen = found
    backward = set(Case.objects.filter(village__in=chosen).values_list("village_id", flat=True))
    merged = next(v for v in chosen if v.pk in backward)
    ordinary = [v for v in chosen if v.pk not in backward]
    stays, divided = ordinary[0], ordinary[1]
    number, day, reason = MERGER
    lineage.make_event(actor=actor, kind="merger", effective_date=day, document_number=number,
                       reason=reason, predecessors=[merged, stays], successors=[stays])
    stem = divided.name.removesuffix("村")
    halves = [NewVillage(f"{township.code[:9]}{901 + n}", f"{stem}{side}村", township)
              for n, side in enumerate("东西")]
    number, day, reason = SPLIT
    lineage.make_event(actor=actor, kind="split", effective_date=day, document_number=number,
                       reason=reason, predecessors=[divided], new_villages=halves,
                       carried_to=halves[0].code)
    members = divided.party_branch.member_count
    for n, half in enumerate(halves):
        _staff_new_village(builder, Village.objects.get(code=half.code),
                           members // 2 + (members % 2 if n == 0 else 0))
