"""Template tables for the demo postings: places, employers, occupations and text fragments."""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    """A county-level place as postings write it, with the pieces needed to build messy text."""

    county: str  # the name exactly as in cpca's adcodes.csv
    province: str  # "贵州省"; for municipalities "天津市"
    prefecture: str  # "黔东南苗族侗族自治州"; "" for municipalities
    pref_short: str  # "黔东南州"
    prov_city_short: str  # "贵州黔东南"; "天津" for municipalities
    short: str | None  # bare short form people write ("榕江"), None when ambiguous or unusual
    towns: tuple[str, ...]  # township / street suffixes
    region: str  # "west" or "east"
    area_code: str  # landline prefix of the prefecture
    pay_mult: float  # pay level relative to a western county


def _w(county: str, prov: str, pref: str, pref_short: str, pc: str, short: str | None,
       towns: str, code: str, mult: float = 1.0) -> Place:
    return Place(county, prov, pref, pref_short, pc, short, tuple(towns.split()), "west", code, mult)


def _e(county: str, prov: str, pref: str, pref_short: str, pc: str, towns: str, code: str,
       mult: float) -> Place:
    return Place(county, prov, pref, pref_short, pc, None, tuple(towns.split()), "east", code, mult)


_QDN = ("贵州省", "黔东南苗族侗族自治州", "黔东南州", "贵州黔东南")
_GY = ("宁夏回族自治区", "固原市", "固原市", "宁夏固原")
_DX = ("甘肃省", "定西市", "定西市", "甘肃定西")
_ZT = ("云南省", "昭通市", "昭通市", "云南昭通")
_LS = ("四川省", "凉山彝族自治州", "凉山州", "四川凉山")
_GZ = ("广东省", "广州市", "广州市", "广东广州")
_XM = ("福建省", "厦门市", "厦门市", "福建厦门")
_TJ = ("天津市", "", "天津市", "天津")
_SH = ("上海市", "", "上海市", "上海")
_NB = ("浙江省", "宁波市", "宁波市", "浙江宁波")

PLACES: dict[str, Place] = {p.county: p for p in (
    _w("榕江县", *_QDN, "榕江", "古州镇 忠诚镇 寨蒿镇 平永镇 车江乡", "0855"),
    _w("从江县", *_QDN, "从江", "丙妹镇 贯洞镇 洛香镇 下江镇", "0855"),
    _w("雷山县", *_QDN, "雷山", "丹江镇 西江镇 郎德镇", "0855"),
    _w("凯里市", *_QDN, "凯里", "大十字街道 开怀街道 炉山镇 三棵树镇", "0855", 1.08),
    _w("黎平县", *_QDN, "黎平", "德凤街道 中潮镇 高屯街道", "0855"),
    _w("西吉县", *_GY, "西吉", "吉强镇 平峰镇 将台堡镇", "0954"),
    _w("隆德县", *_GY, "隆德", "沙塘镇 联财镇 陈靳乡", "0954"),
    _w("原州区", *_GY, None, "古雁街道 三营镇 开城镇", "0954", 1.05),
    _w("临洮县", *_DX, "临洮", "洮阳镇 辛店镇 八里铺镇", "0932"),
    _w("渭源县", *_DX, "渭源", "清源镇 会川镇 五竹镇", "0932"),
    _w("岷县", *_DX, None, "岷阳镇 梅川镇 西寨镇", "0932"),
    _w("镇雄县", *_ZT, "镇雄", "乌峰街道 南台街道 以勒镇", "0870"),
    _w("彝良县", *_ZT, "彝良", "角奎镇 洛泽河镇 小草坝镇", "0870"),
    _w("昭觉县", *_LS, "昭觉", "竹核镇 四开镇", "0834"),
    _w("布拖县", *_LS, "布拖", "拖觉镇", "0834"),
    _w("西昌市", *_LS, "西昌", "礼州镇 川兴镇 西郊乡", "0834", 1.1),
    _e("白云区", *_GZ, "人和镇 钟落潭镇 江高镇 石井街道", "020", 1.45),
    _e("番禺区", *_GZ, "化龙镇 南村镇 大石街道 钟村街道", "020", 1.45),
    _e("花都区", *_GZ, "狮岭镇 炭步镇 赤坭镇", "020", 1.4),
    _e("增城区", *_GZ, "新塘镇 石滩镇 仙村镇", "020", 1.4),
    _e("集美区", *_XM, "杏林街道 灌口镇 后溪镇", "0592", 1.35),
    _e("同安区", *_XM, "西柯街道 五显镇 汀溪镇", "0592", 1.3),
    _e("翔安区", *_XM, "新店街道 马巷街道 内厝镇", "0592", 1.3),
    _e("滨海新区", *_TJ, "塘沽街道 大港街道 汉沽街道", "022", 1.4),
    _e("武清区", *_TJ, "杨村街道 王庆坨镇 下朱庄街道", "022", 1.35),
    _e("西青区", *_TJ, "杨柳青镇 张家窝镇 精武镇", "022", 1.35),
    _e("松江区", *_SH, "九亭镇 泗泾镇 车墩镇", "021", 1.6),
    _e("嘉定区", *_SH, "南翔镇 安亭镇 马陆镇", "021", 1.6),
    _e("青浦区", *_SH, "华新镇 赵巷镇 徐泾镇", "021", 1.55),
    _e("北仑区", *_NB, "小港街道 大碶街道 新碶街道", "0574", 1.45),
    _e("慈溪市", *_NB, "周巷镇 观海卫镇 坎墩街道", "0574", 1.4),
    _e("余姚市", *_NB, "泗门镇 朗霞街道 梨洲街道", "0574", 1.4),
)}

# County names that also exist elsewhere in China (白云区 is also in 贵阳): always written with the city.
AMBIGUOUS = frozenset({"白云区"})


class Employer(NamedTuple):
    """A (fictional) employer, where it is, what it hires for, and the language it posts in."""

    name: str
    county: str
    occupations: tuple[str, ...]
    lang: str = "zh"


def _emp(name: str, county: str, occs: str, lang: str = "zh") -> Employer:
    return Employer(name, county, tuple(occs.split()), lang)


EMPLOYERS: tuple[Employer, ...] = (
    _emp("榕江县古州镇锦绣服装加工厂", "榕江县", "sewing cleaner"),
    _emp("榕江县宏达钢结构工程有限公司", "榕江县", "welder rebar carpenter excavator"),
    _emp("榕江县车江坝区蔬菜种植专业合作社", "榕江县", "greenhouse loader"),
    _emp("榕江县古州镇人民政府", "榕江县", "public_welfare"),
    _emp("从江县丙妹镇顺心箱包加工厂", "从江县", "sewing assembly"),
    _emp("从江县鑫源建筑劳务有限公司", "从江县", "welder mason rebar"),
    _emp("从江县贯洞镇香猪养殖专业合作社", "从江县", "livestock"),
    _emp("雷山县西江镇银球茶叶专业合作社", "雷山县", "tea"),
    _emp("雷山县西江苗寨旅游服务有限公司", "雷山县", "cook waiter cleaner"),
    _emp("凯里市顺捷快递服务有限公司", "凯里市", "express forklift driver"),
    _emp("凯里经济开发区宏远电子科技有限公司", "凯里市", "assembly forklift"),
    _emp("凯里市黔通机械制造有限公司", "凯里市", "welder assembly forklift"),
    _emp("凯里市康宁养老服务中心", "凯里市", "caregiver cleaner cook"),
    _emp("黎平县侗乡茶业有限公司", "黎平县", "tea assembly"),
    _emp("黎平县通达物流有限公司", "黎平县", "express driver loader"),
    _emp("黎平县众合建筑工程有限公司", "黎平县", "mason carpenter welder"),
    _emp("西吉县薯香农业科技有限公司", "西吉县", "greenhouse forklift assembly"),
    _emp("西吉县兴隆镇肉牛养殖专业合作社", "西吉县", "livestock"),
    _emp("西吉县恒通路桥工程有限公司", "西吉县", "excavator driver welder"),
    _emp("西吉县吉强镇人民政府", "西吉县", "public_welfare"),
    _emp("隆德县康乐养老院", "隆德县", "caregiver cleaner cook"),
    _emp("隆德县六盘山中药材种植专业合作社", "隆德县", "greenhouse"),
    _emp("隆德县城关镇家政服务中心", "隆德县", "cleaner caregiver"),
    _emp("固原市原州区通远物流有限公司", "原州区", "express forklift driver"),
    _emp("固原市六盘山建筑工程有限公司", "原州区", "welder excavator mason rebar"),
    _emp("固原市原州区回乡风味餐饮有限公司", "原州区", "cook waiter"),
    _emp("临洮县绿源蔬菜种植专业合作社", "临洮县", "greenhouse"),
    _emp("临洮县洮河建筑劳务有限公司", "临洮县", "welder mason carpenter excavator"),
    _emp("临洮县康馨护理服务中心", "临洮县", "caregiver cleaner"),
    _emp("渭源县会川镇中药材加工有限公司", "渭源县", "greenhouse assembly forklift"),
    _emp("渭源县清源镇人民政府", "渭源县", "public_welfare"),
    _emp("岷县岷归中药材有限公司", "岷县", "greenhouse loader"),
    _emp("岷县岷阳镇福满园饭店", "岷县", "cook waiter"),
    _emp("镇雄县安居装饰工程有限公司", "镇雄县", "renovation mason carpenter"),
    _emp("镇雄县鸿运建筑劳务有限公司", "镇雄县", "welder rebar excavator"),
    _emp("镇雄县阳光养老服务中心", "镇雄县", "caregiver cleaner cook"),
    _emp("彝良县洛泽河镇天麻种植专业合作社", "彝良县", "greenhouse"),
    _emp("彝良县快捷物流有限公司", "彝良县", "express driver loader"),
    _emp("昭觉县彝绣服饰加工厂", "昭觉县", "sewing"),
    _emp("昭觉县竹核镇人民政府", "昭觉县", "public_welfare"),
    _emp("布拖县拖觉镇马铃薯种植专业合作社", "布拖县", "greenhouse livestock"),
    _emp("布拖县顺路运输有限公司", "布拖县", "driver loader"),
    _emp("西昌市月城果蔬种植专业合作社", "西昌市", "greenhouse"),
    _emp("西昌市川滇货运有限公司", "西昌市", "driver forklift loader"),
    _emp("西昌市攀西钢构工程有限公司", "西昌市", "welder rebar"),
    _emp("西昌市邛海酒店管理有限公司", "西昌市", "cook cleaner waiter security"),
    _emp("广州市白云区顺达物流有限公司", "白云区", "express forklift loader driver"),
    _emp("广州市白云区人和镇金利五金制品厂", "白云区", "welder assembly"),
    _emp("Guangzhou Baiyun Yuexin Logistics Co., Ltd.", "白云区", "express forklift", "en"),
    _emp("广州市番禺区化龙镇华美服装有限公司", "番禺区", "sewing"),
    _emp("广州市番禺区粤建钢结构工程有限公司", "番禺区", "welder rebar carpenter"),
    _emp("广州市花都区狮岭镇雅诗皮具有限公司", "花都区", "sewing assembly"),
    _emp("Guangzhou Huadu Xinrui Auto Parts Co., Ltd.", "花都区", "welder assembly forklift", "en"),
    _emp("广州市增城区新塘镇蓝海牛仔服饰有限公司", "增城区", "sewing"),
    _emp("广州市增城区康颐养老院", "增城区", "caregiver cleaner cook"),
    _emp("Xiamen Jimei Hongtai Electronics Co., Ltd.", "集美区", "assembly forklift", "en"),
    _emp("厦门市集美区好食堂餐饮管理有限公司", "集美区", "cook waiter cleaner"),
    _emp("厦门市同安区闽南建设工程有限公司", "同安区", "welder mason rebar excavator"),
    _emp("厦门市翔安区海达物流有限公司", "翔安区", "express forklift driver"),
    _emp("Tianjin Binhai Jinlong Auto Parts Co., Ltd.", "滨海新区", "welder assembly", "en"),
    _emp("天津市武清区京津物流有限公司", "武清区", "express forklift loader"),
    _emp("天津市西青区鑫泰钢结构有限公司", "西青区", "welder rebar"),
    _emp("天津市西青区杨柳青家政服务有限公司", "西青区", "caregiver cleaner"),
    _emp("Shanghai Songjiang Yuanhe Precision Parts Co., Ltd.", "松江区", "assembly forklift welder", "en"),
    _emp("上海市松江区沪建装饰工程有限公司", "松江区", "renovation mason carpenter"),
    _emp("上海嘉定安驰汽车零部件有限公司", "嘉定区", "assembly welder"),
    _emp("上海市嘉定区颐康养老院", "嘉定区", "caregiver cleaner cook"),
    _emp("上海青浦速达快递有限公司", "青浦区", "express loader driver security"),
    _emp("Ningbo Beilun Haitong Plastics Machinery Co., Ltd.", "北仑区", "welder assembly forklift", "en"),
    _emp("宁波市北仑区港城建设劳务有限公司", "北仑区", "welder rebar mason"),
    _emp("Cixi Meijia Home Appliances Co., Ltd.", "慈溪市", "assembly", "en"),
    _emp("慈溪市周巷镇美家电器有限公司", "慈溪市", "assembly forklift"),
    _emp("余姚市甬通物流有限公司", "余姚市", "express driver forklift"),
    _emp("余姚市梨洲街道好邻居餐饮有限公司", "余姚市", "cook waiter"),
)


class Occupation(NamedTuple):
    """Titles, description fragments and pay profile for one kind of work."""

    titles: tuple[str, ...]
    en_titles: tuple[str, ...]
    duties: tuple[str, ...]
    reqs: tuple[str, ...]
    en_lines: tuple[str, ...]
    pay: tuple[int, int]  # monthly CNY in a western county town
    job_types: tuple[str, ...]  # drawn uniformly, repeat for weight
    pay_modes: str  # m=monthly d=daily h=hourly p=piece, drawn uniformly


def _occ(titles: str, en: str, duties: str, reqs: str, en_lines: str, pay: tuple[int, int],
         job_types: str, modes: str) -> Occupation:
    def split(text: str) -> tuple[str, ...]:
        return tuple(s for s in text.split("|") if s)
    return Occupation(split(titles), split(en), split(duties), split(reqs), split(en_lines),
                      pay, tuple(job_types.split()), modes)


OCCUPATIONS: dict[str, Occupation] = {
    "welder": _occ(
        "电焊工|焊工|氩弧焊工|二保焊工|钢结构焊工", "Welder|Argon arc welder|CO2 welder",
        "负责钢结构焊接，会电焊、二保焊者优先。|负责车间铁件、钢架的电焊和切割工作。"
        "|负责不锈钢管件氩弧焊，焊缝要求美观。|负责工地钢筋、钢构件的电焊作业。",
        "持焊工证优先，有工地经验者优先。|有1年以上电焊经验，能看懂简单图纸。"
        "|会氩弧焊、二保焊的师傅优先，可现场试焊。|无焊工证的可由公司协助考证。",
        "Weld steel frames and structures; CO2 or argon arc welding experience preferred."
        "|A welding certificate is preferred; we can help you get one."
        "|At least one year of welding experience; able to read simple drawings.",
        (4500, 7000), "全职 全职 全职 全职 临时工", "mmmmdp"),
    "sewing": _occ(
        "缝纫工|车位工|平车工|服装车工|缝纫机操作工", "Sewing machine operator|Garment sewing worker",
        "负责服装缝纫，会平车、包缝机操作。|负责箱包、布袋的缝纫加工，按样品生产。"
        "|负责车间缝纫、锁边、钉扣等工序。",
        "熟练缝纫工优先，新手可带薪培训。|会用平车或包缝机，手脚麻利。"
        "|欢迎宝妈，上班时间灵活，可接送孩子。",
        "Operate flat and overlock sewing machines on the garment line."
        "|Beginners welcome; paid training provided.|Skilled sewing workers earn more on piece rate.",
        (3000, 5000), "全职 全职 全职 兼职", "mmpph"),
    "excavator": _occ(
        "挖掘机司机|挖机操作手|挖掘机师傅|装载机司机", "Excavator operator",
        "负责工地挖掘机操作，土方开挖及场地平整。|负责乡村道路、水利工程挖机作业。"
        "|负责挖掘机、装载机的日常操作和保养。",
        "有挖掘机操作证，熟练操作2年以上。|有B2驾照者优先，能适应野外施工。|会简单维修保养者优先。",
        "Operate excavators on earthwork and road sites.|Operator certificate and 2+ years of experience.",
        (6000, 9000), "全职 全职 全职 临时工", "mmmd"),
    "forklift": _occ(
        "叉车司机|叉车工|仓库叉车司机", "Forklift driver|Forklift operator",
        "负责仓库货物叉车装卸、搬运及码放。|负责车间原材料和成品的叉车转运。"
        "|负责物流园叉车作业，配合装车卸车。",
        "持叉车证，熟练驾驶叉车。|有1年以上叉车经验，安全意识强。|无叉车证的可协助办理。",
        "Drive forklifts to load, unload and stack goods in the warehouse."
        "|Forklift licence required; one year of experience preferred.|Two shifts, overtime paid.",
        (3800, 5500), "全职", "mmmh"),
    "tea": _occ(
        "采茶工|茶园管理工|茶叶加工工", "Tea picker",
        "负责茶园采茶，按标准采摘一芽一叶、一芽两叶。|负责茶园除草、修剪、施肥等日常管理。"
        "|负责茶叶杀青、揉捻等加工辅助工作。",
        "会采茶、手脚勤快，本地及周边村民优先。|不限经验，身体健康能下地干活即可。"
        "|有茶园管理或炒茶经验者优先。",
        "Pick tea leaves to the one-bud-two-leaves standard.|Local villagers welcome.",
        (2400, 3500), "季节工 季节工 季节工 日结 临时工", "ddpm"),
    "greenhouse": _occ(
        "大棚种植工|蔬菜种植工|果园管理工|中药材种植工|农业种植工", "Greenhouse vegetable grower",
        "负责大棚蔬菜种植、浇水、施肥和采收。|负责果园修剪、疏果、套袋和采摘。"
        "|负责中药材育苗、移栽、除草和采挖。|负责设施农业大棚的日常管理和蔬菜分拣装箱。",
        "种过大棚蔬菜或有农业种植经验者优先。|能吃苦耐劳，适应户外和大棚内工作。"
        "|本村及周边农户优先，可按天结算。",
        "Plant, water and harvest greenhouse vegetables.|Farming experience preferred.",
        (2600, 3800), "季节工 季节工 全职 日结 临时工", "mddd"),
    "caregiver": _occ(
        "护工|养老护理员|陪护|医院护工", "Elderly caregiver",
        "负责照顾养老院老人的饮食起居、翻身和清洁。|负责医院病人陪护，协助护士做好生活护理。"
        "|负责失能老人的日常护理和陪伴。",
        "有护工或照顾老人经验者优先，有爱心耐心。|持养老护理员证优先，无证可免费培训。"
        "|年龄58岁以下，身体健康。",
        "Care for elderly residents: meals, bathing and company.|Free caregiver training provided.",
        (3000, 4500), "全职 全职 全职 兼职", "mmmh"),
    "cleaner": _occ(
        "保洁员|保洁阿姨|清洁工|物业保洁", "Cleaner",
        "负责小区公共区域保洁，楼道、电梯清扫。|负责厂区、办公楼日常保洁。"
        "|负责酒店客房和公共区域的清洁卫生。",
        "勤快、爱干净，有保洁经验优先。|年龄60岁以下，身体健康。|可做半天，时间灵活。",
        "Clean offices, corridors and public areas.|Flexible hours; part-time possible.",
        (2000, 3000), "全职 全职 兼职 兼职", "mmhh"),
    "cook": _occ(
        "厨师|帮厨|面点师|食堂厨师|炒锅师傅", "Canteen cook|Kitchen helper",
        "负责食堂大锅菜制作，每天供应两百人用餐。|负责餐馆炒菜，会做家常菜、地方菜。"
        "|负责面食制作，会拉面、包子、馒头等。|负责配菜、洗切和厨房卫生，协助厨师出餐。",
        "有厨师证或3年以上厨师经验者优先。|会做面食和家常菜，手脚麻利。|持健康证上岗，注意食品卫生。",
        "Cook meals for the staff canteen (about 300 people).|Health certificate required.",
        (3500, 6000), "全职 全职 全职 兼职", "mmmd"),
    "express": _occ(
        "快递分拣员|分拣员|仓库理货员|快递员|仓库拣货员", "Warehouse picker|Parcel sorter|Warehouse worker",
        "负责快递包裹分拣、扫描、装袋。|负责仓库拣货、打包、出入库登记。"
        "|负责片区快递派送和揽收，会骑电动车。|负责物流中转站货物分拣和装卸车。",
        "会用智能手机扫码，识字即可。|能适应夜班，吃苦耐劳。|无经验可培训，上手快。",
        "Pick, scan and pack parcels in a logistics warehouse.|Night shifts available; no experience needed."
        "|Must be able to use a handheld scanner.",
        (3500, 5000), "全职 全职 全职 临时工 日结", "mmdhp"),
    "renovation": _occ(
        "装修工|油漆工|水电工|腻子工|家装师傅", "",
        "负责室内装修，刮腻子、刷墙、贴墙纸。|负责家装水电布线、开槽、安装。"
        "|负责门窗、吊顶、地板等装修施工。",
        "有装修经验，能独立施工者优先。|会水电安装的持电工证优先。|能带班组的师傅可面谈。",
        "", (5000, 8000), "全职 全职 临时工 日结", "mddd"),
    "mason": _occ(
        "瓦工|泥瓦工|砌砖工|贴砖师傅|抹灰工", "",
        "负责砌砖、抹灰、贴瓷砖等瓦工活。|负责工地砌体施工和地面找平。|负责房屋地砖、墙砖铺贴。",
        "有瓦工经验，能看懂施工图。|大工、小工均可，小工有师傅带。|能吃苦，适应户外施工。",
        "", (5000, 8000), "全职 全职 日结 日结 临时工", "mddd"),
    "carpenter": _occ(
        "木工|模板木工|装修木工", "",
        "负责工地支模板、拆模板。|负责装修木作，做吊顶、柜子、木门安装。|负责建筑工地木工活，会看图放线。",
        "有木工经验2年以上，工具自带优先。|能适应高处作业，安全意识强。",
        "", (5500, 8500), "全职 全职 日结", "mmdd"),
    "driver": _occ(
        "货车司机|送货司机|驾驶员|渣土车司机|长途货车司机", "Delivery driver|Truck driver",
        "负责县城及周边乡镇送货，车辆由公司提供。|负责货车长途运输，跑省内外线路。"
        "|负责工地渣土车运输。|负责单位用车接送和物资运输。",
        "持B2及以上驾照，3年以上驾龄。|熟悉本地路况，无不良驾驶记录。|有A2驾照、跑过长途者优先。",
        "Deliver goods to shops around the district; company van provided."
        "|Driving licence (C1 or above) and a clean record required.",
        (5000, 8000), "全职 全职 全职 临时工", "mmmd"),
    "assembly": _occ(
        "普工|流水线操作工|电子厂普工|包装工|质检员|机台操作工",
        "Assembly line worker|Production operator|Packing worker|Machine operator",
        "负责流水线组装、打螺丝、包装等简单工作。|负责机台操作和产品检验，坐着上班。"
        "|负责产品包装、贴标和装箱。|负责注塑机看机、取件和修边。",
        "初中以上文化，会写字认字。|无经验可培训，手脚灵活。|能适应两班倒，也有长白班。",
        "Assemble and pack products on the production line.|No experience needed; training provided."
        "|Two shifts, 8 hours plus paid overtime.",
        (3000, 4500), "全职 全职 全职 全职 临时工", "mmmhp"),
    "security": _occ(
        "保安|门卫|巡逻保安", "Security guard",
        "负责小区门岗值守和巡逻。|负责厂区门卫、车辆登记和夜间巡查。",
        "年龄55岁以下，退伍军人优先。|有责任心，能上夜班。",
        "Gate duty and night patrols.|Age under 55; veterans preferred.",
        (2500, 3500), "全职", "mm"),
    "livestock": _occ(
        "养殖工|肉牛饲养员|养猪场饲养员|羊场饲养员", "",
        "负责肉牛喂养、清圈和防疫配合。|负责养殖场饲喂、清扫和记录。|负责牛羊饲料配制和日常管理。",
        "有养牛、养羊经验者优先。|吃住在场，能长期干。",
        "", (3000, 4500), "全职 全职 季节工", "mmd"),
    "public_welfare": _occ(
        "公益性岗位（护林员）|公益性岗位（保洁员）|乡村公益性岗位|公益性岗位（道路养护员）|村级就业服务专员",
        "",
        "负责本村山林巡护、防火宣传。|负责村组道路和公共区域保洁。|负责乡村道路日常巡查和简单养护。"
        "|负责本村劳动力就业信息登记和政策宣传。",
        "限本乡镇脱贫户、监测户劳动力。|年龄18-60岁，能正常上岗。|按规定缴纳社会保险。",
        "", (1800, 2300), "全职", "m"),
    "rebar": _occ(
        "钢筋工|扎筋工|钢筋班组工人", "",
        "负责工地钢筋绑扎、下料和安装。|负责钢筋加工棚的切断、弯曲作业。",
        "有钢筋工经验者优先，能看懂图纸。|大工、小工都要，包教包会。",
        "", (5000, 7500), "全职 全职 日结", "mdd"),
    "waiter": _occ(
        "服务员|餐厅服务员|传菜员|客房服务员", "Restaurant waiter",
        "负责餐厅点菜、上菜和收台。|负责包间服务和前台接待协助。|负责传菜和餐具清洗。",
        "会说普通话，态度热情。|年龄18-45岁，可做兼职。",
        "Take orders, serve dishes and clear tables.|Part-time shifts available.",
        (2500, 3500), "全职 全职 兼职", "mmh"),
    "loader": _occ(
        "装卸工|搬运工|临时工（装卸）", "Loader",
        "负责货车装卸、搬运货物。|负责仓库货物搬运和码放。",
        "身体强壮，能吃苦。|干一天结一天，不拖欠。",
        "Load and unload trucks.|Paid at the end of each day.",
        (3500, 6000), "日结 日结 临时工", "dd"),
}

EXTRAS_WEST: tuple[str, ...] = (
    "离家近，可每天回家。", "适合本地及周边乡镇人员。", "农忙时节可请假。", "工作时间8小时，加班另计。",
    "年龄18-55岁，身体健康。", "可招夫妻工。", "上下班时间固定，方便照顾家庭。", "县城上班，有班车接送。",
)
EXTRAS_EAST: tuple[str, ...] = (
    "东西部劳务协作岗位，统一组织乘车前往。", "长期稳定，可安排夫妻房。", "两班倒，每月休息4天。",
    "工作时间8小时，加班另计，加班费按规定计算。", "年龄18-50岁，身体健康。", "入职满三个月报销来厂路费。",
    "老乡多，有专人对接服务。",
)
EXTRAS_EN: tuple[str, ...] = (
    "East-West cooperation job: free coach from your home county.", "Age 18-50, in good health.",
    "Stable long-term work; rooms for couples available.", "Canteen on site; meals subsidised.",
)
WELFARE_WEST: tuple[str, ...] = (
    "包午餐", "餐补", "", "", "缴纳社保", "提供宿舍", "不包吃住", "交通补贴", "包吃，不包住", "五险",
    "包吃包住", "节日福利",
)
WELFARE_EAST: tuple[str, ...] = (
    "包吃包住，五险一金", "包住，不包吃", "提供宿舍", "提供免费宿舍，食堂包三餐", "包住，餐补15元/天",
    "包吃住，购买社保，有夫妻房", "免费员工宿舍（空调、热水），五险", "包吃包住，全勤奖200元", "餐补", "",
)
WELFARE_EN: tuple[str, ...] = (
    "Free dormitory, canteen meals, social insurance", "Dormitory provided; meal allowance",
    "Accommodation and meals provided", "",
)
WELFARE_PUBLIC: tuple[str, ...] = ("按规定缴纳社会保险", "", "享受公益性岗位补贴")
TITLE_PREFIXES: tuple[str, ...] = ("急招", "【急聘】", "诚聘", "高薪招聘")
SURNAMES = "王李张刘陈杨吴龙马罗何赵"
HONORIFICS: tuple[str, ...] = ("女士", "先生", "经理", "师傅")
EN_SURNAMES: tuple[str, ...] = ("Chen", "Wang", "Li", "Zhang", "Lin", "Huang")
URL_TAILS: tuple[str, ...] = (
    "?utm_source=wechat", "", "?utm_source=wechat&utm_medium=share", "", "?from=groupmessage",
    "?utm_source=wechat&utm_campaign=winter", "?spm=a1.b2.0",
)
