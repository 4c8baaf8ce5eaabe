"""The problem types the report names (软 乱 散 弱, and Yuyao's nine types with their words).

The rows are written out here rather than imported from a live module, so this migration keeps
loading exactly these rows whatever later code says.
"""

from django.db import migrations

# (code, group, order, word, name, remedy)
PROBLEM_TYPES = [
    ("soft", "classification", 1, "软", "班子软弱", "调整配强班子，选派第一书记"),
    ("chaotic", "classification", 2, "乱", "矛盾纠纷多、信访突出", "化解矛盾纠纷，处理信访"),
    ("scattered", "classification", 3, "散", "管理无序",
     "联席会议、民主决策、党务村务财务公开、联签联章"),
    ("weak", "classification", 4, "弱", "集体经济薄弱", "拓宽增收渠道"),
    ("lax_organization", "yuyao", 1, "调", "组织涣散", "调整班子，诫勉谈话"),
    ("chaotic_assets", "yuyao", 2, "督", "三资混乱", "离任必审、任期必审，清收资金"),
    ("autocratic_decisions", "yuyao", 3, "议", "决策专断", "阳光村务八步工作法"),
    ("weak_economy", "yuyao", 4, "扶", "经济薄弱", "分档补助，村企结对，结对共建项目"),
    ("legacy_problems", "yuyao", 5, "疏", "问题遗留", "领导接访，认领化解遗留问题"),
    ("interest_imbalance", "yuyao", 6, "蹲", "利益失衡", "一村一领导一单位工作组驻村蹲点"),
    ("loose_membership", "yuyao", 7, "激", "基础松散", "党员群众评议，八种行为一票否决，五亮制度"),
    ("missing_services", "yuyao", 8, "包", "服务缺位", "党员责任区，每名党员联系不少于10户"),
    ("no_successors", "yuyao", 9, "育", "后继乏人", "每村培养2至3名后备干部"),
]


def load(apps, schema_editor):
    ProblemType = apps.get_model("casework", "ProblemType")
    for code, group, order, word, name, remedy in PROBLEM_TYPES:
        ProblemType.objects.update_or_create(
            code=code, defaults={"group": group, "order": order, "word": word, "name": name,
                                 "remedy": remedy})


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
