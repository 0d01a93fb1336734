"""The demo's materials texts: every application writes its own (班组创建材料), so the plagiarism
scan finds only what the demo copied on purpose.

A text is drawn from a seed (the edition's year, the enterprise and the team), clause by clause:
each section joins a few clauses picked from pools of the domain's phrasing, each clause with its
own figures and names, so two applications rarely share a run of more than a few characters and
never a sentence. Two deliberate cases are written out by hand (CASES): one 2026 application
repeats two sentences of a 2024 archive document with a sentence of its own between them, and
two 2026 applications share a passage (a mutual pair: neither can be said to have copied).
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

Clause = Callable[[random.Random, str], str]

PROJECTS = [
    "杭州西站枢纽",
    "宁波栎社机场三期",
    "温州瓯江北口大桥",
    "嘉兴南湖未来广场",
    "湖州太湖图影隧道",
    "绍兴镜湖新城安置房",
    "金华轨道交通二号线",
    "衢州智造新城厂房",
    "舟山鱼山石化码头",
    "台州湾新区市民中心",
    "丽水瓯江路快速路",
    "义乌国际商贸城五区",
    "萧山国际会展中心",
    "余姚城东污水处理厂",
    "诸暨高铁新城学校",
    "临海灵湖医院门诊楼",
]
METHODS = ["PDCA循环", "排列图", "因果分析图", "关联图", "对策表", "5W1H", "头脑风暴", "系统图"]
CHINESE_DIGITS = "零一二三四五六七八九"


def _cn(number: int) -> str:
    """A small number in Chinese numerals (一 to 九十九), as materials write counts."""
    if number < 10:
        return CHINESE_DIGITS[number]
    tens, ones = divmod(number, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return head + "十" + (CHINESE_DIGITS[ones] if ones else "")


def _percent(rng: random.Random, low: int, high: int) -> str:
    value = rng.randint(low, high)
    return rng.choice([f"百分之{_cn(value)}", f"{value}%", f"{value}.{rng.randint(1, 9)}%"])


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


# Words the clauses are made of. A clause strings together words of two or three characters
# from these families, each drawn on its own: two texts share a four-character run only where two
# draws in a row agree, never a phrase, so unrelated applications come out near 0%.
VERBS = [
    "落实",
    "强化",
    "细化",
    "完善",
    "规范",
    "严抓",
    "推行",
    "坚持",
    "健全",
    "优化",
    "狠抓",
    "做实",
]
STEPS = [
    "交接",
    "验收",
    "巡检",
    "记录",
    "标识",
    "复核",
    "抽检",
    "测量",
    "交底",
    "养护",
    "旁站",
    "试验",
]
RULES = ["制度", "流程", "台账", "环节", "标准", "措施", "清单", "机制", "要点", "责任"]
PERIODS = ["每天", "每周", "每旬", "每月", "每季", "逐日", "按周", "分批"]
MEETINGS = ["讲评会", "分析会", "碰头会", "复盘会", "交流会", "推进会"]
PARTS = [
    "钢筋",
    "模板",
    "焊缝",
    "管道",
    "墙面",
    "楼板",
    "接缝",
    "预埋件",
    "桩基",
    "屋面",
    "幕墙",
    "路基",
]
FAULTS = ["偏位", "渗漏", "空鼓", "开裂", "错台", "起砂", "超差", "麻面", "松动", "积水"]
ANALYSES = ["排列图", "因果图", "关联图", "系统图", "对策表", "调查表", "直方图", "控制图"]
FINDS = ["分析", "查找", "确定", "锁定", "梳理", "验证"]
CAUSES = ["要因", "根源", "症结", "原因"]
MAKES = ["研制", "自制", "改进", "设计", "试制", "改装"]
DEVICES = ["量具", "卡具", "支架", "工装", "模具", "平台", "托架", "靠尺"]
RATES = ["合格率", "优良率", "达标率", "通过率"]
RAISES = ["提升至", "提高到", "升至", "达到"]
GAINS = ["节约", "节省", "减少", "降低"]
COSTS = ["返工费", "材料费", "人工费", "机械费", "成本"]
PROPERTIES = ["专利", "工法", "标准", "指导书", "论文"]
SPREADS = ["推广", "复制", "借鉴", "采纳", "应用"]
UNITS = ["公司", "集团", "分公司", "项目部", "全市"]
TITLES = ["工人先锋号", "优秀QC小组", "标杆班组", "工匠团队", "青年文明号", "示范岗"]
LEVELS = ["省级", "市级", "县级", "集团", "行业"]
PRAISES = ["表扬", "感谢", "肯定", "嘉奖"]
OWNERS = ["业主", "监理", "总包", "建设单位", "设计院"]
LEARNS = ["师带徒", "技能比武", "夜校", "岗位练兵", "案例教学", "现场观摩"]
GRADES = ["高级工", "技师", "中级工", "质检员", "安全员", "施工员"]
LEADERS = ["郑", "何", "沈", "蒋", "韩", "杨", "朱", "秦", "许", "吕", "曹", "严", "金", "魏"]


def _w(rng: random.Random, *families: list[str]) -> str:
    return "".join(rng.choice(family) for family in families)


# Each section's clauses: a function of the random source and the team's name.
OVERVIEW: list[Clause] = [
    lambda r, t: _pick(
        r,
        f"{t}{_pick(r, '现有', '共有', '在册')}{_cn(r.randint(8, 28))}人",
        f"{_pick(r, '全班', '本班')}{_cn(r.randint(8, 28))}名{_pick(r, '职工', '队员', '工友')}",
    ),
    lambda r, t: _pick(
        r,
        f"{_pick(r, '平均年龄', '人均')}{_cn(r.randint(29, 41))}岁",
        f"{_pick(r, '八零后', '九零后', '青年')}{_pick(r, '居多', '占半数', '挑大梁')}",
    ),
    lambda r, t: f"{_w(r, GRADES)}{_cn(r.randint(2, 7))}{_pick(r, '名', '人', '位')}",
    lambda r, t: _pick(
        r,
        f"{_pick(r, '承担', '负责', '参建')}{r.choice(PROJECTS)}",
        f"{r.choice(PROJECTS)}{_w(r, PARTS)}{_pick(r, '由其', '归其', '交给本班')}施工",
    ),
    lambda r, t: (
        f"{r.choice(LEADERS)}{_pick(r, '班长', '组长', '师傅')}{_pick(r, '从业', '带班', '扎根')}"
        f"{_cn(r.randint(12, 26))}年"
    ),
    lambda r, t: f"{_pick(r, '组建', '成立')}{_cn(r.randint(3, 12))}年{_w(r, VERBS, RULES)}",
]
MANAGEMENT: list[Clause] = [
    lambda r, t: _w(r, VERBS, STEPS, RULES),
    lambda r, t: _w(r, VERBS, STEPS, RULES),
    lambda r, t: f"{_w(r, PERIODS)}{_pick(r, '召开', '组织')}{_w(r, STEPS, MEETINGS)}",
    lambda r, t: f"{_w(r, PARTS)}{_w(r, STEPS)}{_pick(r, '留痕', '签字', '拍照', '编号')}",
    lambda r, t: (
        f"{_w(r, PERIODS)}{_w(r, STEPS)}{_cn(r.randint(2, 9))}{_pick(r, '次', '遍', '轮')}"
    ),
    lambda r, t: (
        f"设{_w(r, GRADES)}{_cn(r.randint(1, 3))}名{_pick(r, '专职', '兼职')}{_w(r, STEPS)}"
    ),
]
IMPROVEMENT: list[Clause] = [
    lambda r, t: (
        f"{_pick(r, '针对', '围绕', '聚焦')}{_w(r, PARTS, FAULTS)}{_pick(r, '问题', '通病')}"
    ),
    lambda r, t: f"{_pick(r, '运用', '借助', '采用')}{_w(r, ANALYSES)}{_w(r, FINDS, CAUSES)}",
    lambda r, t: (
        f"{_w(r, MAKES)}{_w(r, PARTS, DEVICES)}{_cn(r.randint(2, 6))}{_pick(r, '套', '件', '台')}"
    ),
    lambda r, t: f"{_w(r, RATES)}{_w(r, RAISES)}{_percent(r, 93, 99)}",
    lambda r, t: f"{_w(r, GAINS, COSTS)}{_cn(r.randint(2, 19))}万元",
    lambda r, t: f"{_pick(r, '形成', '取得', '申报')}{_w(r, PROPERTIES)}{_cn(r.randint(1, 4))}项",
    lambda r, t: f"{_pick(r, '在', '于')}{_w(r, UNITS)}{_w(r, SPREADS)}",
]
RESULTS: list[Clause] = [
    lambda r, t: f"{_w(r, PARTS)}{_w(r, RATES)}{_pick(r, '保持', '稳定在')}{_percent(r, 96, 99)}",
    lambda r, t: f"{_w(r, OWNERS)}{_pick(r, '满意度', '评分')}{_cn(r.randint(90, 99))}分",
    lambda r, t: (
        f"{_pick(r, '连续', '累计')}{_cn(r.randint(2, 6))}年{_pick(r, '无', '零')}{_w(r, FAULTS)}"
    ),
    lambda r, t: f"{_pick(r, '获评', '荣获', '被评为')}{_w(r, LEVELS, TITLES)}",
    lambda r, t: f"{_w(r, OWNERS)}{_w(r, PRAISES)}{_cn(r.randint(1, 5))}次",
    lambda r, t: (
        f"{_w(r, LEARNS)}{_pick(r, '带出', '培养')}{_w(r, GRADES)}{_cn(r.randint(1, 6))}名"
    ),
]
# Each section's heading, said one of a few ways, and its clauses.
SECTIONS: list[tuple[tuple[str, ...], list[Clause]]] = [
    (("一、班组概况", "一、基本情况", "（一）班组简介", "一、班组简况"), OVERVIEW),
    (("二、质量管理", "二、管理举措", "（二）过程控制", "二、日常管理"), MANAGEMENT),
    (("三、改进与创新", "三、攻关创新", "（三）持续改进", "三、技术革新"), IMPROVEMENT),
    (("四、成效与荣誉", "四、取得成效", "（四）建设成果", "四、主要成绩"), RESULTS),
]


@dataclass(frozen=True)
class Materials:
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.paragraphs))


# The 2024 archive (its ZIP's rows): year, enterprise, team, experience title.
ARCHIVE_YEAR = 2024
ARCHIVE = [
    (2024, "宁波华丰建设股份有限公司", "钢结构安装班", "钢结构焊缝“三关”检查法"),
    (2024, "温州市市政工程建设开发公司", "排水管道班", "排水管道闭水试验一次合格"),
    (2024, "衢州市政园林股份有限公司", "园林绿化班", "大规格苗木移栽成活率提升"),
    (2024, "浙江德清建设有限公司", "砌体施工班", "砌体灰缝饱满度全过程控制"),
]
# The two sentences of 宁波华丰's 2024 document that a 2026 application repeats, and the
# sentence of its own the copier put between them.
COPIED = (
    "我们把焊缝质量检查拆成焊前坡口、焊中层间温度、焊后外观三道关口，每道关口由两名成员交叉签字"
    "确认，签字记录随构件编号一同存档备查。",
    "针对焊缝咬边的老问题，班组自制了带刻度的焊枪角度定位尺，并规定每焊完十米焊缝就用焊缝规抽查"
    "一次余高与宽度，数据当场记入质量日志。",
)
OWN_BETWEEN = "这两项做法在本项目高空拼装的条件下同样适用，我们只把签字的时间节点提前到了吊装之前。"
# The passage two 2026 applications share.
SHARED = (
    "班组在作业面入口设置了质量信息看板，每天收工前由当班质检员写上当日的检查点数、合格点数和"
    "整改项目，第二天班前会逐项讲评，整改项目销号后才能擦去。看板照片每周汇总上传到项目质量群，"
    "项目部据此给各班组排名，连续三周靠后的班组由项目总工带队帮扶。"
)
# Who carries them: (year, enterprise, team).
SOURCE = (2024, "宁波华丰建设股份有限公司", "钢结构安装班")
COPIER = (2026, "浙江嘉兴恒创建设有限公司", "钢结构焊接班")
MUTUAL = (
    (2026, "绍兴市城建集团有限公司", "路基路面班"),
    (2026, "义乌市建设工程有限公司", "BIM深化设计班"),
)


def _section(rng: random.Random, clauses: list[Clause], team: str) -> str:
    """Two sentences of clauses in a random order, no clause twice (no figure said twice)."""
    chosen = rng.sample(clauses, min(len(clauses), rng.randint(5, 7)))
    middle = len(chosen) // 2
    return "".join(
        "，".join(clause(rng, team) for clause in part) + "。"
        for part in (chosen[:middle], chosen[middle:])
    )


def compose(*, year: int, enterprise: str, team: str, title: str) -> Materials:
    """The materials of one team in one edition: the same arguments, the same text."""
    key = f"{year}|{enterprise}|{team}"
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    rng = random.Random(seed)  # noqa: S311 - reproducible demo content
    # Under the title, whose it is: another application may have the same title.
    paragraphs = [f"{enterprise}　{team}"]
    for headings, clauses in SECTIONS:
        paragraphs.append(rng.choice(headings) + "。" + _section(rng, clauses, team))
    # The planted text goes between a section's two sentences: the improvement section's, and
    # for the mutual pair's second the management section's, so the two texts around the
    # shared passage differ.
    planted = {
        SOURCE: (3, COPIED[0] + COPIED[1]),
        COPIER: (3, COPIED[0] + OWN_BETWEEN + COPIED[1]),
        MUTUAL[0]: (3, SHARED),
        MUTUAL[1]: (2, SHARED),
    }.get((year, enterprise, team))
    if planted:
        index, text = planted
        heading, _stop, sentences = paragraphs[index].partition("。")
        first, _stop, second = sentences.partition("。")
        paragraphs[index] = f"{heading}。{first}。{text}{second}"
    return Materials(title=title or f"{team}质量信得过班组建设成果", paragraphs=tuple(paragraphs))


def materials_files(materials: Materials) -> tuple[bytes, bytes]:
    """The Word file and the PDF of one text: the PDF says what the Word file says, as an
    applicant's export would, so the screening's Word-and-PDF check passes on it."""
    from docx import Document as WordDocument

    from banzu.documents.model import Document as PrintedDocument
    from banzu.documents.model import Para
    from banzu.documents.render import render

    word = WordDocument()
    word.add_heading(materials.title, 0)
    for paragraph in materials.paragraphs:
        word.add_paragraph(paragraph)
    docx = io.BytesIO()
    word.save(docx)
    pdf = render(
        PrintedDocument(
            title=materials.title,
            blocks=(
                Para(materials.title, style="title"),
                *(Para(p) for p in materials.paragraphs),
            ),
        ),
        "pdf",
    )
    return docx.getvalue(), pdf
