"""The defaults a new station starts with: its service catalogue and the standard it is built to.

Seed 003 (小店区) speaks of “6 个大类 37 项服务事项清单” and “40 项民生服务帮办代办事项” at the grid
micro-stations, and names three of the six categories (基层党建、便民服务、重点人群管理) without listing
the items. The other three categories and the items below are the usual contents of such lists in
community service catalogues; they are a default that each station edits, not a rule. 37 items in all.
"""

DEFAULT_CATALOGUE: list[tuple[str, list[str]]] = [
    ("基层党建", ["党员组织关系转接咨询", "党费收缴", "在职党员双报到登记", "流动党员报到", "主题党日活动", "党员志愿服务认领"]),
    ("便民服务", ["居住证办理代办", "社保卡申领代办", "医保参保缴费代办", "水电气缴费协助", "老年优待证代办",
                  "高龄津贴申领代办", "证明材料开具指引"]),
    ("重点人群管理", ["独居老人定期探访", "残疾人证申领代办", "困难家庭救助申请代办", "退役军人优待证代办",
                      "特殊人群关爱帮扶", "留守儿童关爱"]),
    ("矛盾纠纷调解", ["邻里纠纷调解", "物业纠纷调解", "家庭纠纷调解", "法律咨询预约", "信访事项代办"]),
    ("就业与社会保障", ["就业信息推送", "灵活就业登记代办", "失业登记代办", "技能培训报名", "养老保险认证协助",
                        "低保申请代办", "临时救助申请代办"]),
    ("文体与志愿服务", ["图书借阅", "文体活动场地预约", "志愿者注册", "微心愿征集", "四点半课堂", "健康义诊"]),
]

# “四有” (seed 003): the micro-stations' standard, in the seed's words.
FOUR_HAVES = [
    ("sign", "有统一标识"),
    ("org_chart", "有组织架构"),
    ("duty_list", "有职责清单"),
    ("service_list", "有服务清单"),
]

# “六有” (seed 003: the 171 红色阵地 are built to it) is named but not listed in the seeds; these six
# are the common wording of such standards and can be changed here without a migration.
SIX_HAVES = [
    ("venue", "有固定场所"),
    ("sign", "有统一标识"),
    ("staff", "有服务队伍"),
    ("rules", "有工作制度"),
    ("facilities", "有服务设施"),
    ("activities", "有经常性活动"),
]

STANDARDS = {"four": FOUR_HAVES, "six": SIX_HAVES}


def items_of(standard: str) -> list[tuple[str, str]]:
    return STANDARDS.get(standard, FOUR_HAVES)


def label_of(standard: str, code: str) -> str:
    return dict(items_of(standard)).get(code, code)
