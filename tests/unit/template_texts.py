"""Template families, a follow-up and a rewrite, for issue 12 (text written for the tests, no corpus text).

Every issuer, bank, person, country and place here is invented. What the module gives:

* `BOND_NOTICES`: a dozen English wire notices of eurobond issues in one wording, different issuers and
  terms (a few issued on the same day on nearly the same terms, as happens), and `BOND_COPIES`: three of
  them re-sent by other outlets with light edits (dateline, punctuation, a sentence dropped).
* `CABLES`: a dozen Arabic congratulation cables from one official to different countries' leaders, and
  `CABLE_COPIES`: three of them as other outlets ran them.
* `FOLLOW_UPS`: per language, a first report and the same outlet's next-day article whose title and lead
  report a new event and whose background paragraphs are the first report's, nearly verbatim.
* `SAME_STORIES`: per language, two outlets' reports of one event in clearly different wording.
* `FILLER_EN`, `FILLER_AR`: 42 regional news-in-brief columns per language, three briefs each, so the
  window holds far more than the families. Each brief runs in two columns (as a brief does on the day it
  is filed and in the next edition), and two columns share at most one brief (a third of their text).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Item:
    """One article of the stream: id, outlet, title and body."""

    id: str
    source: str
    title: str
    body: str


# --- (a) English: eurobond issue notices ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bond:
    key: str
    issuer: str
    about: str  # the sentence about the issuer
    amount: str
    currency: str
    due: str  # month and year
    coupon: str
    price: str
    yield_: str
    spread: str
    benchmark: str
    fees: str
    concession: str
    payment: str
    listing: str
    denominations: str
    law: str
    rating: str
    use: str
    lead: str
    co_leads: str
    day: str


def bond_notice(b: Bond, *, agency: str = "Meridian Wire", city: str = "LONDON") -> tuple[str, str]:
    """The desk's notice of one issue: (title, body)."""
    title = f"{b.issuer} issues {b.amount} mln {b.currency} eurobond due {b.due.split()[-1]}"
    body = (
        f"{city}, {b.day} ({agency}) - {b.issuer} is issuing a {b.amount} million {b.currency} eurobond due "
        f"{b.due} paying {b.coupon} percent and priced at {b.price}, said lead manager {b.lead}.\n\n"
        f"The non-callable bonds were priced to yield {b.yield_} percent, or {b.spread} basis points over "
        f"{b.benchmark}. Fees total {b.fees} percent, including a {b.concession} percent selling concession, "
        f"and the payment date is {b.payment}.\n\n"
        f"The bonds will be listed in {b.listing} and are available in denominations of {b.denominations} "
        f"{b.currency}. Governing law is {b.law}. The issue is rated {b.rating}.\n\n"
        f"{b.about} Proceeds will be used {b.use}.\n\n"
        f"Co-lead managers are {b.co_leads}."
    )
    return title, body


BONDS = (
    Bond("harwick", "Harwick Utilities", "Harwick Utilities supplies water and power to about two million "
         "households in the Brennmark region.", "500", "euro", "March 2031", "3.875", "99.62", "3.960", "118",
         "mid-swaps", "0.325", "0.200", "March 12", "Luxembourg", "1,000 and 100,000", "English", "A3/A-",
         "to refinance a bridge loan taken for the purchase of the Osterby grid", "Banque Sorel",
         "Nordmark Bank and Calloway Hart", "March 2"),
    Bond("lanstead", "Lanstead Motor Finance", "Lanstead Motor Finance is the lending arm of carmaker "
         "Lanstead, which builds vans and small buses at three plants in Vellmark.", "300", "euro",
         "June 2029", "4.250", "99.87", "4.280", "152", "mid-swaps", "0.250", "0.150", "March 10",
         "Luxembourg", "1,000 and 100,000", "English", "Baa2/BBB", "for general corporate purposes",
         "Calloway Hart", "Banque Sorel and Grieve Brothers", "March 2"),
    Bond("ostmark", "the Republic of Ostmark", "Ostmark last borrowed on the international market in "
         "September, when it sold seven-year dollar bonds.", "1,250", "euro", "January 2036", "4.625",
         "98.94", "4.760", "205", "mid-swaps", "0.200", "0.125", "March 11", "Luxembourg and Dellin",
         "1,000", "English", "Ba1/BB+", "to finance the budget and repay bonds maturing in May",
         "Grieve Brothers", "Nordmark Bank, Ravel Securities and Banque Sorel", "March 2"),
    Bond("quarry", "Quarry Point Holdings", "Quarry Point Holdings owns cement plants and gravel pits in "
         "four countries and employs about 9,000 people.", "400", "sterling", "October 2032", "5.500",
         "99.48", "5.590", "168", "the 2032 gilt", "0.375", "0.250", "March 13", "London", "100,000",
         "English", "Baa3/BBB-", "to buy back part of its 2027 notes", "Ravel Securities",
         "Calloway Hart and Lorne & Mercer", "March 3"),
    Bond("tessin", "Tessin Cooperative Bank", "Tessin Cooperative Bank is owned by 212 regional savings "
         "cooperatives and lends mostly to farmers and small firms.", "500", "euro", "March 2031", "3.750",
         "99.71", "3.810", "104", "mid-swaps", "0.325", "0.200", "March 12", "Luxembourg",
         "1,000 and 100,000", "English", "A2/A", "to fund its lending to agricultural customers",
         "Nordmark Bank", "Banque Sorel and Calloway Hart", "March 3"),
    Bond("aldergate", "Aldergate Telecom", "Aldergate Telecom runs the second-largest mobile network in "
         "Caldonia, with 14 million subscribers.", "750", "dollar", "April 2030", "6.125", "100.00", "6.125",
         "240", "Treasuries", "0.450", "0.300", "March 16", "Dellin", "2,000 and 200,000", "New York",
         "Ba2/BB", "to pay for fibre lines and 5G masts", "Lorne & Mercer", "Grieve Brothers and Ravel "
         "Securities", "March 4"),
    Bond("vellmark", "the City of Vellmark", "Vellmark, the country's third-largest city, is rebuilding "
         "its tram network and two bridges damaged in last year's floods.", "200", "euro", "March 2034",
         "3.500", "99.55", "3.570", "96", "mid-swaps", "0.250", "0.150", "March 17", "Luxembourg",
         "1,000 and 100,000", "English", "Aa3/AA-", "for the tram and bridge works", "Banque Sorel",
         "Nordmark Bank and Tessin Cooperative Bank", "March 5"),
    Bond("pellham", "Pellham Shipping", "Pellham Shipping operates 46 container ships and a terminal at "
         "the port of Carrow.", "350", "dollar", "September 2031", "7.000", "99.25", "7.150", "310",
         "Treasuries", "0.500", "0.350", "March 18", "Dellin", "2,000 and 200,000", "New York", "B1/B+",
         "to pay for four new vessels ordered last year", "Grieve Brothers", "Lorne & Mercer and Calloway "
         "Hart", "March 5"),
    Bond("brennmark", "Brennmark Regional Development Fund", "The fund is owned by the Brennmark regional "
         "government and finances roads, schools and hospitals.", "600", "euro", "May 2033", "3.625",
         "99.80", "3.660", "88", "mid-swaps", "0.200", "0.125", "March 19", "Luxembourg",
         "1,000 and 100,000", "English", "Aa2/AA", "for its lending programme this year", "Nordmark Bank",
         "Banque Sorel, Ravel Securities and Grieve Brothers", "March 6"),
    Bond("corvin", "Corvin Foods", "Corvin Foods makes dairy products and baby food and sells them in 30 "
         "countries.", "250", "Swiss franc", "December 2030", "2.375", "100.15", "2.345", "72",
         "the Swiss franc swap rate", "0.300", "0.200", "March 20", "Zurich", "5,000 and 100,000", "Swiss",
         "A3/BBB+", "to refinance maturing debt", "Ravel Securities", "Banque Sorel and Tessin Cooperative "
         "Bank", "March 6"),
    Bond("marlow", "Marlow Cross Energy", "Marlow Cross Energy builds wind farms off the Ardley coast and "
         "runs two gas-fired power stations.", "500", "euro", "March 2031", "4.000", "99.58", "4.090", "127",
         "mid-swaps", "0.325", "0.200", "March 13", "Luxembourg", "1,000 and 100,000", "English",
         "Baa1/BBB+", "to build the Ardley North wind farm", "Calloway Hart", "Nordmark Bank and Grieve "
         "Brothers", "March 6"),
    Bond("stannard", "Stannard Airports", "Stannard Airports runs the airports of Stannard, Lowick and "
         "Fennick, which handled 19 million passengers last year.", "450", "sterling", "July 2035", "5.250",
         "99.34", "5.350", "141", "the 2035 gilt", "0.400", "0.250", "March 23", "London", "100,000",
         "English", "Baa2/BBB", "to extend the terminal at Lowick", "Lorne & Mercer", "Ravel Securities and "
         "Calloway Hart", "March 9"),
)
BOND_NOTICES: tuple[Item, ...] = tuple(
    Item(f"bond-{b.key}", "meridian-wire", *bond_notice(b)) for b in BONDS
)
_BOND_TEXTS = {item.id: item for item in BOND_NOTICES}


def _bond_copy_tessin() -> Item:
    # Another wire's version: its own dateline, "pct" kept as "percent", a comma style of its own.
    title, body = bond_notice(BONDS[4], agency="Tidewire", city="FRANKFURT")
    body = body.replace("said lead manager Nordmark Bank.", "lead manager Nordmark Bank said.").replace(
        "Fees total 0.325 percent, including", "Fees total 0.325 percent including"
    )
    return Item("copy-tessin-tidewire", "tidewire", title.replace("issues", "issuing"), body)


def _bond_copy_aldergate() -> Item:
    # A financial daily drops the co-leads line and the issuer background.
    original = _BOND_TEXTS["bond-aldergate"]
    body = original.body.replace("\n\nCo-lead managers are Grieve Brothers and Ravel Securities.", "")
    body = body.replace("Aldergate Telecom runs the second-largest mobile network in Caldonia, with 14 million "
                        "subscribers. ", "")
    body = body.replace("(Meridian Wire)", "(Caldonia Business Daily)")
    return Item("copy-aldergate-cbd", "caldonia-business-daily", original.title, body)


def _bond_copy_stannard() -> Item:
    # A news site re-sends it with semicolons for full stops, a dash dateline and "per cent".
    original = _BOND_TEXTS["bond-stannard"]
    body = (
        original.body.replace("LONDON, March 9 (Meridian Wire) - ", "LONDON -- ")
        .replace(" percent", " per cent")
        .replace("Governing law is English. The issue", "Governing law is English; the issue")
    )
    return Item("copy-stannard-citywire", "city-markets", original.title + " - terms", body)


BOND_COPIES: tuple[tuple[Item, str], ...] = (
    (_bond_copy_tessin(), "bond-tessin"),
    (_bond_copy_aldergate(), "bond-aldergate"),
    (_bond_copy_stannard(), "bond-stannard"),
)


# --- (b) Arabic: congratulation cables -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cable:
    key: str
    head: str  # فخامة الرئيس, فخامة الرئيسة, جلالة الملك
    leader: str
    office: str  # رئيس جمهورية ..., ملك مملكة ...
    people: str  # the short name the cable wishes well
    occasion: str  # ذكرى استقلال بلاده, اليوم الوطني لبلاده ...
    counterpart: str  # who gets the crown prince's cable, or "" when he sends none
    relations: bool = True  # the sentence on relations (cables to close partners carry it)
    female: bool = False
    day: str = "2 رجب"


def cable(c: Cable, *, dateline: str | None = "مرسى النخيل {day} (وكالة أنباء الساحل) - ") -> tuple[str, str]:
    """The agency's item on one cable: (title, body)."""
    title = f"رئيس مجلس الوزراء يهنئ {c.office.split()[0]} {c.people} بمناسبة {c.occasion}"
    start = dateline.format(day=c.day) if dateline else ""
    honour = "لجلالته" if c.head.startswith("جلالة") else ("لفخامتها" if c.female else "لفخامته")
    paragraphs = [
        f"{start}بعث دولة رئيس مجلس الوزراء الشيخ منصور بن راشد آل ساحل، برقية تهنئة إلى {c.head} "
        f"{c.leader}، {c.office}، وذلك بمناسبة {c.occasion}.",
        "وأعرب دولته في البرقية عن أصدق التهاني وأطيب التمنيات بموفور الصحة والسعادة "
        f"{honour}، ولحكومة وشعب {c.people} الصديق المزيد من التقدم والازدهار.",
    ]
    if c.relations:
        paragraphs.append(
            "وأكد رئيس مجلس الوزراء حرص بلاده على تعزيز علاقات التعاون القائمة بين البلدين الصديقين وتطويرها "
            "في مختلف المجالات بما يخدم مصالحهما المشتركة."
        )
    if c.counterpart:
        to = "لها" if "السيدة" in c.counterpart else "له"
        paragraphs.append(
            "كما بعث سمو ولي العهد نائب رئيس مجلس الوزراء الشيخ فيصل بن منصور آل ساحل، برقية تهنئة مماثلة "
            f"إلى {c.counterpart}، أعرب فيها سموه عن أطيب التهاني وأصدق التمنيات {to} بموفور الصحة والعافية، "
            f"ولشعب {c.people} الصديق اطراد التقدم والرقي."
        )
    return title, "\n\n".join(paragraphs)


CABLES_SPEC = (
    Cable("taranis", "فخامة الرئيس", "أوليفر مارتانو", "رئيس جمهورية تارانيس", "تارانيس",
          "الذكرى الحادية والستين لاستقلال بلاده",
          "دولة رئيس وزراء جمهورية تارانيس السيد لوكاس بيرين", day="2 رجب"),
    Cable("velloria", "فخامة الرئيسة", "ماريا دي سانتيس", "رئيسة جمهورية فيلوريا الاتحادية", "فيلوريا",
          "اليوم الوطني لبلادها", "دولة رئيس وزراء جمهورية فيلوريا الاتحادية السيد أندريه كوفال",
          relations=False, female=True, day="2 رجب"),
    Cable("kordan", "فخامة الرئيس", "آرام هوفسبيان", "رئيس جمهورية كوردان", "كوردان", "ذكرى استقلال بلاده",
          "دولة رئيس وزراء جمهورية كوردان السيد تيغران ساهاكيان", day="3 رجب"),
    Cable("lusitra", "فخامة الرئيس", "جواو ألميدا بارتو", "رئيس جمهورية لوسترا", "لوسترا",
          "ذكرى يوم الجمهورية", "دولة رئيس وزراء جمهورية لوسترا السيدة إيناس كوريا", relations=False,
          day="4 رجب"),
    Cable("nareva", "فخامة الرئيس", "ساني أوكونجو", "رئيس جمهورية ناريفا الفيدرالية", "ناريفا",
          "ذكرى استقلال بلاده", "نائب رئيس جمهورية ناريفا الفيدرالية السيد إيمانويل أديبايو", day="5 رجب"),
    Cable("ostmark", "فخامة الرئيس", "هاينريش فالدنر", "رئيس جمهورية أوستمارك", "أوستمارك",
          "ذكرى إعادة توحيد بلاده", "المستشار الاتحادي لجمهورية أوستمارك السيد كلاوس ريتنر", day="5 رجب"),
    Cable("samaru", "جلالة الملك", "تاكيرو الثاني", "ملك مملكة سامارو", "سامارو", "اليوم الوطني لبلاده",
          "دولة رئيس وزراء مملكة سامارو السيد كينجي موراتا", relations=False, day="6 رجب"),
    Cable("belgrana", "فخامة الرئيس", "إستيبان ريوس مونتويا", "رئيس جمهورية بلغرانا", "بلغرانا",
          "الذكرى المئتين لاستقلال بلاده", "نائب رئيس جمهورية بلغرانا السيدة كارمن ألفارادو", day="7 رجب"),
    Cable("miravia", "فخامة الرئيس", "دراغان بيتروفيتش", "رئيس جمهورية ميرافيا", "ميرافيا", "ذكرى يوم الدولة",
          "دولة رئيس وزراء جمهورية ميرافيا السيد ميلوش يانكوفيتش", relations=False, day="8 رجب"),
    Cable("tamsin", "فخامة الرئيس", "أمادو دياكيتي", "رئيس جمهورية تامسين", "تامسين",
          "العيد الوطني الخامس والعشرين لبلاده",
          "دولة رئيس وزراء جمهورية تامسين السيد عثمان تراوري", day="8 رجب"),
    Cable("kelvara", "فخامة الرئيسة", "ليلى حسنوفا", "رئيسة جمهورية كلفارا", "كلفارا", "ذكرى استقلال بلادها",
          "دولة رئيس وزراء جمهورية كلفارا السيد رستم أليموف", female=True, day="9 رجب"),
    Cable("solenne", "فخامة الرئيس", "بيير-أنطوان لوفيفر", "رئيس جمهورية سولين", "سولين",
          "اليوم الوطني لبلاده", "دولة رئيس وزراء جمهورية سولين السيدة كلوديا مارتان", relations=False,
          day="10 رجب"),
)
CABLES: tuple[Item, ...] = tuple(Item(f"cable-{c.key}", "sahil-agency", *cable(c)) for c in CABLES_SPEC)
_CABLE_TEXTS = {item.id: item for item in CABLES}


def _cable_copy_kordan() -> Item:
    # A daily's site: no agency dateline, Latin commas, the ministers' sentence on relations dropped.
    title, body = cable(CABLES_SPEC[2], dateline=None)
    body = body.replace("، ", ", ").replace(
        "\n\nوأكد رئيس مجلس الوزراء حرص بلاده على تعزيز علاقات التعاون القائمة بين البلدين الصديقين وتطويرها "
        "في مختلف المجالات بما يخدم مصالحهما المشتركة.", ""
    )
    return Item("copy-kordan-alwaha", "alwaha-daily", title, body)


def _cable_copy_samaru() -> Item:
    # Another outlet keeps the dateline in its own form and writes the title its way.
    original = _CABLE_TEXTS["cable-samaru"]
    body = original.body.replace("مرسى النخيل 6 رجب (وكالة أنباء الساحل) - ", "مرسى النخيل - ساحل: ")
    body = body.replace("بعث دولة رئيس مجلس الوزراء", "بعث رئيس مجلس الوزراء")
    return Item("copy-samaru-sahilnews", "sahil-news", "برقية تهنئة لرئيس سامارو باليوم الوطني", body)


def _cable_copy_kelvara() -> Item:
    # A news portal drops the sentence of good wishes and quotes the occasion in guillemets.
    original = _CABLE_TEXTS["cable-kelvara"]
    wishes = original.body.split("\n\n")[1]
    occasion = "ذكرى استقلال بلادها"
    body = original.body.replace("\n\n" + wishes, "").replace(occasion, f"«{occasion}»")
    return Item("copy-kelvara-portal", "bawaba-portal", original.title, body)


CABLE_COPIES: tuple[tuple[Item, str], ...] = (
    (_cable_copy_kordan(), "cable-kordan"),
    (_cable_copy_samaru(), "cable-samaru"),
    (_cable_copy_kelvara(), "cable-kelvara"),
)


# --- (c) Follow-ups: a new lead over the first report's background -------------------------------------

_STRIKE_BACKGROUND = (
    "The Kestrel Bay Port Workers' Union, which represents about 1,400 crane operators, lashers and "
    "checkers, says its members have had no pay rise since 2023 while the cost of rent in the harbour "
    "towns has climbed by more than a fifth. The port operator, Kestrel Bay Terminals, has offered 3.5 "
    "percent this year and another 2 percent next year, which the union calls an insult.",
    "Talks broke down on Friday after eleven hours at the regional conciliation office in Westmere. Union "
    "secretary Dorothy Akande told reporters the operator had refused to discuss the night-shift bonus, "
    "which was cut in half during the pandemic and never restored.",
    "Kestrel Bay is the country's second-busiest container port and handled about 2.1 million containers "
    "last year, most of them bound for warehouses around the capital. Shipping agents say a week-long "
    "stoppage would leave some 40 ships waiting at anchor off Ravensby Point.",
    "The last strike at the port, in 2019, lasted nine days and ended with a government-appointed "
    "mediator. The transport ministry said on Monday it was following the dispute closely but had no plans "
    "to intervene for now.",
)
_STRIKE_FIRST = Item(
    "strike-first",
    "coastline-news",
    "Kestrel Bay dockworkers walk out in pay dispute",
    "Dockworkers at Kestrel Bay walked off the job at dawn on Monday, halting the loading of container "
    "ships at the country's second-busiest port in a dispute over pay, union officials said.\n\n"
    + "\n\n".join(_STRIKE_BACKGROUND),
)
_STRIKE_SECOND = Item(
    "strike-second",
    "coastline-news",
    "Lorry drivers join Kestrel Bay stoppage with strike of their own",
    "Lorry drivers who haul containers out of Kestrel Bay began a 48-hour strike on Tuesday, blocking the "
    "port's northern gate with about 200 trucks a day after the dockworkers walked out. The hauliers' "
    "association said its members want a fuel surcharge and shorter waiting times at the terminal. \"We are "
    "not moving until someone pays us for the hours we sit in the queue,\" said driver Kwame Doyle, who has "
    "hauled containers from the port for 17 years. Police said traffic on the coast road was backed up for "
    "five miles by midday.\n\n"
    + "\n\n".join(
        [
            _STRIKE_BACKGROUND[0],
            _STRIKE_BACKGROUND[1].replace("on Friday", "last Friday"),
            _STRIKE_BACKGROUND[2],
            _STRIKE_BACKGROUND[3].replace("said on Monday", "said"),
        ]
    ),
)

_ARREST_BACKGROUND = (
    "وكان محل «لآلئ الوادي» للمجوهرات في السوق القديم بمدينة السهلة قد تعرض للسطو مساء الخميس الماضي، "
    "حين اقتحم ملثمان المحل قبيل موعد الإغلاق وهددا العاملين فيه بسلاح أبيض، ثم فرا بحقيبتين تحويان "
    "مشغولات ذهبية تقدر قيمتها بنحو 380 ألف ريال.",
    "وأوضح المتحدث الرسمي باسم شرطة محافظة الوادي الأخضر المقدم نايف الحربي أن فرق البحث والتحري فرّغت "
    "تسجيلات كاميرات المراقبة في الشوارع المحيطة بالسوق، وتتبعت سيارة يشتبه في استخدامها في الحادثة حتى "
    "حي الروابي شمال المدينة.",
    "وتعد هذه الحادثة الثالثة من نوعها في أسواق المحافظة منذ بداية العام، إذ سبقتها سرقة محل للهواتف "
    "المحمولة في بلدة الريان في شهر صفر، ومحاولة سطو فاشلة على محل للصرافة في شارع الملك فهد.",
    "ودعت غرفة تجارة السهلة أصحاب المحال إلى تركيب أنظمة إنذار مرتبطة بمراكز الشرطة، فيما أعلنت البلدية "
    "أنها ستزيد عدد كاميرات المراقبة في السوق القديم إلى 120 كاميرا قبل نهاية العام.",
)
_ARREST_FIRST = Item(
    "arrest-first",
    "alsahla-news",
    "القبض على مشتبه به في سرقة محل مجوهرات بالسوق القديم في السهلة",
    "أعلنت شرطة محافظة الوادي الأخضر القبض على شاب في العشرينات من عمره يشتبه في تورطه في سرقة محل "
    "للمجوهرات في السوق القديم بمدينة السهلة، وذلك بعد أربعة أيام من الحادثة، وإحالته إلى النيابة العامة "
    "لاستكمال التحقيق.\n\n" + "\n\n".join(_ARREST_BACKGROUND),
)
_ARREST_SECOND = Item(
    "arrest-released",
    "alsahla-news",
    "النيابة تفرج عن المشتبه به في سرقة مجوهرات السهلة بكفالة",
    "قررت النيابة العامة في محافظة الوادي الأخضر الإفراج عن الشاب الموقوف على ذمة قضية سرقة محل "
    "المجوهرات بكفالة مالية قدرها 50 ألف ريال، بعد أن أثبت محاميه أنه كان خارج المدينة وقت الحادثة، مع "
    "منعه من السفر حتى انتهاء التحقيق. وقال المحامي فهد العنزي إن موكله قدم إلى النيابة تذكرة طيران "
    "وإيصالات فندق في العاصمة تثبت وجوده هناك مساء الخميس، مضيفا أن الشرطة أوقفته لأن سيارته تشبه "
    "السيارة التي ظهرت في التسجيلات.\n\n"
    + "\n\n".join(
        [
            _ARREST_BACKGROUND[0],
            _ARREST_BACKGROUND[1],
            _ARREST_BACKGROUND[2].replace("وتعد هذه الحادثة", "وتعد الحادثة"),
            _ARREST_BACKGROUND[3],
        ]
    ),
)
FOLLOW_UPS: dict[str, tuple[Item, Item]] = {
    "en": (_STRIKE_FIRST, _STRIKE_SECOND),
    "ar": (_ARREST_FIRST, _ARREST_SECOND),
}


# --- (d) Same story, other wording ---------------------------------------------------------------------

SAME_STORIES: dict[str, tuple[Item, Item]] = {
    "en": (
        Item(
            "ferry-coastline",
            "coastline-news",
            "Ferry runs aground off Dunmere, 63 passengers taken off by lifeboat",
            "The passenger ferry Saint Elda ran aground on a sandbank off the island of Dunmere early on "
            "Sunday, and lifeboats took all 63 passengers and 11 crew to the harbour at Tidesend, the "
            "coastguard said. Nobody was seriously hurt, although four passengers were treated for mild "
            "hypothermia at Tidesend Cottage Hospital.\n\n"
            "The Saint Elda, operated by Greyhaven Ferries, had left Easterby at 05:40 for the 90-minute "
            "crossing and struck the Harrow Bank about two miles north of Dunmere in thick fog. Coastguard "
            "commander Felix Oyelaran said the hull was not breached and the ship would be towed off at high "
            "tide on Sunday evening.\n\n"
            "Greyhaven Ferries cancelled its remaining Dunmere sailings for the day and said it would "
            "cooperate fully with the marine accident investigators, who are due on the island on Monday.",
        ),
        Item(
            "ferry-islandpost",
            "island-post",
            "All safe after Greyhaven ferry grounds on Harrow Bank in fog",
            "A total of 63 passengers and 11 crew members were rescued on Sunday morning when the Greyhaven "
            "Ferries vessel Saint Elda grounded on Harrow Bank, some two miles north of Dunmere, during dense "
            "fog. Lifeboat crews brought everyone ashore at Tidesend; four people needed hospital care for "
            "mild hypothermia, but no serious injuries were reported.\n\n"
            "Divers checked the ship and saw no hole below the waterline, coastguard commander Felix Oyelaran "
            "told reporters; tugs are to pull her free on the evening flood. It had sailed from "
            "Easterby at 05:40 on what is normally a 90-minute trip.\n\n"
            "A team from the marine accident branch is expected on Monday. Until then Greyhaven has scrapped "
            "every other Sunday departure between Easterby and the island.",
        ),
    ),
    "ar": (
        Item(
            "plant-alwaha",
            "alwaha-daily",
            "وزير المياه يدشن محطة تحلية الشعيبة الجديدة بطاقة 150 ألف متر مكعب يوميا",
            "دشن وزير المياه والكهرباء المهندس عبدالكريم الزهراني أمس محطة تحلية المياه الجديدة في "
            "الشعيبة جنوب مدينة السهلة، بطاقة إنتاجية تبلغ 150 ألف متر مكعب يوميا، وبتكلفة إجمالية بلغت "
            "1.2 مليار ريال.\n\n"
            "وأوضح الوزير في كلمته خلال حفل التدشين أن المحطة ستغطي احتياجات نحو 600 ألف نسمة في مدن "
            "السهلة والريان والعين البيضاء، مشيرا إلى أنها تعمل بتقنية التناضح العكسي وتستهلك طاقة أقل "
            "بنسبة 30 في المئة من المحطات القديمة.\n\n"
            "من جهته قال مدير المشروع المهندس سامي القحطاني إن أعمال الإنشاء استغرقت 28 شهرا، وإن خط "
            "الأنابيب الناقل إلى خزانات السهلة يمتد لمسافة 74 كيلومترا.",
        ),
        Item(
            "plant-sahilnews",
            "sahil-news",
            "تشغيل محطة الشعيبة للتحلية لخدمة 600 ألف نسمة في ثلاث مدن",
            "بكلفة قاربت 1.2 مليار ريال، دخلت محطة الشعيبة لتحلية المياه الواقعة إلى الجنوب من "
            "السهلة مرحلة التشغيل الفعلي، عقب افتتاحها صباح أمس برعاية وزير المياه والكهرباء عبدالكريم "
            "الزهراني وحضور عدد من المسؤولين.\n\n"
            "ويبلغ إنتاج المحطة اليومي 150 ألف م3 من المياه المحلاة، توزع على قرابة 600 ألف ساكن "
            "في ثلاث مدن هي السهلة والريان والعين البيضاء. ووفق الزهراني، تقلص تقنية التناضح العكسي "
            "المعتمدة فيها فاتورة الطاقة 30% قياسا بالمحطات التي سبقتها.\n\n"
            "ولفت سامي القحطاني، الذي تولى إدارة المشروع، إلى أن البناء امتد 28 شهرا، وأن الماء يصل "
            "إلى الخزانات الرئيسة للمدينة عبر أنبوب طوله 74 كيلومترا.",
        ),
    ),
}


# --- Filler: regional news-in-brief columns ------------------------------------------------------------

BRIEFS_EN = (
    "Carrow council will close the Old Mill car park for resurfacing from Monday for two weeks; drivers are "
    "asked to use the park-and-ride site on Ferry Lane, where buses leave every ten minutes.",
    "A fire at a furniture warehouse on the Brackenford industrial estate was put out after six hours on "
    "Saturday night. Firefighters said nobody was inside and the cause is being investigated.",
    "Westmere Rovers came from two goals down to draw 2-2 with Lowick Athletic, keeping them third in the "
    "northern league with four matches left to play.",
    "The Oldbury Vale library reopens on Thursday after a year-long renovation that added a children's "
    "wing, a café and a room where residents can borrow tools.",
    "Police in Pellham are looking for witnesses after a cyclist was hurt in a collision with a van at the "
    "junction of Queen Street and Tanner's Row on Friday afternoon.",
    "Farmers around Ardley say the wet spring has delayed the planting of potatoes by three weeks, and some "
    "fear a smaller harvest for the second year running.",
    "The Fennick Arts Festival sold a record 18,000 tickets this year, organisers said, helped by a new "
    "open-air stage on the riverside meadow.",
    "A new direct bus between Stannard and the university campus at Coldharbour will start in September, "
    "cutting the journey from fifty minutes to half an hour.",
    "Residents of Norwick have collected 2,300 signatures against plans for a quarry on Beacon Hill, which "
    "they say would bring heavy lorries through the village centre.",
    "The regional health board has opened a walk-in clinic at Easterby station, open from 7 am to 10 pm "
    "for minor injuries and illnesses.",
    "Marlow Cross primary school won the national schools' chess championship, beating teams from 140 "
    "schools; its captain is eleven-year-old Priya Sandhu.",
    "Two swans rescued from an oil spill on the Tide River have been released back into the wild after "
    "six weeks of care at the Ravensby animal sanctuary.",
    "Roadworks on the A19 between Lowick and Fennick will continue until the end of the month because "
    "contractors found an old water main under the carriageway.",
    "The Ravensby lifeboat was called out three times over the weekend, twice to kayakers caught by the "
    "tide and once to a yacht with a broken rudder.",
    "Brackenford's indoor market will open on Sunday mornings from next month, the first change to its "
    "trading hours since it was built in 1962.",
    "A retired teacher from Coldharbour, Margaret Ellison, has completed a walk along the entire coast of "
    "the county, about 480 miles, raising money for a hospice.",
    "The water company has lifted the hosepipe ban in Westmere and Pellham after reservoirs refilled "
    "during the heavy rain of the past fortnight.",
    "Tenants of the Harbour View flats in Tidesend say they have been without hot water for nine days; "
    "the housing association blames a faulty boiler part on order.",
    "The county's first community-owned solar farm, at Hollin Moor, has started supplying power to about "
    "900 homes, its cooperative said.",
    "Lowick Athletic have appointed former defender Sam Okafor as manager until the end of the season "
    "after Gary Bell left by mutual consent.",
    "A Roman coin hoard found by a metal detectorist near Ardley will go on display at the county museum "
    "after it was declared treasure by the coroner.",
    "Stannard bus drivers have accepted a pay offer of 4.5 percent, calling off a strike planned for next "
    "week, their union said.",
    "The Oldbury Vale half-marathon on Sunday will close several roads in the town centre between 8 am "
    "and 1 pm, police warned.",
    "Easterby's harbour master has warned boat owners to check their moorings before the spring tides "
    "expected on Wednesday and Thursday.",
    "A new cycle path linking Norwick with the Carrow ring road has been opened, the last part of a "
    "twelve-mile route that took four years to build.",
    "Pellham council has approved 86 new homes on the former dairy site on Mill Road, a quarter of them "
    "for social rent.",
    "Beekeepers in the Fennick valley report their best honey harvest in a decade after a warm and dry "
    "June.",
    "The Westmere Players will stage a new play about the 1953 floods at the Corn Exchange next month, "
    "written by local author Tom Barraclough.",
    "A shop in Brackenford has been fined 8,000 pounds for selling vapes to children after a test purchase "
    "by trading standards officers.",
    "Hospital car parking at Ravensby General will be free for patients on dialysis and cancer treatment "
    "from April, the health board said.",
    "Snow closed the moor road between Hollin and Coldharbour for several hours on Tuesday, and gritters "
    "worked through the night.",
    "Tidesend's pier will be repainted this summer for the first time in twenty years, with help from a "
    "heritage lottery grant.",
    "A man was taken to hospital after falling from scaffolding at a building site in Stannard on Monday; "
    "his injuries are not thought to be life-threatening.",
    "Norwick's twinning association is marking forty years of links with a town across the sea with a "
    "week of concerts and a football match.",
    "The number of visitors to Ardley castle rose by a third last year after the opening of its restored "
    "great hall, the heritage trust said.",
    "Lowick's sewage works will be upgraded at a cost of 14 million pounds to stop overflows into the "
    "River Lune after heavy rain.",
    "Carrow's Saturday farmers' market has won a regional food award for the variety of local produce on "
    "its stalls.",
    "Residents in Oldbury Vale were asked to boil their tap water for 48 hours after a burst main allowed "
    "dirt into the supply.",
    "An elderly woman in Pellham lost 6,000 pounds to telephone fraudsters posing as bank staff; police "
    "urged people never to move money at a caller's request.",
    "Easterby rugby club has raised enough money to install floodlights, allowing it to play evening "
    "matches for the first time.",
    "The coastal path between Ravensby and Tidesend has reopened after a landslip closed a section near "
    "Gull Point for three months.",
    "A primary school in Westmere closed early on Friday after its heating failed; lessons resumed on "
    "Monday.",
    "Fennick's high street has two new shops after a scheme offering six months' free rent to start-ups "
    "in empty units.",
    "Coldharbour university will build 600 student rooms on its northern campus, easing pressure on rented "
    "homes in the town.",
    "Anglers have reported a rise in salmon numbers on the Tide River, which environmental officers put "
    "down to the removal of an old weir.",
    "Stannard's ice rink will stay open for another year after the council agreed to cover its energy "
    "bills until a new operator is found.",
    "The Hollin Moor wind turbine that lost a blade in January has been repaired and is generating again, "
    "the operator said.",
    "Brackenford police have seized 40 cannabis plants from a house on Orchard Close; a man aged 32 has "
    "been charged.",
    "Norwick's new fire station, with two engines and room for a rescue boat, was opened by the chief fire "
    "officer on Wednesday.",
    "A bakery in Lowick is celebrating one hundred years in the same family; its founder's great-grandson "
    "still starts work at 4 am.",
    "Ardley's level crossing will be replaced by a footbridge after three near misses last year, the rail "
    "company said.",
    "Pellham's annual duck race raised 3,200 pounds for the village playground, with 1,500 plastic ducks "
    "floating down the brook.",
    "Tidesend fishermen landed the first mackerel of the season on Tuesday, about two weeks earlier than "
    "usual.",
    "The Carrow to Westmere railway line will close for two weekends in May while engineers replace a "
    "bridge over the canal.",
    "An Easterby care home rated inadequate by inspectors has been given six months to improve staffing "
    "and the handling of medicines.",
    "Oldbury Vale's swimming pool will close for three months from June to replace its roof, which has "
    "leaked for several winters.",
    "Ravensby's street lights will be switched to LED lamps over the next year, saving the council an "
    "estimated 90,000 pounds a year.",
    "The Coldharbour food bank says demand has doubled since last winter and appealed for tinned food, "
    "rice and toiletries.",
    "A sculpture of a heron by artist Lena Voss has been unveiled on the riverside in Fennick, paid for by "
    "a public appeal.",
    "Stannard's market square will host a night market every Friday in summer, with street food and live "
    "music, the town council said.",
    "Hollin's post office, which closed in March, will reopen inside the village shop next month.",
    "Motorists in Norwick face delays as gas pipes are replaced along Church Street over the next six "
    "weeks.",
    "The Brackenford canal will be drained for a week so that volunteers can clear rubbish and inspect "
    "the lock gates.",
)

BRIEFS_AR = (
    "أعلنت بلدية مدينة السهلة إغلاق شارع الأمير سلطان أمام حركة المرور لمدة أسبوعين لاستكمال أعمال "
    "تصريف مياه الأمطار، ودعت السائقين إلى استخدام الطرق البديلة.",
    "تمكنت فرق الدفاع المدني في بلدة الريان من إخماد حريق اندلع في مستودع للأخشاب فجر أمس، دون تسجيل "
    "إصابات، فيما تجري التحقيقات لمعرفة أسباب الحريق.",
    "حقق فريق نادي الساحل فوزا ثمينا على ضيفه فريق الوادي بهدفين مقابل هدف في الجولة العشرين من دوري "
    "الدرجة الأولى، ليرتقي إلى المركز الثالث.",
    "افتتحت مكتبة السهلة العامة قاعة جديدة للأطفال تضم أكثر من ثلاثة آلاف كتاب وركنا للأنشطة الفنية، "
    "وتستقبل الزوار يوميا عدا الجمعة.",
    "باشرت شرطة العين البيضاء التحقيق في حادث دهس تعرض له طالب أثناء عبوره الطريق أمام مدرسته صباح "
    "أمس، ونقل إلى المستشفى وحالته مستقرة.",
    "أكد مزارعو وادي النخيل أن موجة الحر الأخيرة أثرت في إنتاج الرطب هذا الموسم، وطالبوا بدعم مالي "
    "لتعويض خسائرهم.",
    "اختتمت فعاليات مهرجان الساحل للتراث بمشاركة أكثر من مئتي حرفي، وسط إقبال كبير من الزوار بلغ نحو "
    "خمسين ألف زائر خلال عشرة أيام.",
    "بدأت هيئة النقل تشغيل خط حافلات جديد يربط حي الروابي بالمدينة الجامعية، بمعدل رحلة كل عشرين دقيقة "
    "طوال أيام الأسبوع.",
    "رفع أهالي قرية الحصن عريضة إلى المحافظ يطالبون فيها بنقل مكب النفايات القريب من منازلهم، مشيرين إلى "
    "انتشار الروائح والحشرات.",
    "افتتح مدير الشؤون الصحية مركزا للرعاية الأولية في حي النسيم يخدم نحو ثلاثين ألف نسمة، ويعمل على "
    "فترتين صباحية ومسائية.",
    "فاز طلاب مدرسة ابن سينا المتوسطة بالمركز الأول في مسابقة الروبوت على مستوى المنطقة، وسيمثلونها في "
    "التصفيات النهائية الشهر المقبل.",
    "أطلقت جمعية البيئة حملة لتنظيف شاطئ الكورنيش الجنوبي شارك فيها أكثر من أربعمئة متطوع، وجمعت خلالها "
    "ستة أطنان من المخلفات.",
    "أعلنت إدارة الطرق تحويل الحركة على طريق السهلة الريان السريع مؤقتا بسبب أعمال توسعة الجسر عند "
    "المخرج الخامس.",
    "أنقذت فرق خفر السواحل ثلاثة صيادين تعطل قاربهم قبالة جزيرة الطيور، ونقلتهم إلى ميناء الصيادين في "
    "حالة صحية جيدة.",
    "قررت أمانة المنطقة تمديد ساعات عمل سوق الخضار المركزي حتى منتصف الليل خلال فصل الصيف تخفيفا "
    "للزحام.",
    "كرمت جامعة السهلة المعلم المتقاعد عبدالله الشمري تقديرا لمسيرته التي امتدت أربعين عاما في تعليم "
    "الرياضيات لأبناء المنطقة.",
    "أعلنت شركة المياه انتهاء أعمال صيانة الخزان الرئيسي في حي الفيحاء وعودة الضخ إلى المنازل بصورة "
    "طبيعية.",
    "اشتكى سكان عمارات الواحة في حي المروج من انقطاع المصاعد منذ أسبوع، فيما وعدت الشركة المالكة "
    "بإصلاحها خلال أيام.",
    "دخلت محطة الطاقة الشمسية في وادي الرمال الخدمة، وتزود نحو ألفي منزل بالكهرباء وفق ما أعلنته الشركة "
    "المشغلة.",
    "عين نادي الوادي المدرب الوطني ماجد الدوسري مديرا فنيا للفريق الأول حتى نهاية الموسم خلفا للمدرب "
    "المستقيل.",
    "عثر فريق تنقيب أثري على فخاريات يعود تاريخها إلى أكثر من ألفي عام في موقع تل الحمراء شرق بلدة "
    "الريان.",
    "وافق المجلس البلدي في العين البيضاء على إنشاء حديقة عامة جديدة بمساحة عشرين ألف متر مربع في حي "
    "الورود.",
    "حذرت هيئة الأرصاد من رياح نشطة مثيرة للأتربة على المناطق الساحلية حتى مساء الغد، مع تدني مدى "
    "الرؤية الأفقية.",
    "نظم مستشفى السهلة العام حملة للتبرع بالدم استمرت ثلاثة أيام، وبلغ عدد المتبرعين فيها أكثر من ستمئة "
    "متبرع.",
    "اكتمل تنفيذ مسار المشاة على امتداد الواجهة البحرية في بلدة الريان بطول أربعة كيلومترات، ويضم مقاعد "
    "وإنارة حديثة.",
    "وافقت الأمانة على ترخيص مئة وعشرين وحدة سكنية في مخطط الفرسان، ربعها مخصص للأسر ذات الدخل "
    "المحدود.",
    "شهد سوق العسل في قرية الحصن إقبالا لافتا هذا العام بعد موسم أمطار جيد أدى إلى وفرة الإنتاج.",
    "تعرض فرقة المسرح الوطني مسرحية جديدة بعنوان «بيت الجد» على مسرح قصر الثقافة في السهلة طوال أيام "
    "العيد.",
    "أغلقت الجهات الرقابية مطعما في حي الصفا بعد رصد مخالفات صحية جسيمة، وفرضت عليه غرامة مالية.",
    "أعلنت إدارة مستشفى الريان تخصيص مواقف مجانية لمرضى الغسيل الكلوي ومراجعي العلاج الكيماوي.",
    "تسببت الأمطار الغزيرة في تجمع المياه في عدد من الأنفاق بمدينة السهلة، وعملت فرق البلدية طوال الليل "
    "على سحبها.",
    "بدأت أعمال ترميم الميناء القديم في العين البيضاء بدعم من صندوق التراث، على أن تنتهي خلال عام.",
    "أصيب عامل إثر سقوطه من سقالة في موقع إنشاءات بحي الياسمين، ونقل إلى المستشفى لتلقي العلاج.",
    "احتفلت مدرسة الريان الثانوية بمرور خمسين عاما على تأسيسها بحضور عدد من خريجيها القدامى.",
    "ارتفع عدد زوار قلعة الحصن التاريخية بنسبة الثلث العام الماضي بعد افتتاح متحفها الجديد.",
    "وقعت شركة المياه عقدا لتطوير محطة معالجة الصرف الصحي في وادي الرمال بقيمة ستين مليون ريال.",
    "فاز سوق المزارعين الأسبوعي في السهلة بجائزة أفضل مبادرة لدعم المنتج المحلي على مستوى المنطقة.",
    "طالبت البلدية سكان حي الفيحاء بغلي مياه الشرب لمدة يومين بعد كسر في أحد الخطوط الرئيسية.",
    "حذرت الشرطة من رسائل احتيالية تنتحل صفة البنوك، بعد أن خسرت امرأة مسنة عشرين ألف ريال في عملية "
    "نصب.",
    "جمع نادي الساحل للرجبي تبرعات تكفي لتركيب إنارة للملعب، مما يتيح له إقامة المباريات المسائية.",
    "أعيد فتح طريق الكورنيش الشمالي بعد إغلاقه ثلاثة أشهر إثر انهيار جزء من الحاجز البحري.",
    "علقت الدراسة في مدرسة النور الابتدائية يوما واحدا بسبب عطل في التكييف، واستؤنفت صباح اليوم التالي.",
    "افتتح شابان متجرين جديدين في الشارع التجاري بالعين البيضاء ضمن مبادرة تمنح رواد الأعمال إيجارا "
    "مجانيا لستة أشهر.",
    "أعلنت جامعة السهلة بناء ستمئة غرفة لسكن الطلاب في حرمها الشمالي لتخفيف الضغط على المساكن المؤجرة.",
    "رصد صيادو خليج اللؤلؤ زيادة في أعداد أسماك الهامور، وعزا مختصون ذلك إلى قرار وقف الصيد في موسم "
    "التكاثر.",
    "قرر المجلس البلدي الإبقاء على حلبة التزلج في السهلة مفتوحة عاما آخر حتى يتم التعاقد مع مشغل جديد.",
    "عادت توربينات الرياح في وادي الرمال إلى العمل بعد صيانة استمرت شهرا بسبب عطل في إحدى الشفرات.",
    "ضبطت الجهات الأمنية كمية من المواد المخدرة في منزل بحي الصفا، وأحالت المتهم إلى النيابة العامة.",
    "افتتح مدير الدفاع المدني مركزا جديدا في بلدة الريان مجهزا بسيارتي إطفاء وقارب إنقاذ.",
    "يحتفل مخبز العائلة في السوق القديم بمرور مئة عام على افتتاحه، ولا يزال أحفاد مؤسسه يديرونه حتى "
    "اليوم.",
    "تقرر استبدال إشارة المرور عند تقاطع المستشفى بجسر للمشاة بعد تكرار الحوادث في الموقع.",
    "جمع سباق الجري الخيري في حي الروابي ثلاثين ألف ريال لصالح تجهيز ملعب للأطفال.",
    "عاد صيادو العين البيضاء بأول حمولة من أسماك الكنعد هذا الموسم، قبل موعدها المعتاد بأسبوعين.",
    "يغلق خط القطار بين السهلة والريان عطلتي نهاية أسبوع الشهر المقبل لاستبدال جسر فوق القناة.",
    "منحت وزارة الشؤون الاجتماعية دار رعاية المسنين في حي النسيم مهلة ستة أشهر لتحسين خدماتها.",
    "يغلق المسبح الأولمبي في السهلة ثلاثة أشهر اعتبارا من الصيف لاستبدال سقفه الذي تتسرب منه المياه.",
    "بدأت البلدية استبدال مصابيح الإنارة في شوارع العين البيضاء بمصابيح موفرة للطاقة على مدى عام.",
    "أطلق بنك الطعام في السهلة نداء لجمع الأرز والمعلبات بعد تضاعف أعداد المستفيدين منذ الشتاء الماضي.",
    "أزيح الستار عن مجسم فني لطائر الحبارى على الواجهة البحرية في الريان، بتمويل من تبرعات الأهالي.",
    "تستضيف ساحة السوق القديم سوقا ليليا كل خميس خلال الصيف يضم مطاعم متنقلة وعروضا شعبية.",
    "يعاد افتتاح مكتب البريد في قرية الحصن داخل أحد المتاجر الشهر المقبل بعد إغلاقه في الربيع.",
    "يواجه سائقو السيارات في حي المروج تأخيرا بسبب استبدال أنابيب الغاز في الشارع العام طوال ستة أسابيع.",
    "تفرغ قناة الري في وادي النخيل من المياه أسبوعا لتمكين المتطوعين من تنظيفها وفحص بواباتها.",
)

_FILLER_TITLES_EN = ("Around the region", "Local news in brief", "County round-up", "Today in brief")
_FILLER_TITLES_AR = ("أخبار المنطقة في سطور", "محليات باختصار", "من هنا وهناك", "جولة في أخبار المحافظة")


def filler(briefs: tuple[str, ...], titles: tuple[str, ...], prefix: str, source: str) -> tuple[Item, ...]:
    """News-in-brief columns, three briefs each, from `len(briefs)` briefs (a multiple of 3).

    Column i prints briefs (i, i-1 around the ring) and one across the ring, so every brief runs in two
    columns and two columns share at most one brief: a 3-regular graph of columns whose edges are briefs.
    """
    columns = 2 * len(briefs) // 3
    half = columns // 2
    edges: dict[frozenset[int], int] = {}
    for i in range(columns):
        for j in ((i + 1) % columns, (i + half) % columns):
            edges.setdefault(frozenset((i, j)), len(edges))
    assert len(edges) == len(briefs)
    items = []
    for i in range(columns):
        mine = sorted(n for pair, n in edges.items() if i in pair)
        # Start each column with a different brief so that no two columns open alike.
        mine = mine[i % 3 :] + mine[: i % 3]
        title = f"{titles[i % len(titles)]} ({i + 1})"
        items.append(Item(f"{prefix}-{i:02d}", source, title, "\n\n".join(briefs[n] for n in mine)))
    return tuple(items)


FILLER_EN = filler(BRIEFS_EN, _FILLER_TITLES_EN, "brief-en", "county-gazette")
FILLER_AR = filler(BRIEFS_AR, _FILLER_TITLES_AR, "brief-ar", "alsahla-news")
