"""What every demo builder shares: the demo password and generated people's names."""

import random

DEMO_PASSWORD = "demo-pass-2026"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
            "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹孟熊秦邱江尹薛段雷侯史陶黎贺顾毛郝龚"
            "邵万钱严武戴莫孔汤楼俞宣斯")
GIVEN = "建国华明伟芳军平强红英杰敏峰丽勇涛静磊超燕霞刚林波海鹏飞萍志文斌辉琴云龙兰祥荣忠德宏"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given
