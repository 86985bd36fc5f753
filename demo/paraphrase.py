"""A day of complaints with paraphrased groups (issue 19, part 3): the same issue
told by different customers in different words, with typos and in another
order, among unrelated complaints, each labelled with its group. What the
near-duplicate check (complaints/services/grouping.py) is measured on.

An *issue* is a kind of problem and its facts (the branch whose ATM swallows
cards, the wealth product not paid out, the merchant that charged twice…). A
group's complaints share the issue's facts and say it each their own way: one
of the kind's phrasings, the customer's own details (amount, time, how long
they waited), a greeting and a request or none, clauses in another order, now
and then a typo. Unrelated complaints are every other kind of complaint a
branch receives, each with its own details, and the same kinds of problem with
other facts (another branch's ATM): the hard cases.

Everything is drawn from one seed, so a day is the same on every run.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

BRANCHES = ["天河路", "体育西路", "珠江新城", "五羊新城", "东山口", "北京路", "江南西", "客村", "员村", "石牌桥",
            "岗顶", "龙口西", "华景新城", "黄埔大道", "番禺市桥", "大石", "新港东", "芳村", "西村", "白云大道",
            "同和", "嘉禾望岗", "花都新华", "增城荔城", "从化街口", "南沙金洲", "萝岗", "科学城", "琶洲", "赤岗"]
PRODUCTS = ["稳盈", "安享", "鑫利", "月月盈", "季季丰", "天天利", "聚财宝", "添金", "恒升", "睿远", "悦享",
            "金钥匙", "乾元", "如意宝", "长盈", "惠享", "利多多", "安心盈", "招财", "普惠"]
MERCHANTS = ["华联超市", "美宜佳便利店", "百佳超市", "天虹商场", "永辉超市", "国美电器", "苏宁易购", "太平洋咖啡",
             "真功夫", "大润发", "新华书店", "屈臣氏", "万达影城", "中石化加油站", "如家酒店", "肯德基", "麦当劳",
             "钱大妈", "海底捞", "名创优品"]
CARDS = ["白金卡", "金卡", "青年卡", "车主卡", "商旅卡", "联名卡", "标准卡", "留学卡"]
APPS = ["手机银行", "网上银行", "微信小程序", "云闪付"]
WAITS = ["等了两天", "已经三天了", "一个星期了", "好几天", "到现在", "至今"]
TIMES = ["今天上午", "今天早上", "今天中午", "今天下午", "今天九点多", "今天十点左右", "今天午饭后"]
GREETINGS = ["", "", "", "您好，", "你好，", "我要投诉，", "客户来电反映：", "客户到柜台反映：", "我想反映个问题，"]
ASKS = ["", "", "请尽快处理", "要求尽快解决", "希望银行给个说法", "要求给出书面答复", "请相关部门核实", "不解决就向监管投诉",
        "希望尽快回复"]
# Words a customer may say another way: each is swapped for the other now and then.
SYNONYMS = [("银行卡", "储蓄卡"), ("吞了", "吃了"), ("没有", "未"), ("至今", "到现在"), ("要求", "希望"), ("尽快", "马上"),
            ("取款机", "ATM机"), ("退还", "退回"), ("到期", "期满"), ("兑付", "兑现"), ("本金", "本钱"),
            ("扣款", "扣钱"), ("重复", "多次"), ("显示失败", "提示失败"), ("转账", "汇款"), ("年费", "卡费"),
            ("承诺", "保证"), ("系统故障", "系统出问题"), ("无法", "不能"), ("验证码", "校验码"), ("工作人员", "柜员"),
            ("处理", "解决"), ("已经", "都"), ("一直", "始终")]
# Characters mistyped for another of the same sound (拼音输入的同音字).
TYPOS = {"行": "形", "卡": "咔", "款": "欵", "理": "里", "财": "才", "钱": "前", "到": "道", "账": "帐", "已": "以",
         "在": "再", "期": "其", "息": "熄", "费": "废", "还": "换", "时": "是", "机": "几", "付": "附", "扣": "叩"}


def _money(rng) -> str:
    return f"{rng.choice([58, 99, 128, 199, 260, 300, 399, 500, 680, 888, 1200, 1999, 2500, 3600, 5000, 8800])}元"


# Each kind: the facts an issue of it has, and its phrasings ({fact}s; {money}, {wait}, {time} are each customer's).
KINDS = {
    "atm": ({"branch": BRANCHES}, [
        "{branch}支行的ATM机把我的银行卡吞了，{wait}还没有退还，要求尽快取回卡片",
        "{time}在{branch}支行ATM上取钱，卡被机器吞掉了，{wait}没人处理",
        "我在{branch}支行自助取款机取款时银行卡被吞，{wait}未退还",
        "{branch}支行的取款机吞卡，{wait}没有工作人员处理，希望尽快把卡还给我",
        "{branch}支行ATM吞卡，取款{money}没取出来卡也没了，{wait}没有答复",
    ]),
    "wealth": ({"product": PRODUCTS, "n": [str(i) for i in range(1, 10)]}, [
        "购买的{product}{n}号理财产品到期后未按时兑付，本金{money}至今没有到账",
        "{product}{n}号理财到期{wait}还不兑付，要求马上返还本金和收益",
        "我买的理财{product}{n}号已经到期，钱一直没回到账户，{wait}",
        "{product}{n}号理财产品到期未兑付，客户经理说不清楚原因，本金{money}",
        "理财产品{product}{n}号到期了没有按时兑付本息，打客服也没用",
    ]),
    "pos": ({"merchant": MERCHANTS, "branch": BRANCHES}, [
        "在{branch}的{merchant}刷卡消费{money}，被重复扣款两次",
        "{merchant}{branch}店POS机重复扣款，一笔{money}扣了两遍，要求退回多扣的钱",
        "{time}在{merchant}（{branch}店）付款{money}，银行扣了两次钱",
        "{merchant}{branch}店刷卡被扣两次款，{wait}多扣的{money}还没退",
    ]),
    "transfer": ({"app": APPS, "bank": ["工商银行", "农业银行", "中国银行", "建设银行", "交通银行", "邮储银行", "招商银行",
                                     "浦发银行", "中信银行", "光大银行", "民生银行", "兴业银行", "平安银行", "华夏银行",
                                     "广发银行", "广州银行", "农商银行", "北京银行", "上海银行", "宁波银行"]}, [
        "{time}用{app}往{bank}账户转账{money}显示失败，但钱已经扣了",
        "{app}跨行转到{bank}失败却扣了{money}，{wait}没退回",
        "用{app}给家人{bank}的卡转{money}，提示交易失败，账户余额却少了",
        "在{app}转账到{bank}报错，显示失败，钱被扣走{money}没到对方账户",
    ]),
    "annual_fee": ({"card": CARDS, "product": PRODUCTS}, [
        "{product}{card}年费未经同意被扣收{money}，办卡时说免年费",
        "办{product}{card}时承诺终身免年费，现在扣了年费{money}",
        "我的{product}{card}被扣年费{money}，之前没有任何通知",
        "{product}{card}说好免年费却扣了{money}，要求退还",
    ]),
    "outage": ({"branch": BRANCHES}, [
        "{time}到{branch}支行办业务，系统故障办不了，等了两个小时",
        "{branch}支行系统瘫痪无法办理业务，排队{wait}也没有说法",
        "{branch}支行网点{time}系统出故障，所有业务都办不了，白跑一趟",
        "去{branch}支行办理业务遇到系统故障，工作人员只让等，没有解释",
    ]),
    "sms": ({"app": APPS, "msg": ["系统繁忙请稍后再试", "验证码发送失败", "号码状态异常请联系柜台", "网络连接超时",
                                  "短信通道维护中", "今日发送次数已达上限", "请勿频繁操作", "手机号未绑定本人账户",
                                  "安全校验未通过", "服务暂不可用"]}, [
        "{app}登录收不到短信验证码，一直提示“{msg}”，{wait}都无法操作",
        "{time}开始{app}收不到验证码，页面显示{msg}，没法转账",
        "用{app}办业务收不到短信验证码，提示{msg}，重启手机也不行",
        "{app}验证码短信收不到，屏幕上写着“{msg}”，客服让等，{wait}还是不行",
    ]),
}
# What else the customers of one issue all tell (one of these, drawn for the issue).
ISSUE_DETAILS = {
    "atm": ["大堂经理说要等{n}个工作日才能取卡", "同一台机器前面已经有人被吞卡", "机器屏幕一直显示暂停服务",
            "旁边的人说这台机器上午就坏了", "保安说钥匙在总行拿不到"],
    "wealth": ["销售时说到期{n}天内一定到账", "产品说明书上写的是保本浮动收益", "理财经理已经联系不上",
               "银行只说产品方资金周转困难", "同一批买的邻居也没拿到钱"],
    "pos": ["商户说是银行系统的问题", "收银员说机器今天一直这样", "小票上只有一笔记录", "银行客服说要商户先申请退款"],
    "transfer": ["客服说系统在升级", "对方说没有收到这笔钱", "交易记录里查不到这一笔", "换了网络再试还是一样"],
    "annual_fee": ["短信里说的是首年免年费", "客服说是系统自动扣的", "我这张卡一年都没用过", "销售人员说刷{n}次就免"],
    "outage": ["大厅里等了{n}十多个人", "工作人员说是总行系统的问题", "叫号机也停了", "连存取款都办不了"],
    "sms": ["客服说是运营商的问题", "运营商说是银行的问题", "别的短信都能收到", "{n}个家人的手机都一样"],
}

KIND_CATEGORY = {"atm": "BANK-DEBIT-CARD", "wealth": "BANK-WEALTH", "pos": "BANK-PAYMENT", "transfer": "BANK-EBANKING",
                 "annual_fee": "BANK-CREDIT-CARD", "outage": "BANK-OTHER", "sms": "BANK-EBANKING"}

# What else a branch hears in a day: one's own matter, with one's own details (a thing, what went
# wrong with it, where, when, how much, who, and what the customer asks).
THINGS = ["储蓄卡", "工资卡", "社保卡", "存折", "定期存单", "房贷", "车贷", "消费贷", "经营贷", "公积金贷款", "基金定投",
          "保险产品", "外汇账户", "ETC", "数字人民币钱包", "养老金账户", "企业账户", "贵金属", "国债", "保管箱",
          "对公转账", "跨境汇款", "信用报告", "网银U盾", "支票", "代扣水电费", "分期付款", "信用额度", "积分商城", "存款证明",
          "大额存单", "助学贷款", "装修贷", "留学汇款", "个人养老金", "黄金积存", "结构性存款", "收款码", "代发工资",
          "公务卡", "亲情账户", "电子社保卡", "储蓄国债", "外币现钞", "手机号变更", "预留印鉴", "银证转账", "医保账户"]
FAULTS = ["被无故冻结", "多扣了手续费", "办理时间太长", "工作人员态度恶劣", "利率调整没有通知", "资料被要求重复提交",
          "到账延迟", "无法办理注销", "信息填写错误导致失败", "被强制搭售其他产品", "合同条款与宣传不一致",
          "密码被重置", "出现不明扣款", "审批迟迟没有结果", "解押手续一直办不了", "被告知需要本人到开户行",
          "收费标准不透明", "电话回访时泄露了隐私", "被拒绝办理却不给理由", "预约后到网点无人接待",
          "额度被突然降低", "利息算错少给了", "提前支取被收违约金", "自动续存没经过同意", "业务被别人冒名办理",
          "纸质凭证丢失无法补办", "跨行操作被多收费用", "系统显示状态和实际不符", "客服承诺回电却没回",
          "签约时未告知风险", "对账单内容看不懂也没人解释", "线上申请被反复驳回", "办理进度查询不到",
          "扣款日期和约定不一样", "被要求购买保险才能放款", "被要求提供无关的证明材料", "人脸识别总是失败",
          "挂失后仍然被扣钱", "柜面和网上的价格不一样", "营销短信退订不了", "老人被诱导办理"]
PEOPLE = ["客户经理", "大堂经理", "柜员", "理财顾问", "客服专员", "保安", "信贷员", "网点负责人"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
OPENINGS = ["{date}在{branch}支行", "上周去{branch}支行的时候", "前几天打客服热线", "{date}通过手机银行", "我是贵行多年的老客户",
            "{date}上午到网点", "家里老人{date}去{branch}支行", "本人{date}在{branch}营业部", "单位同事推荐我来办理，",
            "前段时间", "今年{month}月份", "{date}下班后赶到{branch}支行", "{date}陪{relative}去{branch}支行",
            "{month}月初在网上", "听朋友介绍", "{date}中午趁午休去", "去年{month}月", "{date}打电话预约后",
            "上个月在{branch}分理处", "{date}在微信公众号上", "{date}替{relative}"]
EXTRAS = ["当时经办的是{person}{surname}某", "涉及金额{money}", "我已经跑了{visits}趟", "家里急等着用钱",
          "对方说是{excuse}", "已经影响到我的信用记录", "我工作忙没时间反复跑", "我有通话录音可以作证",
          "问了三个人说法都不一样", "留下的回访电话一直没人接", "网点经理也不出面解释", "合同上根本没有写这一条",
          "孩子在外地上学等着这笔钱", "之前在别的银行从来没遇到过", "排号单显示前面只有{visits}个人却等了很久",
          "短信通知和柜台说的不一致", "我{age}岁了，来回跑很不方便", "{person}让我自己打客服电话问",
          "材料我都按要求带齐了", "这已经是第{visits}次出现这种情况", "{relative}为这事急得睡不着",
          "投诉热线给的工单号一直查不到", "答应{visits}天内回复结果过期了", "我专门请了{visits}天假",
          "网点说要上报{excuse}", "手续费单据上写得很模糊", "营业时间没到就关了门", "填了{visits}张表格",
          "经办人换了{visits}个都说不清楚", "我要求查看监控被拒绝", "说明书的字小得根本看不清",
          "我在别的网点办就没有这个问题", "账户里的{money}被占用了", "对方态度还很不耐烦",
          "我每月按时还款从不逾期", "{relative}的身份证复印件也交了", "说好{date}前办完的",
          "工作人员私下推荐别的产品", "网上评价很多人遇到", "我要求调取录音被推脱"]
RELATIVES = ["母亲", "父亲", "爱人", "女儿", "儿子", "岳母", "老伴", "姐姐"]
EXCUSES = ["系统原因", "总行规定", "不归他管", "要等通知", "资料不全", "再等等", "没有权限", "月底才能办"]


def _date(rng) -> str:
    return f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


@dataclass
class Told:
    """One complaint of the day: its text, category code and group (None: unrelated)."""

    text: str
    category: str
    group: int | None


def _issue(rng, kind: str, taken: set) -> dict:
    if not _left(kind, taken):
        raise ValueError(f"No issue of kind {kind} is left to draw: ask for fewer groups.")
    slots, _ = KINDS[kind]
    while True:
        facts = {name: rng.choice(values) for name, values in slots.items()}
        key = (kind, tuple(sorted(facts.items())))
        if key not in taken:
            taken.add(key)
            return facts


def _left(kind: str, taken: set) -> bool:
    """Whether an issue of ``kind`` with facts not used yet remains (half of them at most are used)."""
    slots, _ = KINDS[kind]
    space = 1
    for values in slots.values():
        space *= len(values)
    return sum(1 for k, _ in taken if k == kind) < space // 2


def _typo(rng, text: str) -> str:
    spots = [i for i, ch in enumerate(text) if ch in TYPOS]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + TYPOS[text[i]] + text[i + 1:]


def account(rng, kind: str, facts: dict, told: set) -> str:
    """How the first customer tells an issue: one of its kind's phrasings with
    its facts, and what else its customers all tell; another issue of the kind
    is told another way (``told``: the phrasings and details used so far)."""
    _, phrasings = KINDS[kind]
    details = ISSUE_DETAILS[kind]
    ways = [(p, d) for p in range(len(phrasings)) for d in range(len(details))]
    fresh = [w for w in ways if (kind, "p", w[0]) not in told and (kind, "d", w[1]) not in told]
    fresh = fresh or [w for w in ways if (kind, w) not in told] or ways
    p, d = rng.choice(fresh)
    told.update({(kind, "p", p), (kind, "d", d), (kind, (p, d))})
    said = phrasings[p].format(**facts, money="{money}", wait="{wait}", time="{time}")
    return said + "，" + details[d].format(n=rng.choice("二三四五六七"))


def tell(rng, base: str) -> str:
    """Another customer's account of the same issue (``account``): their own
    details, some words said another way, clauses maybe in another order, a
    greeting and a request or not, and maybe a typo or two."""
    text = base.format(money=_money(rng), wait=rng.choice(WAITS), time=rng.choice(TIMES))
    for one, other in SYNONYMS:
        if rng.random() < 0.5:
            text = text.replace(one, other) if one in text else text.replace(other, one)
    clauses = text.split("，")
    if len(clauses) > 2 and rng.random() < 0.4:
        head, rest = clauses[0], clauses[1:]
        rng.shuffle(rest)
        clauses = [head, *rest] if rng.random() < 0.5 else [*rest, head]
    ask = rng.choice(ASKS)
    text = rng.choice(GREETINGS) + "，".join(clauses) + (f"，{ask}" if ask else "") + rng.choice(["。", "！", "", "。。"])
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        text = _typo(rng, text)
    return text


def unrelated(rng, matter: tuple[str, str]) -> str:
    """A complaint about one's own matter (a thing and what went wrong with it):
    an opening, the matter, one or two of the circumstances, and maybe a request."""
    slots = dict(date=_date(rng), branch=rng.choice(BRANCHES), person=rng.choice(PEOPLE),
                 surname=rng.choice(SURNAMES), excuse=rng.choice(EXCUSES), visits=rng.choice("二三四五六七八"),
                 money=_money(rng), month=rng.randint(1, 12), age=rng.randint(55, 85),
                 relative=rng.choice(RELATIVES))
    thing, fault = matter
    own = rng.choice([f"卡号尾号{rng.randint(1000, 9999)}", f"业务流水号{rng.randint(10**7, 10**8 - 1)}",
                      f"{slots['date']}{rng.randint(8, 17)}点{rng.randint(10, 59)}分", f"合同编号{rng.randint(10**5, 10**6 - 1)}"])
    parts = [rng.choice(OPENINGS).format(**slots).rstrip("，") + f"办理{thing}", fault, own,
             *(x.format(**slots) for x in rng.sample(EXTRAS, rng.choice([1, 2])))]
    ask = rng.choice(ASKS)
    return "，".join(parts) + (f"，{ask}" if ask else "") + "。"


def day(*, groups: int = 50, unrelated_count: int = 5000, seed: int = 19, sizes=(3, 15),
        like_kinds: float = 0.02) -> list[Told]:
    """A day's complaints in the order they came: ``groups`` issues told
    ``sizes`` times each (a few past the batch threshold), among
    ``unrelated_count`` unrelated ones, ``like_kinds`` of which are the same
    kinds of problem with other facts."""
    rng = random.Random(seed)
    taken: set = set()
    ways: set = set()
    told = []
    kinds = list(KINDS)
    for g in range(groups):
        kind = kinds[g % len(kinds)]
        facts = _issue(rng, kind, taken)
        base = account(rng, kind, facts, ways)
        told += [Told(tell(rng, base), KIND_CATEGORY[kind], g) for _ in range(rng.randint(*sizes))]
    categories = sorted(set(KIND_CATEGORY.values()))
    matters = [(c, t, f) for c in categories for t in THINGS for f in FAULTS]  # each told once: unrelated
    if unrelated_count > len(matters):
        raise ValueError(f"At most {len(matters)} unrelated complaints in a day.")
    matters = rng.sample(matters, unrelated_count)
    for category, thing, fault in matters:
        kind = rng.choice(kinds)
        if rng.random() < like_kinds and _left(kind, taken):
            facts = _issue(rng, kind, taken)  # the same kind of problem, another issue: told once
            said = rng.choice(KINDS[kind][1]).format(**facts, money="{money}", wait="{wait}", time="{time}")
            told.append(Told(tell(rng, said + "，" + rng.choice(EXTRAS).format(
                person=rng.choice(PEOPLE), surname=rng.choice(SURNAMES), money=_money(rng), visits="三",
                excuse=rng.choice(EXCUSES), age=rng.randint(55, 85), relative=rng.choice(RELATIVES),
                date=_date(rng))), KIND_CATEGORY[kind], None))
        else:
            told.append(Told(unrelated(rng, (thing, fault)), category, None))
    rng.shuffle(told)
    return told


def submit_day(told: list[Told], *, on: dt.date, by, check) -> dict[str, int | None]:
    """Log ``told`` through the intake (complaints.services.complaint_submit) as
    ``by`` (a front desk) on the day ``on``, from 08:30 to 18:30 in the order
    given, running ``check`` (the near-duplicate check) after each as the
    worker would; answers each case number's group (None: unrelated)."""
    from complaints import services  # demo writes through the product's own intake

    start = timezone.make_aware(dt.datetime.combine(on, dt.time(8, 30)))
    step = dt.timedelta(hours=10) / max(len(told), 1)
    labels = {}
    for i, complaint in enumerate(told):
        case = services.complaint_submit(by=by, intake=services.Intake(
            channel="phone", complainant_name="客户", complainant_phone=f"139{i:08d}", category=complaint.category,
            cause="", reason=complaint.text[:60], request="", narrative=complaint.text,
            received_at=start + step * i))
        check()
        labels[case.number] = complaint.group
    return labels


def scores(groups: dict[str, int | None], labels: dict[str, int | None]) -> dict[str, float | int]:
    """Pairwise precision and recall of the groups found (number: group found,
    None: none) against the labels: of the pairs put together, those that
    belong together; of the pairs that belong together, those put together."""
    def pairs(of):
        members: dict = {}
        for number, group in of.items():
            if group is not None:
                members.setdefault(group, []).append(number)
        return {(a, b) for ms in members.values() for i, a in enumerate(sorted(ms)) for b in sorted(ms)[i + 1:]}

    found, truth = pairs(groups), pairs(labels)
    both = len(found & truth)
    return {"precision": round(both / len(found), 4) if found else 1.0,
            "recall": round(both / len(truth), 4) if truth else 1.0,
            "pairs_found": len(found), "pairs_labelled": len(truth),
            "groups_found": len(set(g for g in groups.values() if g is not None)),
            "groups_labelled": len(set(g for g in labels.values() if g is not None))}
