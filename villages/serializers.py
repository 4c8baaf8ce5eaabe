from django.utils.translation import gettext as _
from rest_framework import serializers

from villages import scoping
from villages.models import AnnualGrade, PartyBranch, Region, RegionLevel, Village


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent"]


class ScopedTownshipField(serializers.PrimaryKeyRelatedField):
    """Only regions the caller can see are valid choices; others read as nonexistent."""

    def get_queryset(self):
        return scoping.visible_regions(self.context["request"].user)


class VillageSerializer(serializers.ModelSerializer):
    township = ScopedTownshipField()
    township_name = serializers.CharField(source="township.name", read_only=True)
    county = serializers.IntegerField(source="township.parent_id", read_only=True)
    county_name = serializers.CharField(source="township.parent.name", read_only=True)
    party_branch = serializers.SerializerMethodField()
    annual_grade = serializers.CharField(read_only=True, allow_null=True)
    annual_grade_year = serializers.IntegerField(read_only=True, allow_null=True)
    secretary = serializers.CharField(source="secretary_name", read_only=True, allow_null=True)
    current_color = serializers.CharField(read_only=True, allow_null=True)
    current_tier = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Village
        fields = [
            "id", "code", "name", "township", "township_name", "county", "county_name",
            "party_branch", "annual_grade", "annual_grade_year", "secretary", "current_color",
            "current_tier", "terrain",
            "population", "households", "collective_income", "income_per_head", "star_rating",
            "is_active", "merged_into",
        ]

    def get_party_branch(self, village) -> dict | None:
        branch = getattr(village, "party_branch", None)
        if branch is None:
            return None
        return {"id": branch.id, "name": branch.name, "kind": branch.kind,
                "member_count": branch.member_count}

    def to_representation(self, village):
        # The list endpoint returns up to 500 rows; building the dict directly is ~4x faster
        # than field-by-field serialization and keeps the API within 2x of a bare .values()
        # view (bench/village_list_api.py). Keys and formats are those declared above.
        township = village.township
        return {
            "id": village.id, "code": village.code, "name": village.name,
            "township": township.id, "township_name": township.name,
            "county": township.parent_id, "county_name": township.parent.name,
            "party_branch": self.get_party_branch(village),
            "annual_grade": getattr(village, "annual_grade", None),
            "annual_grade_year": getattr(village, "annual_grade_year", None),
            "secretary": getattr(village, "secretary_name", None),
            "current_color": getattr(village, "current_color", None),
            "current_tier": getattr(village, "current_tier", None),
            "terrain": village.terrain, "population": village.population,
            "households": village.households,
            "collective_income": f"{village.collective_income:.2f}",
            "income_per_head": f"{village.income_per_head:.2f}",
            "star_rating": village.star_rating, "is_active": village.is_active,
            "merged_into": village.merged_into_id,
        }

    def validate_township(self, township):
        if township.level != RegionLevel.TOWNSHIP:
            raise serializers.ValidationError(
                _("A village belongs to a township, not to a %(level)s.")
                % {"level": township.get_level_display()})
        return township

    def validate_merged_into(self, village):
        if village and not scoping.visible_villages(self.context["request"].user).filter(
                pk=village.pk).exists():
            raise serializers.ValidationError(_("Unknown village."))
        return village


# The list's read path: these columns through ``values_list()`` (annotations included; the
# warning columns are added in rectify/villages.py) and ``list_rows`` give the same keys and
# formats as ``VillageSerializer`` without a model instance and a serializer call per row: for
# a page of 500 those took two thirds of the request (bench/village_list_api.py).
LIST_COLUMNS = (
    "id", "code", "name", "township_id", "township__name", "township__parent_id",
    "township__parent__name", "party_branch__id", "party_branch__name", "party_branch__kind",
    "party_branch__member_count", "annual_grade", "annual_grade_year", "secretary_name",
    "current_color", "current_tier", "terrain", "population", "households",
    "collective_income", "income_per_head", "star_rating", "is_active", "merged_into_id",
)


def list_rows(rows) -> list[dict]:
    """API rows from ``values_list(*LIST_COLUMNS)`` tuples (a village's branch may be missing)."""
    return [{
        "id": pk, "code": code, "name": name, "township": township, "township_name": t_name,
        "county": county, "county_name": c_name,
        "party_branch": None if branch is None else {
            "id": branch, "name": b_name, "kind": b_kind, "member_count": b_members},
        "annual_grade": grade, "annual_grade_year": grade_year, "secretary": secretary,
        "current_color": color, "current_tier": tier, "terrain": terrain,
        "population": population, "households": households,
        "collective_income": f"{income:.2f}", "income_per_head": f"{per_head:.2f}",
        "star_rating": stars, "is_active": active, "merged_into": merged_into,
    } for (pk, code, name, township, t_name, county, c_name, branch, b_name, b_kind, b_members,
           grade, grade_year, secretary, color, tier, terrain, population, households, income,
           per_head, stars, active, merged_into) in rows]


class AnnualGradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualGrade
        fields = ["year", "grade"]


class PartyBranchSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    grades = AnnualGradeSerializer(many=True, read_only=True)

    class Meta:
        model = PartyBranch
        fields = ["id", "village", "village_code", "village_name", "name", "kind",
                  "member_count", "founded", "grades"]
