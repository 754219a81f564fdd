"""The demo's Chinese writers: a share of Chongqing makers and of domestic retailers and
live-streamers write their profiles, product lines, offers and needs in Chinese.

The generator first builds every record in English from its own dice, then hands the records of
Chinese-writing enterprises here, where their texts are rewritten from a second, separate dice:
the structured facts (roles, places, certificates, quantities, prices) and every English record
stay exactly what they were, whatever is written in Chinese.
"""

from dataclasses import dataclass, replace
from typing import Any

from tools.demo_dice import Deck, Dice
from tools.demo_vocab import Product, Sector
from tools.demo_vocab_zh import GENERIC_SEEKS, SECTORS_ZH, translate

Record = dict[str, Any]

# fmt: off
SYLLABLES = {
    "Hong": "鸿", "Sheng": "盛", "Jin": "金", "Yu": "渝", "Tian": "天", "Fu": "福", "Xin": "鑫",
    "Da": "大", "Rui": "瑞", "Feng": "丰", "Hua": "华", "Long": "龙", "Kang": "康", "Tai": "泰",
    "Heng": "恒", "Xiang": "祥", "Bao": "宝", "Li": "利", "Ming": "明", "Yuan": "源", "Cheng": "诚",
    "Shun": "顺", "Jia": "佳", "Hai": "海", "Wei": "威", "Zhong": "中", "Chuan": "川", "Qing": "庆",
    "Ba": "巴", "Shan": "山", "Jiang": "江", "De": "德", "An": "安", "Kai": "凯", "Run": "润",
    "Hao": "豪", "Yi": "益", "Tong": "通", "Xing": "兴", "Guang": "光", "Mei": "美", "Yao": "耀",
    "Chang": "昌", "Sen": "森",
}
SURNAMES = {
    "Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨", "Huang": "黄",
    "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Xu": "徐", "Sun": "孙", "Ma": "马", "Zhu": "朱",
    "Hu": "胡", "Guo": "郭", "He": "何", "Luo": "罗", "Tan": "谭", "Deng": "邓", "Ran": "冉",
    "Mou": "牟",
}
GIVEN = {
    "Wei": "伟", "Fang": "芳", "Jing": "静", "Lei": "磊", "Min": "敏", "Yan": "燕", "Qiang": "强",
    "Hui": "慧", "Tao": "涛", "Xia": "霞", "Jun": "军", "Ling": "玲", "Peng": "鹏", "Yun": "云",
    "Bo": "波", "Xin": "欣", "Hao": "浩", "Yue": "悦", "Xiaoli": "小丽", "Jianguo": "建国",
}
DISTRICTS = {  # Chongqing districts and counties where the demo's makers sit
    "Banan": "巴南区", "Beibei": "北碚区", "Bishan": "璧山区", "Changshou": "长寿区",
    "Dadukou": "大渡口区", "Dazu": "大足区", "Fengdu": "丰都县", "Fengjie": "奉节县",
    "Fuling": "涪陵区", "Jiangbei": "江北区", "Jiangjin": "江津区", "Jiulongpo": "九龙坡区",
    "Kaizhou": "开州区", "Liangjiang": "两江新区", "Nan'an": "南岸区", "Nanchuan": "南川区",
    "Rongchang": "荣昌区", "Shapingba": "沙坪坝区", "Shizhu": "石柱县", "Tongliang": "铜梁区",
    "Tongnan": "潼南区", "Wanzhou": "万州区", "Xiushan": "秀山县", "Xiyong": "西永微电园",
    "Yongchuan": "永川区", "Yubei": "渝北区", "Yuzhong": "渝中区", "Zhongxian": "忠县",
}
CITIES = {
    "Chongqing": "重庆", "Chengdu": "成都", "Guiyang": "贵阳", "Wuhan": "武汉", "Xi'an": "西安",
    "Kunming": "昆明", "Shanghai": "上海", "Beijing": "北京", "Guangzhou": "广州",
    "Shenzhen": "深圳",
    "Hangzhou": "杭州", "Nanjing": "南京", "Changsha": "长沙", "Zhengzhou": "郑州", "Yiwu": "义乌",
}
MARKETS = {
    "Australia": "澳大利亚", "Bangladesh": "孟加拉国", "Brazil": "巴西", "Canada": "加拿大",
    "Chile": "智利", "Colombia": "哥伦比亚", "Egypt": "埃及", "France": "法国", "Germany": "德国",
    "Hungary": "匈牙利", "India": "印度", "Indonesia": "印度尼西亚", "Italy": "意大利",
    "Japan": "日本", "Kazakhstan": "哈萨克斯坦", "Kenya": "肯尼亚", "Malaysia": "马来西亚",
    "Mexico": "墨西哥", "Morocco": "摩洛哥", "Netherlands": "荷兰", "Nigeria": "尼日利亚",
    "Pakistan": "巴基斯坦", "Peru": "秘鲁", "Philippines": "菲律宾", "Poland": "波兰",
    "Russia": "俄罗斯", "Saudi Arabia": "沙特阿拉伯", "Singapore": "新加坡", "South Korea": "韩国",
    "Spain": "西班牙", "Thailand": "泰国", "Turkey": "土耳其", "UAE": "阿联酋",
    "United Kingdom": "英国", "United States": "美国", "Uzbekistan": "乌兹别克斯坦",
    "Vietnam": "越南",
}
CERTS = {  # how a Chinese profile names a certificate; the rest keep their Latin names
    "GACC export registration": "海关出口食品企业备案",
    "GACC registered orchard": "海关出口果园备案",
    "FDA registration": "美国FDA注册", "organic": "有机认证", "EU organic": "欧盟有机认证",
    "Halal": "清真认证", "Kosher": "犹太洁食认证", "EU pesticide MRL compliant": "欧盟农残标准",
    "amfori BSCI": "BSCI验厂", "EPA certified engines": "EPA发动机认证",
    "EEC type approval": "欧盟EEC认证", "WEEE registration": "WEEE注册",
    "Responsible Care": "责任关怀", "Rainforest Alliance": "雨林联盟认证",
}
MAKER_NAMES = ("重庆{b}{w}有限公司", "重庆{b}{w}有限公司", "重庆市{b}{w}有限责任公司",
               "重庆{d}{b}{w}有限公司", "重庆{b}{w}股份有限公司", "重庆{b}{w}集团有限公司")
MAKER_OPENERS = (
    "{name}成立于{year}年，位于重庆市{place}，专业生产{label}。",
    "{short}始创于{year}年，坐落在重庆{place}，是一家集研发、生产、销售于一体的{label}企业。",
    "公司地处重庆{place}，现有员工{staff}人，主营{label}。",
    "{short}是{place}本土{label}生产企业，{year}年建厂，员工约{staff}人。",
    "我司创建于{year}年，位于重庆{place}工业园区，专注{label}的研发与生产。",
    "{name}是一家专业从事{label}生产的民营企业，总部位于重庆{place}。",
    "{short}前身为{place}一家国营老厂，{year}年改制，现主营{label}。",
    "作为{place}{label}龙头企业之一，{short}自{year}年起深耕行业。",
)
RANGE_LINES = ("主要产品有{items}。", "产品涵盖{items}等。", "主营{items}。", "拳头产品为{items}。",
               "公司产品包括{items}。")
CAPACITY_LINES = ("年产能约{cap}{unit}。", "现有生产线年设计产能{cap}{unit}。",
                  "去年产量接近{cap}{unit}。", "年产{cap}{unit}。")
EXPORT_LINES = ("出口已有{years}年，主要销往{markets}。", "产品远销{markets}等国家和地区。",
                "外销约占销售额的{share}%，市场包括{markets}。",
                "拥有{years}年出口经验，主要市场为{markets}。", "常年向{markets}发货。")
DOMESTIC_LINES = ("目前产品以内销为主，正在积极开拓海外市场。",
                  "此前客户均为国内经销商，这是我们第一次参加有外商的展会。",
                  "产品主要供应国内商超和经销商，希望新增出口渠道。")
CERT_LINES = ("持有{certs}等资质。", "质量体系与资质：{certs}。", "已取得{certs}。",
              "获得{certs}等资质证书。")
SEEK_LINES = ("希望对接{a}，以及{b}。", "诚邀{a}洽谈合作，也欢迎{b}。", "寻找合作伙伴：{a}、{b}。",
              "本次展会重点寻找{a}。", "期待结识{a}，特别是{b}。")
SAMPLE_LINES = ("免费提供样品，快递费由买方承担。", "一周内可寄样。", "支持OEM包装。",
                "欢迎贴牌合作。", "展会期间欢迎来厂参观。", "")
OFFER_TITLES = ("{alias}，{feature}", "{alias}，起订量{moq}", "{place}工厂直供{alias}",
                "OEM代工{alias}：{feature}", "{alias}：{price}{currency}/{unit}",
                "出口品质{alias}，现货{avail}", "{place}{alias}，外贸内销均可")
OFFER_CERT_TITLES = ("{cert}认证{alias}，可供{avail}", "{alias}（{cert}），{feature}")
OFFER_OPENERS = (
    "我司{place}工厂生产的{alias}现接受订单。", "{short}供应{alias}（{feature}）。",
    "出口品质{alias}，现开放内销渠道。", "工厂直供：{alias}。", "{alias}现货及定制均可。",
    "{alias}：{feature}，自有质检体系把关。", "{short}有富余产能承接{alias}订单。",
    "{alias}已出口海外，现诚招新客户。",
)
PRICE_LINES = ("单价{price}{currency}/{unit}，起订量{moq}。",
               "{price}{currency}每{unit}起，最小起订量{moq}。",
               "起订量{moq}，单价{price}{currency}/{unit}，量大从优。")
LEAD_LINES = ("付定金后{days}天交货。", "{days}天内发货。", "{days}天后可排产。",
              "样品确认后{days}天出货。")
CURRENCIES = {"USD": "美元", "CNY": "元", "EUR": "欧元"}
# fmt: on


@dataclass(frozen=True)
class BuyerKindZh:
    label: str
    names: tuple[str, ...]  # patterns over {b} brand and {city}
    scale: str  # over {n}
    notes: tuple[str, ...]
    purposes: tuple[str, ...]


# fmt: off
BUYER_KINDS: dict[str, BuyerKindZh] = {
    "supermarket": BuyerKindZh(
        "连锁超市", ("{city}{b}超市连锁有限公司", "{city}{b}生鲜超市有限公司",
                     "{b}商业连锁有限公司"),
        "旗下拥有{n}家门店",
        ("在旗舰店开设了出口转内销专区", "设有“外贸优品”专柜", "每月举办出口品牌回家品鉴周",
         "通过自有APP一小时送达"),
        ("出口转内销专区", "超市自有品牌", "春节年货促销")),
    "ecommerce": BuyerKindZh(
        "电商企业", ("{city}{b}电子商务有限公司",
                     "{city}{b}网络科技有限公司"), "运营{n}家线上旗舰店",
        ("在各大电商平台销售外贸优品", "在平台店铺开设“外贸品质”频道", "自建仓储和末端配送"),
        ("线上旗舰店", "双十一大促", "平台店铺上新")),
    "live": BuyerKindZh(
        "直播电商机构", ("{city}{b}文化传媒有限公司",
                         "{city}{b}直播电商有限公司"), "签约了{n}名主播",
        ("每晚直播销售工厂直供的外贸好货", "节庆期间单场直播卖出大量零食和调味品",
         "深入工厂拍摄产品溯源短视频"),
        ("直播带货", "直播专场", "主播选品")),
}
BUYER_OPENERS = (
    "{name}是{city}的一家{label}，{scale}，{note}。", "{short}总部位于{city}，{scale}，{note}。",
    "{short}成立于{year}年，是{city}知名{label}，{scale}。",
    "作为{city}本土{label}，{short}{scale}，近年来{note}。",
)
SOURCING_LINES = ("本次展会采购{items}。", "当前重点采购品类：{items}。",
                  "为下一季寻找{items}供应商。", "希望新增{items}的源头工厂。")
NEED_TITLES = ("求购{alias}，{qty}{freq}", "采购{alias}用于{purpose}", "急采{alias}（{qty}）",
               "{purpose}：寻找{alias}供应商", "诚征{alias}源头工厂，首单{qty}",
               "{alias}{qty}{freq}，{purpose}")
NEED_CERT_TITLES = ("求购{cert}认证{alias}，{qty}", "求购{alias}，需{cert}资质")
NEED_OPENERS = (
    "我们正在为{purpose}采购{alias}。", "{short}（{city}）寻找{alias}源头工厂。",
    "年需求量约{annual}{unit}，首批订单{qty}。", "首单{qty}{alias}，后续长期返单。",
    "计划下季度上架{alias}，用于{purpose}。", "我们的顾客一直在问{alias}，首批需要{qty}。",
    "现有{alias}供应商无法满足需求，寻找替代工厂。",
)
SPEC_LINES = ("要求：{f}。", "优先考虑：{f}。", "须满足：{f}。")
REQUIRE_LINES = ("供应商须具备{certs}。", "仅限持有{certs}的工厂。")
DELIVERY = ("送货至我司{city}仓库。", "{city}到货含税价。", "分批送往各区域仓。")
TERMS = ("月结60天。", "平台担保交易。", "首批可接受代销。", "款到发货。",
         "30%定金，余款见货付清。")
# fmt: on


@dataclass
class Voice:
    """How a Chinese-writing enterprise names itself and its goods in its needs and offers."""

    short: str
    city: str  # the Chinese name of its district or city
    products: dict[str, Product]  # English product name -> the line it lists in Chinese
    purposes: tuple[str, ...] = ()


def _join(items: list[str]) -> str:
    return "、".join(items)


def _certs(certs: list[str]) -> str:
    return _join([CERTS.get(c, c) for c in certs])


def _brand(short: str) -> str:
    """鸿盛 for "Chengdu Hongsheng-Mart": the generator's brands are two syllables of
    vocab.SYLLABLES, one word of the English short name."""
    for word in short.replace("-", " ").split():
        for first, char in SYLLABLES.items():
            rest = word.removeprefix(first).capitalize()
            if word.startswith(first) and rest in SYLLABLES:
                return char + SYLLABLES[rest]
    raise ValueError(f"no demo brand in {short!r}")


def _short_place(place: str) -> str:
    """涪陵 for 涪陵区, 两江 for 两江新区, as company names shorten them; 忠县 stays 忠县."""
    for suffix in ("新区", "微电园", "区", "县"):
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            return place.removesuffix(suffix)
    return place


def _person(name: str) -> str:
    surname, given = name.split(" ", 1)
    return SURNAMES[surname] + GIVEN[given]


class ChineseWriter:
    """Rewrites the records of Chinese-writing enterprises from its own dice."""

    def __init__(self, seed: int, names: set[str]) -> None:
        self.rng = Dice(seed * 7919 + 11)  # a stream of its own, apart from the generator's
        self.names = names  # every enterprise name so far, shared with the generator
        self.decks: dict[str, Deck[bool]] = {}

    def writes_maker(self, sector: Sector, region: str) -> bool:
        """About a third of Chongqing makers write Chinese: every second food maker (more often
        domestic sellers), every fourth of the others, dealt per sector so each has its share."""
        if region != "Chongqing":
            return False
        if sector.key not in self.decks:
            share = (True, False) if sector.group == "food" else (True, False, False, False)
            self.decks[sector.key] = Deck(self.rng, share)
        return self.decks[sector.key].deal()

    def writes_buyer(self, kind: str) -> bool:
        return kind in BUYER_KINDS and self.rng.chance(0.35)

    def _unique(self, patterns: tuple[str, ...], **slots: str) -> str:
        name = ""
        for _ in range(4):
            name = self.rng.pick(patterns).format(**slots)
            if name not in self.names:
                break
        else:
            name = f"{name.removesuffix('有限公司')}{len(self.names) + 1}号有限公司"
        self.names.add(name)
        return name

    def maker(
        self, record: Record, sector: Sector, products: list[Product], short: str, founded: int
    ) -> Voice:
        """Rewrite a maker's record in Chinese (in place); its voice for its offers."""
        rng, zh = self.rng, SECTORS_ZH[sector.key]
        brand, word = _brand(short), rng.pick(zh.words)
        place = DISTRICTS[record["city"]]
        district = _short_place(place)
        name = self._unique(MAKER_NAMES, b=brand, w=word, d=district)
        short = brand + word
        lines = {p.name: self._listed(translate(p)) for p in products}
        if zh.extras and len(lines) < 3 and rng.chance(0.5):
            extra = self._listed(rng.pick(zh.extras))
            lines[extra.name] = extra
        staff = f"{rng.between(4, 400) * 10:,}"
        slots = {"name": name, "short": short, "year": str(founded), "place": place}
        slots |= {"label": zh.label, "staff": staff}
        text = [rng.pick(MAKER_OPENERS).format(**slots)]
        text.append(
            rng.pick(RANGE_LINES).format(items=_join([p.aliases[0] for p in lines.values()]))
        )
        text += [s + "。" for s in rng.some(zh.strengths, rng.between(1, 2))]
        if record["annual_capacity"] and rng.chance(0.8):
            capacity = f"{int(record['annual_capacity']):,}"
            text.append(rng.pick(CAPACITY_LINES).format(cap=capacity, unit=zh.unit))
        if markets := [MARKETS[m] for m in record["export_markets"]]:
            line = rng.pick(EXPORT_LINES)
            years, share = record["years_exporting"], rng.between(1, 9) * 10
            text.append(line.format(years=years, markets=_join(markets), share=share))
        else:
            text.append(rng.pick(DOMESTIC_LINES))
        if record["certifications"]:
            text.append(rng.pick(CERT_LINES).format(certs=_certs(record["certifications"])))
        seeks = rng.some(zh.seeks + GENERIC_SEEKS, 2)
        record |= {
            "name": name,
            "description": "".join(text),
            "looking_for": rng.pick(SEEK_LINES).format(a=seeks[0], b=seeks[1]),
            "contact_name": _person(record["contact_name"]),
            "product_lines": [self._line(p) for p in lines.values()],
        }
        return Voice(short, place, lines)

    def _listed(self, product: Product) -> Product:
        """Chinese makers often leave the HS code out: the heading bridge has to find it."""
        return replace(product, hs_code="") if self.rng.chance(0.4) else product

    def _line(self, product: Product) -> Record:
        rng = self.rng
        features = rng.some(product.features, min(2, len(product.features)))
        text = "；".join(features) + "。" + rng.pick(SAMPLE_LINES)
        return {"name": product.name, "hs_code": product.hs_code or None, "description": text}

    def buyer(self, record: Record, kind: str, sectors: list[Sector], short: str) -> Voice:
        """Rewrite a domestic retailer's or live-streamer's record in Chinese (in place)."""
        rng, zh = self.rng, BUYER_KINDS[kind]
        city = CITIES[record["city"]]
        brand = _brand(short)
        name = self._unique(zh.names, b=brand, city=city)
        short = name.removesuffix("有限公司").removeprefix(city)
        scale = zh.scale.format(n=f"{rng.between(3, 40) * 10}")
        slots = {"name": name, "short": short, "city": city, "label": zh.label, "scale": scale}
        slots |= {"note": rng.pick(zh.notes), "year": str(rng.between(1998, 2021))}
        items = _join([translate(s.products[0]).aliases[0] for s in sectors])
        record |= {
            "name": name,
            "description": rng.pick(BUYER_OPENERS).format(**slots),
            "looking_for": rng.pick(SOURCING_LINES).format(items=items),
            "contact_name": _person(record["contact_name"]),
        }
        return Voice(short, city, {}, zh.purposes)

    def need(self, record: Record, buyer: Voice, sector: Sector, product: Product) -> Record:
        """A Chinese buyer's need: the English need's facts, its words in Chinese."""
        rng, zh = self.rng, SECTORS_ZH[sector.key]
        listed = translate(product)
        certs: list[str] = record["required_certifications"]
        qty = f"{int(record['quantity']):,}{zh.unit}"
        slots = {
            "alias": rng.pick(listed.aliases),
            "qty": qty,
            "freq": "/月" if sector.group == "food" and rng.chance(0.4) else "",
            "purpose": rng.pick(buyer.purposes),
            "cert": CERTS.get(certs[0], certs[0]) if certs else "",
            "short": buyer.short,
            "city": buyer.city,
            "annual": f"{int(record['quantity']) * rng.between(4, 12):,}",
            "unit": zh.unit,
        }
        titles = NEED_CERT_TITLES if certs and rng.chance(0.5) else NEED_TITLES
        text = [
            rng.pick(NEED_OPENERS).format(**slots),
            rng.pick(SPEC_LINES).format(f=rng.pick(listed.features)),
        ]
        if certs:
            text.append(rng.pick(REQUIRE_LINES).format(certs=_certs(certs)))
        text += [rng.pick(DELIVERY).format(city=buyer.city), rng.pick(TERMS)]
        return record | {
            "title": rng.pick(titles).format(**slots),
            "description": "".join(text),
            "product": listed.name,
            "hs_code": None if rng.chance(0.5) else product.hs_code,
        }

    def offer(self, record: Record, seller: Voice, sector: Sector, product: Product) -> Record:
        """A Chinese maker's offer of the line it lists for `product` (same facts and price)."""
        rng, zh = self.rng, SECTORS_ZH[sector.key]
        listed = seller.products[product.name]
        price = record["price"]
        certs: list[str] = record["certifications"]
        feature = rng.pick(listed.features)
        slots = {
            "alias": rng.pick(listed.aliases),
            "feature": feature,
            "moq": f"{int(record['moq']):,}{zh.unit}",
            "place": seller.city,
            "short": seller.short,
            "price": f"{price:,.2f}" if price < 100 else f"{price:,.0f}",
            "currency": CURRENCIES[record["currency"]],
            "unit": zh.unit,
            "avail": f"{int(record['available_quantity']):,}{zh.unit}",
            "cert": CERTS.get(certs[0], certs[0]) if certs else "",
            "days": rng.pick((7, 10, 15, 20, 25, 30, 45)),
        }
        titles = OFFER_CERT_TITLES if certs and rng.chance(0.4) else OFFER_TITLES
        text = [rng.pick(OFFER_OPENERS).format(**slots)]
        if more := [f for f in listed.features if f != feature]:
            text.append(rng.pick(more) + "。")
        text.append(rng.pick(PRICE_LINES).format(**slots))
        text.append(rng.pick(LEAD_LINES).format(**slots))
        if certs:
            text.append(rng.pick(CERT_LINES).format(certs=_certs(certs)))
        text.append(rng.pick(SAMPLE_LINES))
        return record | {
            "title": rng.pick(titles).format(**slots),
            "description": "".join(text),
            "product": listed.name,
            "hs_code": listed.hs_code or None,
        }
