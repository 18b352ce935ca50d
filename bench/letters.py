#!/usr/bin/env python3
"""Generate a labelled set of letters for the decisions benchmark.

    bench/letters.py OUTDIR [--count N] [--seed S]

Writes OUTDIR/LNNN.txt (pages split by form-feed lines, for
tests/render-letters.sh), OUTDIR/LNNN.defect (how to scan it: skew,
noise, turn, paper) and OUTDIR/labels.jsonl, one object per letter in
import order: file, lang, valid, invalid_reason, mailbox, department,
writer {name, phone, id_number}, repeat, repeat_of (files), risk,
related_to (files).

Letters are built from templates that vary the structure (title or not,
greeting line, paragraph order, request list or sentence, closing,
signature label, contact forms), the addressee (a leader, the
department, the letters office, nobody), the matter (three per
department, each with its own places, counterparts and sums), the writer
(some write again on the same matter, reworded, or on another matter;
some neighbours write on the same matter), risk sentences of three kinds,
and every kind of invalid letter.  The same seed gives the same set.
"""

import argparse
import json
import os
import random

DISTRICTS = ["渝中区", "江北区", "南岸区", "九龙坡区", "沙坪坝区", "渝北区",
             "巴南区", "北碚区", "大渡口区"]
DISTRICTS_EN = ["Yuzhong", "Jiangbei", "Nan'an", "Jiulongpo", "Shapingba",
                "Yubei", "Banan", "Beibei", "Dadukou"]
COMMUNITIES = ["幸福里小区", "春华苑", "绿苑小区", "龙湖花园", "金色家园",
               "翠竹苑", "阳光城", "滨江花园", "桃源居", "和平新村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["建国", "秀英", "志强", "海燕", "国庆", "丽华", "小明", "红梅",
         "德明", "桂兰", "文军", "玉珍", "永刚", "春花", "卫东", "淑芬"]
EN_FIRST = ["John", "Mary", "David", "Susan", "Peter", "Linda", "James",
            "Karen", "Thomas", "Helen", "Robert", "Nancy"]
EN_LAST = ["Smith", "Brown", "Wilson", "Taylor", "Clark", "Walker", "Hall",
           "Young", "King", "Wright", "Green", "Baker"]

# matters[department] = list of (zh facts, en facts); a fact template
# names {place} {who} {sum} {when}; each matter has several sentences to
# draw from so that a letter written again is reworded.
MATTERS = {
    "housing": [
        {"zh": ["{place}的物业公司从{when}起擅自把停车费从每月一百五十元涨到{sum}元，没有召开业主大会。",
                "业主们去物业办公室询问，{who}只说这是公司的决定，不交费的车辆一律不准进小区。",
                "物业公司涨价之前没有公示收费依据，也没有征求业主委员会的意见。",
                "我们小区三百多户业主对{who}乱收停车费的做法意见很大。"],
         "en": ["Since {when} the property management company of {place} has raised the parking fee to {sum} yuan a month without any homeowners' meeting.",
                "When residents asked, {who} said the decision was final and cars that do not pay may not enter the estate.",
                "The company never showed the basis of the new fee to the homeowners."],
         "who": ["物业经理", "物业公司的工作人员", "物业前台"],
         "who_en": ["the property manager", "the company's staff"]},
        {"zh": ["{place}的天然气管道已经用了三十多年，{when}又发生了燃气泄漏。",
                "燃气公司说小区内的燃气管道属于业主共有部分，更换费用要业主承担，{who}说不归他们管。",
                "居民闻到燃气味后拨打抢修电话，抢修人员两个多小时才到。",
                "老旧小区的燃气管道老化严重，我们每天都提心吊胆。"],
         "en": ["The gas pipes in {place} are more than thirty years old and there was another gas leak in {when}.",
                "The gas company says the pipes belong to the homeowners, and {who} says it is not their business.",
                "Repair crews took two hours to come after residents reported the smell of gas."],
         "who": ["街道办事处", "社区居委会"],
         "who_en": ["the street office", "the community committee"]},
        {"zh": ["我在{place}买的房子，开发商{who}承诺{when}交房，到现在已经逾期一年多还没有交房。",
                "开发商说资金困难，工地已经停工，买房的三百多户业主每月还要还房贷。",
                "我们多次找开发商，开发商一直拖着不给说法，房产证也办不下来。",
                "烂尾楼的问题已经严重影响了我们一家人的生活。"],
         "en": ["I bought a flat in {place} from the developer {who}, who promised to hand it over in {when}; it is more than a year late.",
                "The developer has stopped building and the three hundred buyers still pay their mortgages every month.",
                "We cannot get our property certificates either."],
         "who": ["恒达置业公司", "金源房地产公司", "宏图开发公司"],
         "who_en": ["Hengda Property", "Jinyuan Real Estate"]},
    ],
    "transport": [
        {"zh": ["{when}起，{place}门口的公交车站被取消了，最近的公交站点在两公里以外。",
                "小区里很多老人要坐公交车去医院，现在只能走很远的路，{who}说线路调整是上面定的。",
                "公交线路调整前没有征求居民的意见，也没有任何公告。",
                "下雨天老人走到车站要四十多分钟，非常不方便。"],
         "en": ["Since {when} the bus stop at the gate of {place} has been removed and the nearest stop is two kilometres away.",
                "Many elderly residents take the bus to hospital and now have to walk a long way; {who} says the route change was decided above.",
                "Nobody asked the residents before the bus route was changed."],
         "who": ["公交公司", "公交公司调度员"],
         "who_en": ["the bus company", "the bus company's dispatcher"]},
        {"zh": ["{place}外面的道路坑坑洼洼，路面塌陷已经半年多没人修。",
                "{when}一位老人晚上骑车经过时摔伤了，{who}说没有维修经费。",
                "这条路是附近居民和学生出行的必经之路，每天车流量很大。",
                "路面上的大坑下雨后积满了水，车辆经过时溅得行人一身泥。"],
         "en": ["The road outside {place} is full of potholes and has not been repaired for half a year.",
                "In {when} an old man fell from his bicycle there at night; {who} says there is no money for repairs.",
                "Children walk along this road to school every day."],
         "who": ["道路养护部门", "区市政公司"],
         "who_en": ["the road maintenance office", "the district works company"]},
        {"zh": ["{place}附近的十字路口没有红绿灯，也没有斑马线，上下班时间拥堵非常严重。",
                "{when}这个路口又发生了交通事故，一名学生被车撞伤。",
                "我们向{who}反映过多次，一直说要研究。",
                "路口的大货车速度很快，行人过马路非常危险。"],
         "en": ["The crossing near {place} has no traffic lights and no zebra crossing, and traffic jams are terrible at rush hour.",
                "In {when} a student was hit by a car at this crossing.",
                "We told {who} many times but nothing has happened."],
         "who": ["交警大队", "交通部门"],
         "who_en": ["the traffic police", "the transport office"]},
    ],
    "labor": [
        {"zh": ["我和{sum}名工友在{place}附近的工地干活，包工头{who}拖欠我们的工资已经半年多。",
                "包工头说总承包公司没有拨款，总承包公司又说工程款早就付清了。",
                "农民工一年到头辛辛苦苦，拿不到工资，家里的老人孩子都没法养。",
                "我们到劳动监察大队反映过，{when}登记以后一直没有答复。"],
         "en": ["I and {sum} other workers built a housing project near {place}, and the subcontractor {who} has not paid our wages for half a year.",
                "The subcontractor says the main contractor has not paid him; the contractor says it paid long ago.",
                "We reported it to the labour inspectors in {when} and heard nothing."],
         "who": ["刘某", "陈某", "黄某"],
         "who_en": ["Mr Liu", "Mr Chen"]},
        {"zh": ["我在{who}工作了十二年，{when}公司突然把我辞退了，没有任何经济补偿。",
                "公司还有两年没有给我缴纳社保，我的养老保险断缴了。",
                "我去找公司人事部门，他们说劳动合同已经到期，不用补偿。",
                "我已经五十多岁了，找工作很难，全家就靠我这份工资。"],
         "en": ["I worked for {who} for twelve years and in {when} I was dismissed without any compensation.",
                "The company also did not pay my social insurance for two years.",
                "The personnel office says my contract had ended."],
         "who": ["华丰机械厂", "宏远物流公司", "南方纺织公司"],
         "who_en": ["Huafeng Machinery", "Hongyuan Logistics"]},
        {"zh": ["我父亲退休后，养老金从{when}起一直没有按时发放，已经欠了{sum}个月。",
                "社保经办机构说是系统问题，让我们等通知。",
                "我父亲患有慢性病，每个月都要买药，没有退休金生活很困难。",
                "我们去社保局问了好几次，{who}每次都说在处理。"],
         "en": ["My father's pension has not been paid on time since {when}; {sum} months are owed.",
                "The social insurance office says it is a system problem.",
                "My father is ill and needs the money for medicine every month."],
         "who": ["窗口工作人员", "社保局的同志"],
         "who_en": ["the clerk", "the pension office"]},
    ],
    "police": [
        {"zh": ["{when}晚上，我家位于{place}的房子被盗，丢失现金和首饰价值{sum}元。",
                "我当晚就向派出所报警，民警来做了笔录，到现在已经三个月没有任何消息。",
                "最近小区里接连发生入室盗窃，居民们晚上都不敢出门。",
                "我们多次打电话问{who}，对方只说在侦查。"],
         "en": ["On a night in {when} my home in {place} was burgled and cash and jewellery worth {sum} yuan were stolen.",
                "I called the police that night; three months later there is still no news.",
                "There have been several burglaries in the estate since then."],
         "who": ["办案民警", "派出所值班民警"],
         "who_en": ["the officer in charge", "the police station"]},
        {"zh": ["{place}附近有一家茶楼长期聚众赌博，每天晚上有几十个人出入。",
                "赌博的人经常吵架打架，还有人放高利贷，附近居民不得安宁。",
                "我们向{who}反映过，警察来了一次以后很快又恢复了。",
                "{when}还有人因为赌债在小区门口被人殴打。"],
         "en": ["A tea house near {place} is a gambling den where dozens of people gather every night.",
                "There are fights and loan sharks, and the neighbours cannot sleep.",
                "We told {who}; the police came once and it started again."],
         "who": ["辖区派出所", "社区民警"],
         "who_en": ["the local police station", "the community police officer"]},
        {"zh": ["我母亲{when}接到一个自称公安局的电话，被骗走了{sum}元积蓄。",
                "骗子冒充警察说她的银行卡涉嫌洗钱，让她把钱转到所谓安全账户。",
                "报警以后，{who}说电信诈骗很难追回。",
                "我母亲七十多岁了，这是她一辈子的积蓄，现在整天以泪洗面。"],
         "en": ["In {when} my mother received a call from someone posing as the police and was cheated of {sum} yuan.",
                "The fraudster told her to move her savings to a 'safe account'.",
                "{who} says telephone fraud money is hard to recover."],
         "who": ["派出所", "反诈中心"],
         "who_en": ["The police station", "The anti-fraud centre"]},
    ],
    "courts": [
        {"zh": ["我与{who}的借款纠纷，法院{when}已经作出判决，判令对方归还{sum}元。",
                "判决生效两年多了，我申请强制执行，执行法官说对方名下没有财产。",
                "可是对方还开着豪车，住着别墅，明显是在转移财产。",
                "法院执行不力，我的合法权益得不到保障。"],
         "en": ["The court ruled in {when} that {who} must repay me {sum} yuan.",
                "Two years later the judgment is still not enforced; the enforcement judge says the debtor has no property.",
                "Yet he drives an expensive car, clearly hiding his assets."],
         "who": ["某建材公司老板", "我的前合伙人", "某贸易公司"],
         "who_en": ["a building materials dealer", "my former partner"]},
        {"zh": ["我的工伤赔偿案件在区法院审理了一年多，{when}一审判决只支持了很少一部分。",
                "我认为判决认定事实错误，已经提起上诉，二审法院却迟迟不开庭。",
                "{who}说案子多要排队，让我耐心等。",
                "我受伤后不能干重活，家里已经欠了{sum}元外债。"],
         "en": ["My work injury case was tried for more than a year and the first judgment in {when} awarded very little.",
                "I appealed, but the appeal court has not held a hearing.",
                "{who} tells me to wait."],
         "who": ["法院立案庭", "承办法官"],
         "who_en": ["The filing office", "The judge"]},
        {"zh": ["我的哥哥在{when}被判刑，我们家属认为这是一起冤案，证据不足。",
                "我们向检察院提出申诉，至今没有任何答复。",
                "审判过程中关键证人没有出庭，辩护律师的意见也没有被采纳。",
                "我们只希望案件能够依法再审，还我哥哥一个公道。"],
         "en": ["My brother was sentenced in {when}; our family believes it was a wrongful conviction.",
                "We petitioned the procuratorate and have had no answer.",
                "Key witnesses never appeared at the trial."],
         "who": ["检察院"],
         "who_en": ["the procuratorate"]},
    ],
    "discipline": [
        {"zh": ["{place}所在的村，村支书{who}贪污扶贫款，把上面拨给困难户的补助发给了自己的亲戚。",
                "村里修路的工程款{sum}万元，实际只修了一半，剩下的钱去向不明。",
                "村干部还向村民索要好处费，不给钱就不给办低保。",
                "村民们敢怒不敢言，{when}有人去乡里反映，回来就被报复。"],
         "en": ["In our village near {place}, the village party secretary {who} embezzled poverty relief funds and gave them to his relatives.",
                "Of {sum} ten-thousand yuan for a village road, only half was spent; nobody knows where the rest went.",
                "Village officials demand bribes before they process benefit applications."],
         "who": ["王某", "李某", "张某"],
         "who_en": ["Wang", "Li"]},
        {"zh": ["区里某局的干部{who}利用职权，在项目审批中收受开发商的贿赂。",
                "据我了解，他{when}收了一家公司{sum}万元的红包，帮对方违规拿到了项目。",
                "他的亲属开了一家公司，专门承接他负责的工程，以权谋私。",
                "这种腐败行为严重损害了政府的形象。"],
         "en": ["An official of a district bureau, {who}, takes bribes from developers in exchange for approvals.",
                "In {when} he took {sum} ten-thousand yuan from one company.",
                "His relatives' company wins the contracts he supervises."],
         "who": ["赵某", "钱某", "孙某"],
         "who_en": ["Zhao", "Qian"]},
        {"zh": ["我到街道办事处办理证明，工作人员{who}一拖再拖，吃拿卡要，不送礼就不给办。",
                "从{when}开始我跑了七八趟，每次都说材料不全，却不一次说清楚要什么。",
                "这种不作为、乱作为的作风让老百姓寒心。",
                "有的干部上班时间玩手机、打牌，群众的事情没人管。"],
         "en": ["At the street office the official {who} kept delaying my certificate and hinted that I should give him a gift.",
                "Since {when} I have gone there seven or eight times.",
                "Officials play cards in working hours while people's business waits."],
         "who": ["周某", "吴某"],
         "who_en": ["Zhou", "Wu"]},
    ],
    "environment": [
        {"zh": ["{place}东边有一个工地，从{when}开始几乎每天夜里都在施工，噪声一直持续到凌晨。",
                "我用手机测过，夜里十二点卧室窗边的噪声超过七十分贝。",
                "小区里很多老人和准备高考的学生长期睡不好觉。",
                "我们向{who}反映过，工地白天停一停，晚上照样施工。"],
         "en": ["A construction site east of {place} has worked almost every night since {when}, and the noise goes on until the small hours.",
                "I measured more than seventy decibels at my bedroom window at midnight.",
                "We told {who}; the site stops by day and works again at night."],
         "who": ["施工单位", "工地负责人"],
         "who_en": ["the builder", "the site manager"]},
        {"zh": ["{place}附近的{who}长期偷排废水，河水发黑发臭，鱼都死光了。",
                "每到晚上，化工厂的烟囱冒出刺鼻的废气，居民们不敢开窗。",
                "{when}以来，附近很多居民出现咳嗽、头晕等症状。",
                "环境污染这么严重，却一直没有人来查处。"],
         "en": ["The {who} near {place} discharges waste water into the river, which is black and smells; the fish are dead.",
                "At night the chimneys give off choking fumes.",
                "Since {when} many residents have had coughs and dizziness."],
         "who": ["化工厂", "印染厂", "造纸厂"],
         "who_en": ["chemical plant", "dye works"]},
        {"zh": ["{place}楼下新开了一家烧烤店，每天晚上油烟和噪音很大，一直到凌晨两点。",
                "油烟直接排到我们的窗户上，家里的衣服都是烟味。",
                "我们多次找店主{who}协商，对方置之不理。",
                "{when}以来，楼上的住户都不敢开窗。"],
         "en": ["A barbecue restaurant opened below {place}; every night there is smoke and noise until two in the morning.",
                "The smoke blows straight into our windows.",
                "We talked to the owner {who} many times without result."],
         "who": ["老陈", "老板娘"],
         "who_en": ["Mr Chen", "the owner"]},
    ],
    "education": [
        {"zh": ["我的孩子在{place}附近的小学读书，学校{when}起要求每个学生交{sum}元的补课费。",
                "老师在课堂上不讲重点，却在课外补课时讲，不参加补课的学生受到冷落。",
                "很多家长都有意见，但怕孩子受影响不敢说。",
                "学校还强制学生购买指定的教辅资料。"],
         "en": ["My child's primary school near {place} has charged every pupil {sum} yuan for extra classes since {when}.",
                "Teachers keep the important points for the paid classes.",
                "Parents are afraid to complain."],
         "who": ["班主任"],
         "who_en": ["the class teacher"]},
        {"zh": ["我们家住在{place}，按学区划分孩子应该在附近的中学入学。",
                "可是{when}学校说学位已满，让我们去五公里外的学校。",
                "据了解，不少不在学区的学生通过关系择校进了这所学校。",
                "{who}对招生情况不公开，家长们怀疑有暗箱操作。"],
         "en": ["We live in {place}, inside the catchment area of the nearby secondary school.",
                "In {when} the school said it had no places and sent us to a school five kilometres away.",
                "Children from outside the area got in through connections."],
         "who": ["学校招生办", "区教育部门"],
         "who_en": ["The admissions office", "The district education office"]},
        {"zh": ["{place}附近的幼儿园{when}突然关门，老板卷走了家长预交的{sum}元学费。",
                "一百多个孩子没有地方上学，家长们只能请假在家带孩子。",
                "这家幼儿园没有办学许可证，却开了三年都没人管。",
                "我们找到{who}，对方说不归他们管。"],
         "en": ["A kindergarten near {place} closed suddenly in {when} and the owner vanished with {sum} yuan of prepaid fees.",
                "More than a hundred children have nowhere to go.",
                "It never had a licence."],
         "who": ["街道", "教育局"],
         "who_en": ["the street office", "the education bureau"]},
    ],
    "health": [
        {"zh": ["我父亲{when}在{who}做手术，医生误诊，手术后病情反而加重。",
                "医院拒绝提供完整的病历，只说是正常的手术风险。",
                "我们申请医疗事故鉴定，医院一直拖着不配合。",
                "现在父亲住院花了{sum}元，全家已经负债累累。"],
         "en": ["My father had surgery at {who} in {when}; the doctors misdiagnosed him and he is worse after the operation.",
                "The hospital refuses to give us the full medical records.",
                "The treatment has already cost {sum} yuan."],
         "who": ["区人民医院", "市第三医院"],
         "who_en": ["the District People's Hospital", "City Hospital No. 3"]},
        {"zh": ["{place}附近的社区卫生院经常没有医生值班，老人看病要跑很远。",
                "{when}一位老人晚上突发疾病，卫生院没有医生，耽误了抢救。",
                "卫生院的药品价格比外面药店贵很多。",
                "我们向{who}反映过，一直没有改善。"],
         "en": ["The community clinic near {place} often has no doctor on duty.",
                "In {when} an old man fell ill at night and the clinic could not help him.",
                "Medicines there cost more than in pharmacies."],
         "who": ["卫生院院长", "街道"],
         "who_en": ["the clinic's director", "the street office"]},
        {"zh": ["我的孩子{when}在{who}打疫苗后出现高烧抽搐，医院说与疫苗无关。",
                "我们要求做异常反应鉴定，相关部门一直推诿。",
                "孩子现在还在住院，已经花了{sum}元医药费。",
                "作为家长，我们只想弄清楚原因。"],
         "en": ["My child had a high fever and fits after a vaccine at {who} in {when}.",
                "We asked for an adverse reaction assessment and were passed from office to office.",
                "The hospital bills are already {sum} yuan."],
         "who": ["社区医院", "区疾控中心"],
         "who_en": ["the community hospital", "the disease control centre"]},
    ],
    "urban": [
        {"zh": ["{place}一楼的住户{who}私搭乱建，把院子扩建成了两层的违章建筑。",
                "违建挡住了楼上住户的采光，还占用了消防通道。",
                "我们{when}向城管反映过，城管来看过以后就没有下文了。",
                "违章建筑存在很大的安全隐患。"],
         "en": ["The ground-floor resident {who} in {place} has built an illegal two-storey extension in the yard.",
                "It blocks the light and the fire lane.",
                "We reported it to urban management in {when} and nothing happened."],
         "who": ["马某", "何某"],
         "who_en": ["Ma", "He"]},
        {"zh": ["{place}门口的道路两边每天都有流动摊贩占道经营，垃圾遍地。",
                "晚上摊贩的油烟和吵闹声让居民无法休息，车辆也无法通行。",
                "{when}以来情况越来越严重，{who}偶尔来一次，走了又恢复原样。",
                "环卫工人清扫不过来，夏天臭气熏天。"],
         "en": ["Street vendors occupy both sides of the road at the gate of {place} every day and leave rubbish everywhere.",
                "Since {when} it has got worse; {who} come now and then and the vendors return.",
                "In summer the smell is terrible."],
         "who": ["城管队员", "城管"],
         "who_en": ["urban management officers", "the inspectors"]},
        {"zh": ["{place}里面的路灯坏了半年多，晚上一片漆黑。",
                "路边的井盖也丢了，{when}有一个小孩差点掉进去。",
                "小区的绿化带被人占用种菜，树木也被砍了好几棵。",
                "我们多次打电话给{who}，一直没有人来修。"],
         "en": ["The street lights in {place} have been broken for half a year.",
                "A manhole cover is missing and in {when} a child nearly fell in.",
                "We phoned {who} several times and nobody came."],
         "who": ["市政热线", "物业"],
         "who_en": ["the city hotline", "the maintenance office"]},
    ],
}

DEPT_NAMES = {"housing": ("市住房城乡建委", "the Housing and Urban-Rural Development Commission"),
              "transport": ("市交通局", "the Transport Bureau"),
              "labor": ("市人力社保局", "the Human Resources and Social Security Bureau"),
              "police": ("市公安局", "the Public Security Bureau"),
              "courts": ("市中级人民法院", "the Intermediate People's Court"),
              "discipline": ("市纪委监委", "the Commission for Discipline Inspection"),
              "environment": ("市生态环境局", "the Ecology and Environment Bureau"),
              "education": ("市教委", "the Education Commission"),
              "health": ("市卫健委", "the Health Commission"),
              "urban": ("市城市管理局", "the Urban Management Bureau")}

REQUESTS_ZH = [["恳请领导高度重视，督促有关部门尽快调查处理。", "请求依法查处，维护群众的合法权益。"],
               ["希望有关部门尽快解决这个问题。", "盼复为谢！"],
               ["为此，我们请求：", "一、尽快调查核实情况；", "二、依法依规严肃处理；", "三、将处理结果告知我们。"],
               ["恳请您在百忙之中关心此事，帮助我们解决困难。"]]
REQUESTS_EN = [["We ask you to look into this and have the matter resolved."],
               ["Please urge the department concerned to investigate and fix it.", "We hope to hear from you soon."],
               ["We request that:", "1. the facts be investigated;", "2. those responsible be dealt with;", "3. we be told the result."]]

RISK = {"self_harm": ["如果再不解决，我只能从楼顶跳下去，一死了之。", "我已经活不下去了，真想一了百了，喝农药算了。"],
        "violence": ["再不给说法，我就和他们同归于尽。", "逼急了我就去报复那个包工头，让他血债血偿。"],
        "escalation": ["如果还不解决，我们几十个人就集体去北京上访。", "再没有结果，我们就去堵路，拉横幅，找媒体曝光。"]}
RISK_EN = {"self_harm": ["If nothing is done I will end my life.", "I cannot go on; I want to kill myself."],
           "violence": ["If they will not pay I will make them pay, I will kill him.", "I will take revenge and burn down his office."],
           "escalation": ["If nothing happens we will all go to Beijing to petition.", "Next we will block the road and take matters into our own hands."]}

INVALID_TEXTS = {
    "advertising": ["新店开业大酬宾，全场特价，限时八折优惠！", "凡到店消费满一百元即可免费领取精美礼品一份。",
                    "本店代办各类证件，价格低廉，欢迎来电咨询。", "咨询热线：023-6{n}", "地址：{place}临街门面"],
    "article": ["本报讯（记者 {name} 通讯员 {name2}）{when}，全市城市管理工作会议召开。",
                "会议总结了去年的工作，部署了今年的重点任务。会议指出，要进一步提升城市精细化管理水平。",
                "据介绍，去年全市共新增绿地面积一百二十万平方米，改造老旧小区三百余个。",
                "责任编辑：{name3}"],
    "no_request": ["今天天气很好，我早上六点起床，去公园散步，看见很多老人在打太极拳。",
                   "中午我吃了一碗面条，下午在家看电视，晚上和老伴聊天，说起年轻时候的事情。",
                   "我年轻的时候在工厂上班，那时候大家都很团结，日子虽然苦，但是很快乐。",
                   "现在孩子们都长大了，各自成家，我们老两口过得也还可以。"],
}


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def zh_name(rng):
    return pick(rng, SURNAMES) + pick(rng, GIVEN)


def en_name(rng):
    return pick(rng, EN_FIRST) + " " + pick(rng, EN_LAST)


def id_number(rng, valid=True):
    area = pick(rng, ["500103", "500105", "500108", "500112", "110105"])
    body = area + "%04d%02d%02d" % (rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 28)) + "%03d" % rng.randrange(1000)
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(a) * b for a, b in zip(body, w)) % 11]
    if not valid:
        check = pick(rng, [c for c in "0123456789" if c != check])
    return body + check


def phone_forms(rng, number):
    """The writer's mobile as written: dashes, spaces, plain or full-width."""
    form = rng.randrange(4)
    if form == 0:
        return number[:3] + "-" + number[3:7] + "-" + number[7:]
    if form == 1:
        return number[:3] + " " + number[3:7] + " " + number[7:]
    if form == 2:
        return "".join(chr(ord(c) + 0xfee0) for c in number)
    return number


class Writer:
    def __init__(self, rng, lang, n):
        self.lang = lang
        self.name = zh_name(rng) if lang == "zh" else en_name(rng)
        self.phone = "1%d%09d" % (pick(rng, [3, 5, 7, 8, 9]), 100000000 + n * 7919 % 899999999)
        self.id_number = id_number(rng) if rng.random() < 0.4 else None
        self.district = pick(rng, DISTRICTS)
        self.community = pick(rng, COMMUNITIES)
        self.address = "%s%s%d栋%d单元%d室" % (self.district, self.community, rng.randrange(1, 20), rng.randrange(1, 5), rng.randrange(101, 2601))


def facts(rng, dept, matter, lang, w, fixed):
    m = MATTERS[dept][matter]
    # The core fact (the first sentence) is always told; then some of the
    # others, in any order.
    rest = list(m[lang][1:])
    rng.shuffle(rest)
    sentences = [m[lang][0]] + rest
    if rng.random() < 0.5:
        sentences[0], sentences[1] = sentences[1], sentences[0]
    k = rng.randrange(2, len(sentences) + 1)
    place = (w.district + w.community) if lang == "zh" else w.community.replace("小区", "") + " estate"
    if lang == "en":
        place = "the " + pick(rng, ["Riverside", "Hillview", "Sunny", "Lakeside", "Garden"]) + " estate"
    vals = dict(place=fixed.get("place", place), who=fixed.get("who", pick(rng, m["who"] if lang == "zh" else m["who_en"])),
                sum=fixed.get("sum", str(rng.randrange(3, 60) * (1 if dept in ("labor",) else 1000))),
                when=fixed.get("when", pick(rng, ["今年三月", "去年十月", "今年五月", "上个月"]) if lang == "zh" else pick(rng, ["March", "last October", "May", "last month"])))
    return [s.format(**vals) for s in sentences[:k]], vals


def letter_zh(rng, w, dept, matter, addressee, fixed, risk_kind, again):
    lines = []
    if rng.random() < 0.3:
        lines.append("关于%s的反映" % pick(rng, ["小区问题", "有关情况", "我的困难", "一件事情"]))
    if addressee == "secretary":
        lines.append(pick(rng, ["尊敬的市委书记：", "尊敬的书记：", "敬爱的市委书记："]))
    elif addressee == "mayor":
        lines.append(pick(rng, ["尊敬的市长：", "市长您好：", "尊敬的市长同志："]))
    elif addressee == "department":
        lines.append(DEPT_NAMES[dept][0] + "：")
    elif addressee == "office":
        lines.append(pick(rng, ["市信访办：", "尊敬的领导："]))
    if rng.random() < 0.6 and addressee != "none":
        lines.append("　　" + pick(rng, ["您好！", "你们好！"]))
    intro = pick(rng, ["我是%s的居民%s。", "我叫%s，住在%s。", "我是住在%s的%s。"])
    if intro.startswith("我叫"):
        lines.append("　　" + intro % (w.name, w.district + w.community))
    else:
        lines.append("　　" + intro % (w.district + w.community, w.name))
    if again:
        lines.append("　　" + pick(rng, ["去年我曾经给您写过信反映这件事，可是到现在还没有解决。", "这件事我已经反映过一次，至今没有结果，只好再次写信。"]))
    body, vals = facts(rng, dept, matter, "zh", w, fixed)
    for s in body:
        lines.append("　　" + s)
    if risk_kind:
        lines.append("　　" + pick(rng, RISK[risk_kind]))
    for s in pick(rng, REQUESTS_ZH):
        lines.append("　　" + s)
    if rng.random() < 0.5:
        lines += ["此致", "敬礼！"]
    label = pick(rng, ["来信人：", "反映人：", "署名：", "居民：", "来信人："])
    lines.append(label + w.name)
    lines.append(pick(rng, ["联系电话：", "电话：", "手机："]) + phone_forms(rng, w.phone))
    printed_id = w.id_number if w.id_number and rng.random() < 0.8 else None
    if printed_id:
        lines.append("身份证号：" + printed_id)
    if rng.random() < 0.5:
        lines.append("地址：" + w.address)
    lines.append("%d年%d月%d日" % (2024, rng.randrange(1, 13), rng.randrange(1, 29)))
    return lines, vals, printed_id


def letter_en(rng, w, dept, matter, addressee, fixed, risk_kind, again):
    lines = []
    if addressee == "secretary":
        lines.append("Dear Party Secretary,")
    elif addressee == "mayor":
        lines.append(pick(rng, ["Dear Mayor,", "Dear Mayor " + pick(rng, EN_LAST) + ","]))
    elif addressee == "department":
        lines.append("To " + DEPT_NAMES[dept][1] + ":")
    elif addressee == "office":
        lines.append("Dear Sir or Madam,")
    district = DISTRICTS_EN[DISTRICTS.index(w.district)] + " District"
    lines.append(pick(rng, ["My name is %s and I live in %s.", "I am %s, a resident of %s."]) % (w.name, district))
    if again:
        lines.append("I wrote to you about this last year and nothing has changed, so I write again.")
    body, vals = facts(rng, dept, matter, "en", w, fixed)
    lines += body
    if risk_kind:
        lines.append(pick(rng, RISK_EN[risk_kind]))
    lines += pick(rng, REQUESTS_EN)
    lines.append(pick(rng, ["Yours faithfully,", "Yours sincerely,", "Sincerely,"]))
    lines.append(w.name)
    lines.append("Tel: " + w.phone)
    lines.append(pick(rng, ["14 May 2024", "3 June 2024", "2024-07-01", "August 9, 2024"]))
    return lines, vals, None


def invalid_letter(rng, kind, pages=1):
    vals = dict(place=pick(rng, DISTRICTS) + pick(rng, COMMUNITIES), name=zh_name(rng), name2=zh_name(rng), name3=zh_name(rng),
                when=pick(rng, ["昨日", "本月十日"]), n="%07d" % rng.randrange(10 ** 7))
    if kind == "blank":
        return [""]
    text = [s.format(**vals) for s in INVALID_TEXTS["no_request" if kind == "long_no_request" else kind]]
    if kind == "long_no_request":
        out = []
        for p in range(pages):
            page = list(text)
            rng.shuffle(page)
            out += page + ["\f"] if p < pages - 1 else page
        return out
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--long-pages", type=int, default=55)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    labels = []
    writers = []
    history = []  # (file, writer, dept, matter, fixed)
    depts = list(MATTERS)
    n = 0
    invalid_kinds = ["blank", "no_request", "article", "advertising", "long_no_request"]

    def emit(lines, label, defect):
        nonlocal n
        name = "L%03d" % n
        n += 1
        with open(os.path.join(a.out, name + ".txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(a.out, name + ".defect"), "w") as f:
            f.write(defect + "\n")
        label["file"] = name
        labels.append(label)
        return name

    for i in range(a.count):
        defect = pick(rng, ["", "", "", "--skew 2", "--skew -2.5", "--noise 12", "--rotate 180", "--paper 225", "--noise 8 --skew 1.5"])
        r = rng.random()
        if r < 0.12 and i > 5:
            kind = invalid_kinds[i % len(invalid_kinds)]
            lines = invalid_letter(rng, kind, a.long_pages if kind == "long_no_request" else 1)
            if kind == "long_no_request" and any(l.get("invalid_reason") == "long_no_request" for l in labels):
                kind = "no_request"
                lines = invalid_letter(rng, kind)
            emit(lines, dict(lang="zh", valid=False, invalid_reason=kind, mailbox="invalid", department=None,
                             writer=None, repeat=False, repeat_of=[], risk=False, related_to=[]), defect)
            continue
        again = None
        if r < 0.30 and history:
            # A writer writes again: the same matter (a repeat) or another.
            prev = pick(rng, history)
            w = prev[1]
            same = rng.random() < 0.6
            if same:
                dept, matter, fixed = prev[2], prev[3], prev[4]
                again = [h[0] for h in history if h[1] is w and h[2] == dept and h[3] == matter]
            else:
                dept = pick(rng, [d for d in depts if d != prev[2]])
                matter, fixed = rng.randrange(3), {}
        elif r < 0.36 and history:
            # A neighbour on the same matter: related, not a repeat.
            prev = pick(rng, history)
            w = Writer(rng, prev[1].lang, len(writers))
            w.district, w.community = prev[1].district, prev[1].community
            writers.append(w)
            dept, matter, fixed = prev[2], prev[3], prev[4]
        else:
            w = Writer(rng, "zh" if rng.random() < 0.75 else "en", len(writers))
            writers.append(w)
            dept, matter, fixed = pick(rng, depts), rng.randrange(3), {}
        addressee = pick(rng, ["secretary", "mayor", "mayor", "department", "department", "office", "none"])
        risk_kind = pick(rng, list(RISK)) if rng.random() < 0.1 else None
        make = letter_zh if w.lang == "zh" else letter_en
        lines, vals, printed_id = make(rng, w, dept, matter, addressee, fixed, risk_kind, bool(again))
        if not fixed:
            fixed = vals
        mailbox = addressee if addressee in ("secretary", "mayor") else dept
        name = emit(lines, dict(lang=w.lang, valid=True, invalid_reason=None, mailbox=mailbox, department=dept,
                                writer=dict(name=w.name, phone=w.phone, id_number=printed_id), repeat=bool(again),
                                repeat_of=again or [], risk=bool(risk_kind), related_to=[]), defect)
        history.append((name, w, dept, matter, fixed))
    with open(os.path.join(a.out, "labels.jsonl"), "w", encoding="utf-8") as f:
        for l in labels:
            f.write(json.dumps(l, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
