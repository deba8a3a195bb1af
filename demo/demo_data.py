"""Reference data for the demo seed (``manage.py seed_demo``).

Plain Python constants, no Django imports: provinces with their region, real
counties of the Rural Taobao story with their official 6-digit administrative
codes, product categories, product names with typical prices, and the syllables
that generated village, township, county and person names are made of.

Prices are in yuan as (low, high) ranges; the generator turns them into Decimal
amounts with two places.
"""

# --------------------------------------------------------------------------------------
# Provinces: code → (name, English name, region). The region follows the statistical
# division used in the brief: east / central / west / northeast.
# --------------------------------------------------------------------------------------

PROVINCES: dict[str, tuple[str, str, str]] = {
    "11": ("北京市", "Beijing", "east"),
    "12": ("天津市", "Tianjin", "east"),
    "13": ("河北省", "Hebei", "east"),
    "14": ("山西省", "Shanxi", "central"),
    "15": ("内蒙古自治区", "Inner Mongolia", "west"),
    "21": ("辽宁省", "Liaoning", "northeast"),
    "22": ("吉林省", "Jilin", "northeast"),
    "23": ("黑龙江省", "Heilongjiang", "northeast"),
    "31": ("上海市", "Shanghai", "east"),
    "32": ("江苏省", "Jiangsu", "east"),
    "33": ("浙江省", "Zhejiang", "east"),
    "34": ("安徽省", "Anhui", "central"),
    "35": ("福建省", "Fujian", "east"),
    "36": ("江西省", "Jiangxi", "central"),
    "37": ("山东省", "Shandong", "east"),
    "41": ("河南省", "Henan", "central"),
    "42": ("湖北省", "Hubei", "central"),
    "43": ("湖南省", "Hunan", "central"),
    "44": ("广东省", "Guangdong", "east"),
    "45": ("广西壮族自治区", "Guangxi", "west"),
    "46": ("海南省", "Hainan", "east"),
    "50": ("重庆市", "Chongqing", "west"),
    "51": ("四川省", "Sichuan", "west"),
    "52": ("贵州省", "Guizhou", "west"),
    "53": ("云南省", "Yunnan", "west"),
    "54": ("西藏自治区", "Tibet", "west"),
    "61": ("陕西省", "Shaanxi", "west"),
    "62": ("甘肃省", "Gansu", "west"),
    "63": ("青海省", "Qinghai", "west"),
    "64": ("宁夏回族自治区", "Ningxia", "west"),
    "65": ("新疆维吾尔自治区", "Xinjiang", "west"),
}

REGION_BY_PROVINCE_CODE: dict[str, str] = {code: region for code, (_n, _e, region) in PROVINCES.items()}

# Where synthetic counties go, weighted roughly by how many counties a province has
# (municipalities without counties are left out).
SYNTHETIC_PROVINCE_WEIGHTS: dict[str, int] = {
    "13": 20, "14": 12, "15": 8, "21": 6, "22": 5, "23": 8, "32": 8, "33": 10, "34": 10,
    "35": 8, "36": 10, "37": 14, "41": 16, "42": 8, "43": 12, "44": 8, "45": 10, "46": 2,
    "50": 3, "51": 16, "52": 10, "53": 12, "54": 3, "61": 10, "62": 8, "63": 3, "64": 2, "65": 8,
}  # fmt: skip

# --------------------------------------------------------------------------------------
# Product categories: (slug, 中文名, English name, is_farm_produce). Farm-produce
# categories are what villages sell upward to the cities.
# --------------------------------------------------------------------------------------

CATEGORIES: list[tuple[str, str, str, bool]] = [
    ("appliances", "家电", "Home appliances", False),
    ("phones-digital", "手机数码", "Phones & digital", False),
    ("building-materials", "建材", "Building materials", False),
    ("farm-supplies", "农资", "Farm supplies", False),
    ("daily-goods", "日用百货", "Daily goods", False),
    ("furniture", "家具", "Furniture", False),
    ("clothing", "服装", "Clothing", False),
    ("food", "食品", "Food", False),
    ("baby-maternity", "母婴", "Baby & maternity", False),
    ("auto-moto-parts", "汽摩配件", "Car & motorbike parts", False),
    ("hardware-tools", "五金工具", "Hardware & tools", False),
    ("beauty-personal-care", "美妆个护", "Beauty & personal care", False),
    ("health-medicine", "医药保健", "Health & medicine", False),
    ("books-stationery", "图书文具", "Books & stationery", False),
    ("sports-outdoor", "运动户外", "Sports & outdoor", False),
    ("sanitation", "清洁环卫", "Cleaning & sanitation", False),
    ("fruit", "水果", "Fruit", True),
    ("grain-oil", "粮油", "Grain & oil", True),
    ("tea", "茶叶", "Tea", True),
    ("dried-goods", "山货干货", "Mountain & dried goods", True),
    ("poultry-eggs-meat", "禽蛋肉类", "Poultry, eggs & meat", True),
    ("vegetables", "蔬菜", "Vegetables", True),
    ("flowers-seedlings", "花卉苗木", "Flowers & seedlings", True),
    ("village-crafts", "乡村手作", "Village crafts", True),
]

# How often each category turns up in a village's assisted purchases (relative weights).
ASSISTED_CATEGORY_WEIGHTS: dict[str, float] = {
    "daily-goods": 20,
    "food": 14,
    "clothing": 12,
    "phones-digital": 8,
    "appliances": 7,
    "farm-supplies": 6,
    "baby-maternity": 6,
    "beauty-personal-care": 5,
    "hardware-tools": 4,
    "health-medicine": 4,
    "building-materials": 3,
    "auto-moto-parts": 3,
    "books-stationery": 3,
    "furniture": 2,
    "sports-outdoor": 2,
    "sanitation": 1,
}

# Products villagers buy: category → [(product name, low price, high price, max quantity)].
PRODUCTS: dict[str, list[tuple[str, float, float, int]]] = {
    "appliances": [
        ("海尔 65英寸4K智能电视", 2599, 3999, 1),
        ("创维 55英寸液晶电视", 1699, 2499, 1),
        ("美的 1.5匹变频空调挂机", 2299, 3199, 2),
        ("海尔 对开门冰箱 470升", 2999, 4599, 1),
        ("小天鹅 10公斤滚筒洗衣机", 1499, 2399, 1),
        ("格力 立式电风扇", 159, 299, 3),
        ("美的 电饭煲 4L", 169, 329, 2),
        ("九阳 豆浆机", 199, 399, 1),
        ("海尔 60升电热水器", 899, 1499, 1),
        ("奥克斯 电暖器", 199, 459, 2),
        ("苏泊尔 电磁炉", 169, 299, 1),
        ("美的 冰柜 200升", 1099, 1599, 1),
    ],
    "phones-digital": [
        ("华为 畅享 智能手机 128G", 999, 1499, 1),
        ("小米 Redmi 智能手机", 799, 1299, 1),
        ("OPPO A系列 手机", 1199, 1799, 1),
        ("vivo Y系列 手机", 1099, 1699, 1),
        ("老人手机 大字大声", 89, 199, 2),
        ("充电宝 20000毫安", 69, 129, 2),
        ("蓝牙耳机", 59, 199, 2),
        ("联想 笔记本电脑", 3299, 4999, 1),
        ("家用监控摄像头", 129, 259, 3),
        ("手机壳 钢化膜套装", 19.9, 39.9, 3),
    ],
    "building-materials": [
        ("瓷砖 800×800 (箱)", 89, 169, 60),
        ("水泥 42.5级 (袋)", 22, 35, 100),
        ("防盗门", 899, 2199, 1),
        ("铝合金窗 (平方米)", 260, 480, 20),
        ("PPR水管 20米", 49, 99, 5),
        ("乳胶漆 18升", 299, 599, 4),
        ("太阳能热水器", 1599, 2899, 1),
        ("防腐木户外凉亭 3×3米", 6800, 12800, 1),
        ("彩钢瓦 (张)", 45, 85, 40),
    ],
    "farm-supplies": [
        ("复合肥 50公斤", 135, 199, 20),
        ("尿素 40公斤", 95, 139, 20),
        ("玉米种子 (袋)", 45, 98, 10),
        ("小麦种子 25公斤", 85, 139, 10),
        ("电动喷雾器", 199, 399, 2),
        ("地膜 (卷)", 35, 79, 10),
        ("除草剂", 25, 68, 10),
        ("滴灌带 (卷)", 99, 220, 5),
        ("微耕机", 2299, 3999, 1),
        ("三轮车 电动", 2799, 4599, 1),
    ],
    "daily-goods": [
        ("洗衣液 3kg", 29.9, 59.9, 3),
        ("抽纸 24包", 29.9, 49.9, 3),
        ("保温杯", 39, 99, 2),
        ("床上四件套", 89, 259, 2),
        ("不锈钢锅具套装", 129, 299, 1),
        ("塑料收纳箱", 25, 59, 4),
        ("雨伞", 19.9, 49.9, 3),
        ("牙膏牙刷套装", 19.9, 45, 3),
        ("拖把 旋转", 39, 89, 1),
        ("毛巾 6条装", 29.9, 59.9, 2),
        ("蚊帐", 39, 99, 2),
        ("电蚊拍", 19.9, 39.9, 2),
    ],
    "furniture": [
        ("实木餐桌椅 一桌四椅", 899, 1899, 1),
        ("布艺沙发 三人位", 1299, 2899, 1),
        ("席梦思床垫 1.8米", 699, 1599, 1),
        ("衣柜 推拉门", 899, 1999, 1),
        ("电脑桌", 159, 399, 1),
        ("折叠椅", 39, 89, 6),
        ("儿童学习桌", 399, 899, 1),
    ],
    "clothing": [
        ("羽绒服 男款", 299, 699, 2),
        ("羽绒服 女款", 299, 799, 2),
        ("加绒牛仔裤", 79, 169, 2),
        ("运动鞋", 99, 299, 2),
        ("棉鞋 老人款", 49, 99, 3),
        ("衬衫", 59, 139, 3),
        ("连衣裙", 89, 229, 2),
        ("校服 (套)", 89, 159, 3),
        ("雨靴", 39, 79, 3),
        ("羊绒衫", 299, 799, 2),
        ("保暖内衣套装", 69, 159, 3),
    ],
    "food": [
        ("牛奶 250ml×12盒", 39.9, 69.9, 4),
        ("方便面 整箱", 39.9, 59.9, 3),
        ("食用油 5L", 59.9, 99.9, 2),
        ("坚果礼盒", 79, 169, 3),
        ("火腿肠 整箱", 49.9, 79.9, 2),
        ("饮料 24瓶", 39.9, 69.9, 3),
        ("年货零食大礼包", 99, 199, 4),
        ("白酒 500ml", 69, 299, 6),
        ("挂面 5kg", 29.9, 45.9, 3),
        ("月饼礼盒", 69, 199, 5),
    ],
    "baby-maternity": [
        ("婴儿奶粉 900g", 179, 329, 6),
        ("纸尿裤 L码 (包)", 79, 139, 4),
        ("婴儿推车", 399, 999, 1),
        ("儿童安全座椅", 499, 1099, 1),
        ("孕妇装", 89, 199, 2),
        ("婴儿湿巾 10包", 39.9, 69.9, 3),
        ("儿童玩具", 39, 199, 3),
    ],
    "auto-moto-parts": [
        ("电动车电瓶 48V", 499, 899, 1),
        ("摩托车轮胎", 129, 299, 2),
        ("机油 4L", 99, 239, 2),
        ("行车记录仪", 199, 459, 1),
        ("汽车脚垫", 129, 299, 1),
        ("头盔", 59, 159, 2),
    ],
    "hardware-tools": [
        ("电钻套装", 199, 459, 1),
        ("工具箱 家用", 89, 199, 1),
        ("电焊机", 399, 899, 1),
        ("LED灯泡 10只装", 39.9, 79.9, 3),
        ("插线板", 29.9, 69.9, 3),
        ("铁锹 锄头套装", 49, 99, 2),
        ("梯子 铝合金", 199, 399, 1),
    ],
    "beauty-personal-care": [
        ("洗发水 护发素套装", 49.9, 119, 2),
        ("面霜", 59, 199, 2),
        ("防晒霜", 49, 129, 2),
        ("电动剃须刀", 99, 299, 1),
        ("吹风机", 69, 199, 1),
        ("护手霜礼盒", 29.9, 69.9, 3),
    ],
    "health-medicine": [
        ("电子血压计", 129, 299, 1),
        ("血糖仪套装", 149, 299, 1),
        ("老花镜", 29, 99, 2),
        ("按摩椅垫", 199, 499, 1),
        ("维生素 钙片", 59, 189, 3),
        ("医用口罩 50只", 15.9, 39.9, 5),
        ("艾灸贴", 29.9, 69.9, 3),
    ],
    "books-stationery": [
        ("小学教辅 全套", 59, 129, 2),
        ("书包", 69, 199, 2),
        ("文具套装", 29.9, 69.9, 4),
        ("儿童绘本 10册", 49, 99, 2),
        ("练字帖", 15.9, 39.9, 3),
        ("台灯 护眼", 89, 239, 1),
    ],
    "sports-outdoor": [
        ("篮球", 79, 199, 2),
        ("羽毛球拍 一对", 59, 199, 2),
        ("跳绳", 15.9, 39.9, 3),
        ("广场舞音响", 199, 499, 1),
        ("钓鱼竿套装", 129, 399, 1),
        ("户外帐篷", 199, 599, 1),
        ("冲锋衣", 199, 599, 2),
    ],
    "sanitation": [
        ("垃圾桶 户用分类", 29.9, 69.9, 4),
        ("扫把 簸箕套装", 19.9, 39.9, 3),
        ("消毒液 5L", 29.9, 59.9, 4),
        ("清洁剂套装", 29.9, 69.9, 3),
    ],
}

# Farm produce sold upward when a county has no specific products of its own
# (synthetic counties and as a background for real ones): category → products.
GENERIC_FARM_PRODUCTS: dict[str, list[tuple[str, float, float, int]]] = {
    "fruit": [
        ("苹果 10斤装", 39.9, 69.9, 80),
        ("黄桃 5斤装", 29.9, 49.9, 80),
        ("葡萄 5斤装", 35, 59, 60),
        ("柑橘 10斤装", 29.9, 55, 100),
        ("西瓜 (个)", 15, 35, 120),
    ],
    "grain-oil": [
        ("小米 5斤", 29.9, 49.9, 60),
        ("玉米糁 5斤", 19.9, 35, 60),
        ("菜籽油 5L", 69, 119, 40),
        ("花生 5斤", 35, 59, 60),
        ("杂粮礼盒", 69, 139, 30),
    ],
    "tea": [
        ("高山绿茶 250g", 68, 199, 30),
        ("红茶 礼盒", 99, 299, 20),
    ],
    "dried-goods": [
        ("红枣 2.5kg", 39.9, 79.9, 60),
        ("香菇干 500g", 39, 79, 50),
        ("土蜂蜜 1kg", 69, 159, 40),
        ("笋干 500g", 39, 69, 40),
        ("核桃 2.5kg", 49, 99, 50),
    ],
    "poultry-eggs-meat": [
        ("土鸡蛋 30枚", 39.9, 69.9, 80),
        ("散养土鸡 (只)", 89, 169, 40),
        ("腊肉 1kg", 79, 139, 40),
        ("咸鸭蛋 20枚", 39, 59, 60),
    ],
    "vegetables": [
        ("高山白菜 10斤", 15, 29.9, 100),
        ("土豆 10斤", 19.9, 35, 100),
        ("小米辣 2斤", 19.9, 35, 60),
    ],
    "flowers-seedlings": [
        ("多肉植物 组合盆栽", 19.9, 59.9, 60),
        ("果树苗 (棵)", 9.9, 29.9, 200),
    ],
    "village-crafts": [
        ("手工竹编篮", 39, 99, 30),
        ("手工布鞋", 69, 159, 30),
    ],
}

# Government procurement: what county and township bodies buy through the village network.
# (product, category slug, low, high, min quantity, max quantity, which body buys it)
PROCUREMENT_ITEMS: list[tuple[str, str, float, float, int, int, str]] = [
    ("垃圾桶 240升 户外分类挂车桶", "sanitation", 158, 268, 500, 5000, "城市管理局"),
    ("果皮箱 不锈钢 双桶", "sanitation", 680, 1280, 50, 400, "城市管理局"),
    ("环卫手推保洁车", "sanitation", 420, 880, 50, 300, "城市管理局"),
    ("学生课桌椅 (套)", "furniture", 260, 420, 200, 2000, "教育局"),
    ("台式电脑 办公", "phones-digital", 3299, 4599, 20, 200, "人民政府办公室"),
    ("激光打印机", "phones-digital", 1299, 2599, 10, 80, "人民政府办公室"),
    ("太阳能路灯 6米", "building-materials", 1280, 2380, 50, 600, "住房和城乡建设局"),
    ("有机肥 40公斤 (袋)", "farm-supplies", 36, 58, 1000, 8000, "农业农村局"),
    ("消毒液 5升 (桶)", "sanitation", 29, 49, 500, 3000, "卫生健康委员会"),
    ("图书 农家书屋 (册)", "books-stationery", 18, 45, 1000, 6000, "文化广电和旅游局"),
]

# --------------------------------------------------------------------------------------
# Real counties. Every one has a profile; the poverty flag marks national poverty counties.
# product tuples are what the county sells upward (farm produce channel):
# (product, category slug, low price, high price, max quantity).
# --------------------------------------------------------------------------------------

REAL_COUNTIES: list[dict] = [
    {
        "code": "410225",
        "name": "兰考县",
        "name_en": "Lankao County",
        "focus": "handicraft",
        "poverty": True,
        "since": "2015-07-20",
        "office": "兰考县商务局",
        "weight": 1.3,
        "characteristic": "泡桐木民族乐器、兰考蜜瓜、红薯、花生、品牌家居",
        "profile": "兰考县地处豫东黄河故道，是焦裕禄精神的发源地，也是国家级贫困县。"
        "全县用泡桐木制作古筝、琵琶等民族乐器，堌阳镇徐场村的乐器通过村淘卖向全国。",
        "villages": [("张庄村", "东坝头乡"), ("东坝头村", "东坝头乡"), ("徐场村", "堌阳镇"), ("代庄村", "仪封乡")],
        "products": [
            ("兰考泡桐木古筝 163cm", "village-crafts", 1280, 3980, 5),
            ("泡桐木琵琶", "village-crafts", 680, 1880, 5),
            ("兰考蜜瓜 5斤装", "fruit", 29.9, 49.9, 60),
            ("兰考红薯 10斤装", "vegetables", 25, 45, 80),
            ("兰考花生 5斤", "grain-oil", 35, 59, 60),
        ],
    },
    {
        "code": "510124",
        "name": "郫县",
        "name_en": "Pixian County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2015-09-08",
        "office": "郫县商务和经济信息化局",
        "weight": 1.1,
        "characteristic": "郫县豆瓣、韭黄、川芎、农家乐",
        "profile": "郫县位于成都平原腹地，是“郫县豆瓣”的故乡和农家乐的发源地。"
        "友爱镇农科村的盆景花木、唐昌镇战旗村的农产品都通过村淘走出了县城。",
        "villages": [("农科村", "友爱镇"), ("战旗村", "唐昌镇")],
        "products": [
            ("郫县豆瓣 1kg", "grain-oil", 25, 59, 80),
            ("郫县韭黄 5斤", "vegetables", 29, 49, 40),
            ("盆景 罗汉松", "flowers-seedlings", 199, 899, 10),
        ],
    },
    {
        "code": "610431",
        "name": "武功县",
        "name_en": "Wugong County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2015-08-18",
        "office": "武功县电子商务服务中心",
        "weight": 1.1,
        "characteristic": "猕猴桃、苹果、红枣干果、陕西特产集散",
        "profile": "武功县是后稷故里，也是国家级贫困县。县里把电子商务作为“一号工程”，"
        "把新疆、陕西各地的干果特产集中到武功发往全国，有“买西北、卖全国”之称。",
        "villages": [],
        "products": [
            ("武功猕猴桃 5斤装", "fruit", 35, 59, 60),
            ("红枣夹核桃 500g", "dried-goods", 29.9, 59.9, 60),
            ("武功镇 手工挂面 5斤", "grain-oil", 29, 49, 40),
        ],
    },
    {
        "code": "330782",
        "name": "义乌市",
        "name_en": "Yiwu",
        "focus": "manufacturing",
        "poverty": False,
        "since": "2015-03-26",
        "office": "义乌市市场发展委员会",
        "weight": 1.8,
        "characteristic": "小商品、饰品、袜业、日用百货",
        "profile": "义乌是世界小商品之都，江东街道青岩刘村被称为“中国网店第一村”。"
        "村淘服务站把义乌的日用百货直接送进山区和平原的村庄。",
        "villages": [("青岩刘村", "江东街道")],
        "products": [
            ("义乌红糖 500g", "dried-goods", 19.9, 39.9, 60),
            ("手工竹编收纳篮", "village-crafts", 29, 79, 30),
        ],
    },
    {
        "code": "321322",
        "name": "沭阳县",
        "name_en": "Shuyang County",
        "focus": "agriculture",
        "poverty": False,
        "since": "2015-06-16",
        "office": "沭阳县商务局",
        "weight": 1.5,
        "characteristic": "花卉苗木、盆景、多肉植物、干花",
        "profile": "沭阳是全国最大的花木网销县之一，新河镇、颜集镇家家户户种苗木。"
        "花木通过村淘和快递卖到全国，带动了数万农民增收。",
        "villages": [],
        "products": [
            ("多肉植物 组合盆栽", "flowers-seedlings", 19.9, 59.9, 80),
            ("月季花苗 5棵", "flowers-seedlings", 19.9, 49.9, 80),
            ("桂花树苗", "flowers-seedlings", 29, 199, 40),
            ("干花花束", "flowers-seedlings", 29, 89, 40),
        ],
    },
    {
        "code": "371721",
        "name": "曹县",
        "name_en": "Caoxian County",
        "focus": "handicraft",
        "poverty": False,
        "since": "2015-10-12",
        "office": "曹县商务局",
        "weight": 1.4,
        "characteristic": "演出服、汉服、木制品、芦笋",
        "profile": "曹县大集镇丁楼村从缝制演出服起步，如今是全国最大的演出服和汉服网销基地之一。"
        "桐木加工和木制工艺品也是曹县的传统产业。",
        "villages": [("丁楼村", "大集镇")],
        "products": [
            ("儿童演出服", "village-crafts", 39, 129, 50),
            ("汉服 套装", "village-crafts", 99, 399, 30),
            ("桐木收纳盒", "village-crafts", 29, 89, 40),
            ("曹县芦笋 5斤", "vegetables", 39, 69, 40),
        ],
    },
    {
        "code": "330122",
        "name": "桐庐县",
        "name_en": "Tonglu County",
        "focus": "tourism",
        "poverty": False,
        "since": "2014-10-29",
        "office": "桐庐县商务局",
        "weight": 1.2,
        "characteristic": "富春江山水旅游、快递之乡、雪水云绿茶",
        "profile": "桐庐是“中国民营快递之乡”，也是村淘最早试点的县之一。"
        "富春江两岸的乡村旅游和山区茶叶、土特产都借助村淘服务站上行。",
        "villages": [],
        "products": [
            ("雪水云绿 明前茶 100g", "tea", 99, 299, 20),
            ("桐庐 山核桃 500g", "dried-goods", 59, 99, 40),
        ],
    },
    {
        "code": "331123",
        "name": "遂昌县",
        "name_en": "Suichang County",
        "focus": "agriculture",
        "poverty": False,
        "since": "2015-01-15",
        "office": "遂昌县网店协会",
        "weight": 1.1,
        "characteristic": "竹炭、菊米、高山茶、番薯干",
        "profile": "遂昌是县域电商“遂昌模式”的发源地，网店协会把分散的农户和网商组织起来。"
        "竹炭制品、菊米和高山茶是遂昌最有名的网货。",
        "villages": [],
        "products": [
            ("遂昌菊米 100g", "tea", 49, 99, 30),
            ("竹炭包 家用除味", "village-crafts", 19.9, 49.9, 60),
            ("遂昌番薯干 500g", "dried-goods", 19.9, 35, 60),
        ],
    },
    {
        "code": "130534",
        "name": "清河县",
        "name_en": "Qinghe County",
        "focus": "manufacturing",
        "poverty": False,
        "since": "2015-05-20",
        "office": "清河县电子商务办公室",
        "weight": 1.3,
        "characteristic": "羊绒、羊绒制品、汽车配件",
        "profile": "清河县是“中国羊绒之都”，全县有上万家网店在线上销售羊绒衫、羊绒围巾。东高庄村是全国闻名的淘宝村。",
        "villages": [("东高庄村", "杨二庄镇")],
        "products": [
            ("清河羊绒围巾", "village-crafts", 99, 299, 30),
            ("纯羊绒衫", "village-crafts", 299, 899, 20),
        ],
    },
    {
        "code": "350524",
        "name": "安溪县",
        "name_en": "Anxi County",
        "focus": "agriculture",
        "poverty": False,
        "since": "2015-07-08",
        "office": "安溪县商务局",
        "weight": 1.2,
        "characteristic": "铁观音、藤铁工艺、家居工艺品",
        "profile": "安溪是铁观音的故乡，茶园遍布山乡。藤铁工艺家居用品是安溪的另一张名片，"
        "尚卿乡一带的农户在家编织后通过网络销往海内外。",
        "villages": [],
        "products": [
            ("安溪铁观音 浓香型 250g", "tea", 98, 398, 30),
            ("藤铁工艺 收纳架", "village-crafts", 59, 199, 20),
        ],
    },
    {
        "code": "350526",
        "name": "德化县",
        "name_en": "Dehua County",
        "focus": "handicraft",
        "poverty": False,
        "since": "2015-11-03",
        "office": "德化县陶瓷产业发展局",
        "weight": 1.1,
        "characteristic": "白瓷、陶瓷茶具、陶瓷工艺品",
        "profile": "德化是“世界陶瓷之都”，德化白瓷享誉海内外。小作坊烧制的茶具和陶瓷摆件通过村淘直接卖到城市家庭。",
        "villages": [],
        "products": [
            ("德化白瓷 功夫茶具套装", "village-crafts", 89, 399, 20),
            ("陶瓷观音摆件", "village-crafts", 199, 899, 10),
        ],
    },
    {
        "code": "360734",
        "name": "寻乌县",
        "name_en": "Xunwu County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2015-10-20",
        "office": "寻乌县商务局",
        "weight": 1.0,
        "characteristic": "赣南脐橙、蜜桔、百香果",
        "profile": "寻乌地处赣粤闽三省交界，是国家级贫困县，也是赣南脐橙的主产区。"
        "每年冬天，脐橙从果园直接装箱，经村淘服务站发往全国。",
        "villages": [],
        "products": [
            ("赣南脐橙 10斤装", "fruit", 39.9, 69.9, 100),
            ("寻乌蜜桔 5斤", "fruit", 25, 39.9, 80),
            ("百香果 3斤", "fruit", 25, 45, 60),
        ],
    },
    {
        "code": "341321",
        "name": "砀山县",
        "name_en": "Dangshan County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2015-09-15",
        "office": "砀山县电子商务办公室",
        "weight": 1.2,
        "characteristic": "砀山酥梨、黄桃罐头、梨膏",
        "profile": "砀山是世界最大的连片果园，砀山酥梨种植已有两千多年。"
        "全县数万农民在网上卖梨、卖黄桃罐头，是电商扶贫的样板。",
        "villages": [],
        "products": [
            ("砀山酥梨 10斤装", "fruit", 29.9, 49.9, 100),
            ("黄桃罐头 6罐", "fruit", 39.9, 59.9, 60),
            ("砀山梨膏 200g", "dried-goods", 29.9, 59.9, 40),
        ],
    },
    {
        "code": "220822",
        "name": "通榆县",
        "name_en": "Tongyu County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2015-06-28",
        "office": "通榆县人民政府",
        "weight": 1.0,
        "characteristic": "杂粮杂豆、葵花籽、草原红牛",
        "profile": "通榆县位于科尔沁草原东部，是国家级贫困县。县长曾亲自为本地杂粮代言，"
        "“三千禾”品牌把绿豆、小米和葵花籽卖向全国。",
        "villages": [],
        "products": [
            ("通榆 绿豆 5斤", "grain-oil", 29.9, 49.9, 60),
            ("葵花籽 原味 2kg", "grain-oil", 35, 59, 60),
            ("杂粮礼盒 3kg", "grain-oil", 69, 129, 40),
        ],
    },
    {
        "code": "230184",
        "name": "五常市",
        "name_en": "Wuchang",
        "focus": "agriculture",
        "poverty": False,
        "since": "2015-08-06",
        "office": "五常市商务局",
        "weight": 1.3,
        "characteristic": "五常大米、稻花香、黑木耳",
        "profile": "五常是中国最有名的优质稻米产区，稻花香大米一年只熟一季。"
        "村淘把合作社的新米直接从稻田送到城里人的餐桌。",
        "villages": [],
        "products": [
            ("五常大米 稻花香 10kg", "grain-oil", 89, 169, 80),
            ("五常大米 5kg", "grain-oil", 49, 89, 80),
            ("东北黑木耳 500g", "dried-goods", 39, 79, 40),
        ],
    },
    {
        "code": "621221",
        "name": "成县",
        "name_en": "Chengxian County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2015-12-01",
        "office": "成县电子商务服务中心",
        "weight": 0.9,
        "characteristic": "成县核桃、紫皮大蒜、土蜂蜜",
        "profile": "成县地处陇南山区，是国家级贫困县。县委书记用微博卖核桃的故事让成县核桃走红，"
        "此后电商成为全县脱贫的重要途径。",
        "villages": [],
        "products": [
            ("成县鲜核桃 5斤", "dried-goods", 49, 89, 60),
            ("陇南土蜂蜜 1kg", "dried-goods", 69, 139, 40),
            ("紫皮大蒜 5斤", "vegetables", 25, 45, 60),
        ],
    },
    {
        "code": "610124",
        "name": "周至县",
        "name_en": "Zhouzhi County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2015-09-25",
        "office": "周至县商务局",
        "weight": 1.0,
        "characteristic": "周至猕猴桃、秦岭山货、楼观道文化旅游",
        "profile": "周至县北临渭河、南依秦岭，是国家级贫困县，也是全国最大的猕猴桃产区。"
        "每年秋天，猕猴桃经村淘服务站销往全国各地。",
        "villages": [],
        "products": [
            ("周至猕猴桃 徐香 5斤", "fruit", 35, 59, 100),
            ("周至猕猴桃 翠香 5斤", "fruit", 45, 69, 100),
            ("秦岭土蜂蜜 1kg", "dried-goods", 59, 119, 40),
        ],
    },
    {
        "code": "450321",
        "name": "阳朔县",
        "name_en": "Yangshuo County",
        "focus": "tourism",
        "poverty": False,
        "since": "2016-03-18",
        "office": "阳朔县商务局",
        "weight": 1.0,
        "characteristic": "漓江山水旅游、金桔、沙田柚",
        "profile": "阳朔以漓江山水闻名，旅游是县里的支柱产业。白沙镇的金桔和沙田柚在冬季通过村淘卖到北方。",
        "villages": [],
        "products": [
            ("阳朔金桔 5斤", "fruit", 29.9, 49.9, 80),
            ("沙田柚 4个装", "fruit", 35, 59, 60),
        ],
    },
    {
        "code": "361130",
        "name": "婺源县",
        "name_en": "Wuyuan County",
        "focus": "tourism",
        "poverty": False,
        "since": "2015-11-18",
        "office": "婺源县旅游发展委员会",
        "weight": 1.0,
        "characteristic": "油菜花乡村旅游、婺源绿茶、皇菊、荷包红鱼",
        "profile": "婺源被称为“中国最美乡村”，春天的油菜花吸引大批游客。婺源绿茶和皇菊是当地农户最主要的网销产品。",
        "villages": [],
        "products": [
            ("婺源绿茶 250g", "tea", 68, 199, 30),
            ("婺源皇菊 一朵一杯", "tea", 39, 99, 40),
        ],
    },
    {
        "code": "140728",
        "name": "平遥县",
        "name_en": "Pingyao County",
        "focus": "tourism",
        "poverty": False,
        "since": "2016-04-12",
        "office": "平遥县商务局",
        "weight": 1.0,
        "characteristic": "平遥古城旅游、平遥牛肉、推光漆器、长山药",
        "profile": "平遥古城是世界文化遗产，旅游带动了全县经济。"
        "平遥牛肉和推光漆器是游客最爱的特产，也通过网络常年热销。",
        "villages": [],
        "products": [
            ("平遥牛肉 礼盒", "poultry-eggs-meat", 99, 199, 40),
            ("推光漆器 首饰盒", "village-crafts", 199, 699, 10),
            ("平遥长山药 5斤", "vegetables", 35, 59, 40),
        ],
    },
    {
        "code": "433123",
        "name": "凤凰县",
        "name_en": "Fenghuang County",
        "focus": "tourism",
        "poverty": True,
        "since": "2016-01-21",
        "office": "凤凰县商务局",
        "weight": 0.9,
        "characteristic": "凤凰古城旅游、姜糖、苗银、猕猴桃",
        "profile": "凤凰县位于湘西武陵山区，是国家级贫困县，凤凰古城是著名旅游地。"
        "姜糖、苗族银饰和山区猕猴桃通过村淘卖向全国。",
        "villages": [],
        "products": [
            ("凤凰姜糖 500g", "dried-goods", 25, 45, 60),
            ("苗银手镯", "village-crafts", 199, 599, 10),
            ("湘西猕猴桃 5斤", "fruit", 35, 59, 60),
        ],
    },
    {
        "code": "330523",
        "name": "安吉县",
        "name_en": "Anji County",
        "focus": "mixed",
        "poverty": False,
        "since": "2015-04-22",
        "office": "安吉县商务局",
        "weight": 1.3,
        "characteristic": "安吉白茶、竹制品、办公转椅、乡村旅游",
        "profile": "安吉是“绿水青山就是金山银山”理念的发源地，竹林覆盖全县。"
        "安吉白茶、竹制品和办公椅产业都借助电商走向全国。",
        "villages": [],
        "products": [
            ("安吉白茶 明前 100g", "tea", 129, 399, 20),
            ("竹制砧板", "village-crafts", 29, 69, 60),
            ("安吉冬笋 5斤", "vegetables", 49, 89, 40),
        ],
    },
    {
        "code": "320324",
        "name": "睢宁县",
        "name_en": "Suining County",
        "focus": "manufacturing",
        "poverty": False,
        "since": "2015-05-08",
        "office": "睢宁县商务局",
        "weight": 1.3,
        "characteristic": "板式家具、沙集电商、白塘河湿地",
        "profile": "睢宁县沙集镇东风村从拼装简易家具起步，成为全国闻名的淘宝村，"
        "“沙集模式”带动全镇数千家网店生产板式家具。",
        "villages": [("东风村", "沙集镇")],
        "products": [
            ("板式书柜", "village-crafts", 199, 599, 10),
            ("简易电视柜", "village-crafts", 159, 459, 10),
        ],
    },
    {
        "code": "371625",
        "name": "博兴县",
        "name_en": "Boxing County",
        "focus": "handicraft",
        "poverty": False,
        "since": "2015-10-28",
        "office": "博兴县商务局",
        "weight": 1.1,
        "characteristic": "草柳编工艺品、老粗布、厨具",
        "profile": "博兴县锦秋街道湾头村的草柳编手艺已有上千年历史，村民在家编织收纳筐、草帽，通过网店卖到全国和海外。",
        "villages": [("湾头村", "锦秋街道")],
        "products": [
            ("草编收纳筐", "village-crafts", 29, 89, 60),
            ("柳编野餐篮", "village-crafts", 59, 159, 30),
            ("老粗布床单", "village-crafts", 99, 259, 20),
        ],
    },
    {
        "code": "411224",
        "name": "卢氏县",
        "name_en": "Lushi County",
        "focus": "agriculture",
        "poverty": True,
        "since": "2016-05-16",
        "office": "卢氏县电子商务办公室",
        "weight": 0.9,
        "characteristic": "香菇、连翘、核桃、黑木耳",
        "profile": "卢氏县地处豫西深山区，是国家级贫困县。香菇、连翘和核桃是山区农户的主要收入，电商让山货走出大山。",
        "villages": [],
        "products": [
            ("卢氏香菇干 500g", "dried-goods", 39, 79, 60),
            ("卢氏核桃 5斤", "dried-goods", 49, 89, 60),
            ("连翘茶 100g", "tea", 29, 69, 40),
        ],
    },
    {
        "code": "350427",
        "name": "沙县",
        "name_en": "Shaxian County",
        "focus": "mixed",
        "poverty": False,
        "since": "2015-12-15",
        "office": "沙县商务局",
        "weight": 1.0,
        "characteristic": "沙县小吃、竹笋、食用菌",
        "profile": "沙县小吃开遍全国，沙县人把扁肉、拌面的手艺带到了各地城市。"
        "村淘把沙县小吃半成品和山区笋干、菌菇卖到城市家庭。",
        "villages": [],
        "products": [
            ("沙县扁肉 冷冻礼盒", "poultry-eggs-meat", 49, 99, 40),
            ("闽北笋干 500g", "dried-goods", 39, 69, 40),
        ],
    },
    {
        "code": "330185",
        "name": "临安市",
        "name_en": "Lin'an",
        "focus": "agriculture",
        "poverty": False,
        "since": "2015-03-10",
        "office": "临安市商务局",
        "weight": 1.3,
        "characteristic": "山核桃、天目笋干、天目青顶茶",
        "profile": "临安地处天目山区，是“中国山核桃之乡”。每年秋天的山核桃季，村淘服务站的发货量成倍增长。",
        "villages": [],
        "products": [
            ("临安手剥山核桃 500g", "dried-goods", 59, 119, 60),
            ("天目笋干 500g", "dried-goods", 39, 79, 40),
            ("天目青顶 250g", "tea", 99, 259, 20),
        ],
    },
    {
        "code": "331122",
        "name": "缙云县",
        "name_en": "Jinyun County",
        "focus": "mixed",
        "poverty": False,
        "since": "2015-06-02",
        "office": "缙云县商务局",
        "weight": 1.0,
        "characteristic": "缙云烧饼、户外用品、杨梅、麻鸭",
        "profile": "缙云县壶镇镇北山村从卖户外用品起家，成为浙江著名的淘宝村。缙云烧饼和杨梅也是县里的金字招牌。",
        "villages": [("北山村", "壶镇镇")],
        "products": [
            ("缙云麻鸭 (只)", "poultry-eggs-meat", 69, 129, 40),
            ("东魁杨梅 3斤", "fruit", 69, 139, 40),
            ("户外折叠桌椅", "village-crafts", 99, 299, 20),
        ],
    },
    {
        "code": "231283",
        "name": "海伦市",
        "name_en": "Hailun",
        "focus": "agriculture",
        "poverty": True,
        "since": "2016-06-08",
        "office": "海伦市商务局",
        "weight": 0.9,
        "characteristic": "大豆、黑土大米、笨榨豆油",
        "profile": "海伦市位于松嫩平原黑土带，是国家级贫困县，也是全国重要的大豆产区。"
        "黑土地出产的大豆、大米和豆油经村淘卖到南方城市。",
        "villages": [],
        "products": [
            ("海伦大豆 5斤", "grain-oil", 25, 45, 80),
            ("黑土大米 10kg", "grain-oil", 69, 129, 60),
            ("笨榨大豆油 5L", "grain-oil", 79, 139, 40),
        ],
    },
    {
        "code": "411522",
        "name": "光山县",
        "name_en": "Guangshan County",
        "focus": "manufacturing",
        "poverty": True,
        "since": "2016-03-28",
        "office": "光山县商务局",
        "weight": 1.0,
        "characteristic": "羽绒服加工、油茶、光山麻鸭",
        "profile": "光山县地处大别山区，是国家级贫困县。外出从事羽绒加工的光山人返乡创业，"
        "羽绒服和山茶油成了网上热销的光山货。",
        "villages": [],
        "products": [
            ("羽绒服 手工充绒", "village-crafts", 199, 599, 20),
            ("光山山茶油 2.5L", "grain-oil", 129, 259, 30),
        ],
    },
    {
        "code": "500241",
        "name": "秀山土家族苗族自治县",
        "name_en": "Xiushan County",
        "focus": "mixed",
        "poverty": True,
        "since": "2015-11-25",
        "office": "秀山县商务委员会",
        "weight": 1.0,
        "characteristic": "秀山土鸡、金银花、山地物流集散",
        "profile": "秀山地处渝湘黔鄂四省市交界的武陵山区，是国家级贫困县。"
        "县里建起武陵山区电商物流园，把土鸡、金银花等山货集中发往全国。",
        "villages": [],
        "products": [
            ("秀山土鸡 (只)", "poultry-eggs-meat", 89, 169, 40),
            ("金银花茶 100g", "tea", 29, 69, 40),
        ],
    },
    {
        "code": "640521",
        "name": "中宁县",
        "name_en": "Zhongning County",
        "focus": "agriculture",
        "poverty": False,
        "since": "2016-04-26",
        "office": "中宁县商务局",
        "weight": 1.0,
        "characteristic": "中宁枸杞、硒砂瓜",
        "profile": "中宁是“中国枸杞之乡”，黄河灌区出产的枸杞颗粒饱满。每年夏秋两季，枸杞和硒砂瓜经村淘服务站销往全国。",
        "villages": [],
        "products": [
            ("中宁枸杞 500g", "dried-goods", 49, 99, 60),
            ("硒砂瓜 (个)", "fruit", 29, 49, 80),
        ],
    },
    {
        "code": "532528",
        "name": "元阳县",
        "name_en": "Yuanyang County",
        "focus": "tourism",
        "poverty": True,
        "since": "2016-07-12",
        "office": "元阳县商务局",
        "weight": 0.8,
        "characteristic": "哈尼梯田旅游、梯田红米、鸭蛋",
        "profile": "元阳县哈尼梯田是世界文化遗产，县里是国家级贫困县。"
        "梯田里种出的红米和放养的梯田鸭蛋通过村淘卖到城里。",
        "villages": [],
        "products": [
            ("哈尼梯田红米 5kg", "grain-oil", 69, 129, 40),
            ("梯田鸭蛋 30枚", "poultry-eggs-meat", 49, 79, 60),
        ],
    },
    {
        "code": "210681",
        "name": "东港市",
        "name_en": "Donggang",
        "focus": "agriculture",
        "poverty": False,
        "since": "2016-02-24",
        "office": "东港市商务局",
        "weight": 1.0,
        "characteristic": "东港草莓、黄蚬子、大米",
        "profile": "东港市位于鸭绿江入海口，是“中国草莓第一县”。冬春两季的草莓和海边的贝类海鲜是东港最有名的网货。",
        "villages": [],
        "products": [
            ("东港草莓 3斤", "fruit", 69, 129, 60),
            ("东港大米 10kg", "grain-oil", 59, 99, 40),
        ],
    },
]

# Real counties the demo logins and the tests rely on.
LANKAO_CODE = "410225"
PIXIAN_CODE = "510124"
WUGONG_CODE = "610431"

# --------------------------------------------------------------------------------------
# Names. Generated names are built from these pieces.
# --------------------------------------------------------------------------------------

# Common surnames with rough relative frequencies.
SURNAMES: list[tuple[str, int]] = [
    ("王", 72), ("李", 71), ("张", 70), ("刘", 54), ("陈", 46), ("杨", 34), ("黄", 25), ("赵", 22),
    ("吴", 21), ("周", 20), ("徐", 17), ("孙", 16), ("马", 15), ("朱", 14), ("胡", 13), ("郭", 12),
    ("何", 12), ("林", 11), ("高", 11), ("罗", 11), ("郑", 10), ("梁", 9), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 6), ("董", 5), ("潘", 5), ("袁", 5), ("蔡", 5), ("蒋", 5), ("余", 5),
    ("于", 5), ("杜", 4), ("叶", 4), ("程", 4), ("魏", 4), ("苏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("卢", 3), ("姚", 3), ("沈", 3), ("钟", 3), ("姜", 3), ("崔", 3), ("谭", 3),
]  # fmt: skip

GIVEN_NAME_CHARS = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国红梅玉兰海燕春林志新宇浩文"
    "斌波辉鹏飞俊峰凤琴云莲兵亮成东小丹萍晓庆胜利德福贵喜荣佳慧颖雪婷欣怡子涵梓轩"
    "振兴永安长山金水银花翠莹凯旭阳光宏远晨曦家豪思源雨泽保民秋菊冬梅桃李杏根"
)

# Village names: a family name or a landmark plus a settlement word; the region tunes
# the flavour (屯 in the northeast, 厝 and 坑 in Fujian and the south, 坝 in the west).
VILLAGE_SUFFIXES_BY_REGION: dict[str, list[str]] = {
    "east": ["庄", "家庄", "楼", "集", "店", "桥", "湾", "岗", "圩", "埠", "家湾", "坑", "厝", "塘"],
    "central": ["庄", "营", "寨", "楼", "集", "店", "岗", "湾", "家湾", "铺", "坡", "桥", "洼", "堡"],
    "west": ["坝", "沟", "坪", "湾", "寨", "堡", "家沟", "台", "梁", "峪", "河", "坡"],
    "northeast": ["屯", "家屯", "窝堡", "甸子", "岗", "沟", "家店", "营子"],
}
VILLAGE_PREFIXES = ["东", "西", "南", "北", "前", "后", "上", "下", "大", "小", "新", "老"]
VILLAGE_LANDMARKS = [
    "河口", "坝头", "柳树", "枣林", "杏花", "桃园", "石桥", "黄土", "白马", "青山", "双井", "三里",
    "五里", "八里", "马鞍", "龙泉", "槐树", "杨树", "松林", "梨园", "高庙", "关帝", "观音", "红石",
]  # fmt: skip
VILLAGE_AUSPICIOUS = [
    "和平", "新华", "红旗", "胜利", "幸福", "团结", "光明", "丰收", "永安", "太平", "兴隆", "富民",
    "长青", "民主", "建设", "东风", "向阳", "曙光", "友谊", "前进",
]  # fmt: skip
TOWNSHIP_SUFFIXES = ["镇", "镇", "镇", "乡"]

# Syllables for synthetic county names (hanzi, pinyin).
COUNTY_SYLLABLES_FIRST: list[tuple[str, str]] = [
    ("安", "An"), ("平", "Ping"), ("清", "Qing"), ("永", "Yong"), ("长", "Chang"), ("新", "Xin"),
    ("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"), ("宁", "Ning"), ("丰", "Feng"),
    ("兴", "Xing"), ("泰", "Tai"), ("嘉", "Jia"), ("富", "Fu"), ("德", "De"), ("和", "He"),
    ("乐", "Le"), ("临", "Lin"), ("武", "Wu"), ("文", "Wen"), ("宜", "Yi"), ("云", "Yun"),
    ("石", "Shi"), ("龙", "Long"), ("凤", "Feng"), ("金", "Jin"), ("玉", "Yu"), ("桃", "Tao"),
    ("青", "Qing"), ("柳", "Liu"), ("松", "Song"), ("梅", "Mei"), ("广", "Guang"), ("昌", "Chang"),
    ("延", "Yan"), ("建", "Jian"), ("华", "Hua"), ("合", "He"),
]  # fmt: skip
COUNTY_SYLLABLES_SECOND: list[tuple[str, str]] = [
    ("阳", "yang"), ("平", "ping"), ("安", "an"), ("宁", "ning"), ("山", "shan"), ("川", "chuan"),
    ("河", "he"), ("江", "jiang"), ("源", "yuan"), ("城", "cheng"), ("丰", "feng"), ("溪", "xi"),
    ("州", "zhou"), ("陵", "ling"), ("泉", "quan"), ("林", "lin"), ("田", "tian"), ("台", "tai"),
    ("水", "shui"), ("口", "kou"), ("湖", "hu"), ("原", "yuan"), ("谷", "gu"), ("都", "du"),
    ("乡", "xiang"), ("化", "hua"), ("昌", "chang"), ("兴", "xing"),
]  # fmt: skip

# For synthetic counties: characteristic products by economic focus.
SYNTHETIC_CHARACTERISTICS: dict[str, list[str]] = {
    "agriculture": ["苹果", "小米", "红枣", "核桃", "土鸡蛋", "香菇", "大米", "花生", "柑橘", "蜂蜜", "茶叶", "红薯"],
    "tourism": ["古镇旅游", "山水民宿", "农家乐", "溶洞景区", "茶园观光", "温泉"],
    "manufacturing": ["服装加工", "小家电", "五金制品", "箱包", "鞋业", "家具"],
    "handicraft": ["竹编", "陶瓷", "刺绣", "木雕", "草编", "剪纸"],
    "mixed": ["土特产", "农家乐", "服装加工", "山货", "特色小吃"],
}
SYNTHETIC_PROFILE_TEMPLATES: dict[str, str] = {
    "agriculture": "{name}以农业为主，{products}是当地农户的主要收入来源。村淘服务站帮助农户把农产品卖到城市。",
    "tourism": "{name}山清水秀，{products}带动了乡村旅游。村淘服务站为游客和村民提供代购和寄递服务。",
    "manufacturing": "{name}的{products}产业集聚了数百家小工厂，农民在家门口就业。村淘把工厂货直接送到村里。",
    "handicraft": "{name}的{products}手艺代代相传，村里的手艺人通过村淘把手工艺品卖向全国。",
    "mixed": "{name}经济多元，{products}各具特色。村淘服务站是村民网购和卖货的好帮手。",
}

PREVIOUS_OCCUPATIONS = [
    "小卖部店主", "返乡青年", "村会计", "退伍军人", "大学生村官", "快递代办点负责人", "农资店主",
    "个体户", "外出务工返乡", "乡村教师", "手机店店员", "养殖户", "种植大户", "卫生室护士", "电工",
]  # fmt: skip
MOTIVATIONS = [
    "想在家门口创业，照顾老人和孩子。",
    "村里年轻人少，老人网购不方便，想帮乡亲们代购。",
    "在外打工多年，想回村做点事情。",
    "家里开小卖部，想把网购服务也做起来。",
    "想帮村里把农产品卖出去。",
    "看到邻村合伙人做得好，也想试一试。",
    "熟悉电脑和手机，愿意为村民服务。",
]
REJECTION_REASONS = ["资料不完整", "所在村已有合伙人", "场地不符合服务站要求", "面试未通过"]
SUSPENSION_REASONS = ["连续两个月无订单", "服务站装修暂停营业", "村民投诉待核实", "合伙人外出务工"]
EXIT_REASONS = ["个人原因退出", "外出务工", "转做其他生意", "考核未达标"]
TRAINING_FAILURE_REASONS = ["网店运营考核未及格", "缺课两次以上", "实操考核未通过"]
WITHDRAWAL_REASONS = ["家里农忙抽不开身", "外出务工", "找不到合适的服务站场地", "家人不同意"]

# Carrier prefixes of mainland mobile numbers (all match ^1[3-9][0-9]{9}$).
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182",
    "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
]  # fmt: skip

# Chinese New Year's Day (Gregorian), for the seasonal rhythm: shopping rises in the weeks
# before the festival and almost stops while couriers are on holiday.
SPRING_FESTIVAL: dict[int, str] = {
    2014: "2014-01-31", 2015: "2015-02-19", 2016: "2016-02-08", 2017: "2017-01-28", 2018: "2018-02-16",
    2019: "2019-02-05", 2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22",
    2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26",
    2029: "2029-02-13", 2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31",
    2034: "2034-02-19", 2035: "2035-02-08",
}  # fmt: skip

# Commission rates by category (created only where a category has no rate yet), and a
# raise for appliances half-way through the first seeded period, so that "the rate in
# force on the day the order was paid" is visible in the demo.
COMMISSION_RATES: dict[str, str] = {
    "appliances": "0.0200",
    "phones-digital": "0.0150",
    "building-materials": "0.0300",
    "farm-supplies": "0.0300",
    "daily-goods": "0.0500",
    "furniture": "0.0400",
    "clothing": "0.0600",
    "food": "0.0500",
    "baby-maternity": "0.0400",
    "auto-moto-parts": "0.0400",
    "hardware-tools": "0.0400",
    "beauty-personal-care": "0.0600",
    "health-medicine": "0.0500",
    "books-stationery": "0.0500",
    "sports-outdoor": "0.0500",
    "sanitation": "0.0400",
    "fruit": "0.0300",
    "grain-oil": "0.0300",
    "tea": "0.0400",
    "dried-goods": "0.0300",
    "poultry-eggs-meat": "0.0300",
    "vegetables": "0.0300",
    "flowers-seedlings": "0.0300",
    "village-crafts": "0.0400",
}
COMMISSION_RATE_RAISE: tuple[str, str] = ("appliances", "0.0250")

# Monthly incentive tiers on assisted-purchase sales (created only when there are none).
INCENTIVE_TIERS: list[tuple[str, str]] = [
    ("20000.00", "200.00"),
    ("50000.00", "600.00"),
    ("100000.00", "1500.00"),
    ("300000.00", "5000.00"),
]


# Official online retail sales (网络零售额) of the trailing 12 months per county, yuan,
# and the yearly growth: the first ten are above the ¥1亿 mark (亿元淘宝县) — 砀山, 通榆,
# 成县 and 寻乌 national poverty counties among them — and the last three approach it.
# The figures are illustrative, in the proportions the programme's reports give.
OFFICIAL_ONLINE_SALES: dict[str, tuple[float, float]] = {
    "330782": (2_400_000_000, 1.25),  # 义乌市
    "321322": (1_800_000_000, 1.40),  # 沭阳县
    "371721": (1_200_000_000, 1.60),  # 曹县
    "130534": (950_000_000, 1.30),  # 清河县
    "350524": (600_000_000, 1.35),  # 安溪县
    "331123": (320_000_000, 1.30),  # 遂昌县
    "341321": (450_000_000, 1.50),  # 砀山县 (poverty county)
    "220822": (160_000_000, 1.45),  # 通榆县 (poverty county)
    "621221": (210_000_000, 1.55),  # 成县 (poverty county)
    "360734": (135_000_000, 1.40),  # 寻乌县 (poverty county)
    "410225": (78_000_000, 1.35),  # 兰考县: reaches the mark in a year or two at its growth
    "610431": (62_000_000, 1.30),  # 武功县
    "610124": (41_000_000, 1.20),  # 周至县
}
# A month's share of the year ×12 (mean 1): the Spring Festival lull, the 6.18 and the
# 11.11 peaks.
ONLINE_SALES_SEASON = (0.85, 0.70, 0.90, 0.95, 1.00, 1.10, 0.95, 0.95, 1.00, 1.05, 1.40, 1.15)
