"""News-like texts written for the tests (original text, not taken from any corpus)."""

from __future__ import annotations

# A municipal story, and a copy another outlet would run: same facts, verbs and connectives changed.
PARK = (
    "أعلنت بلدية محافظة الخرج افتتاح حديقة الواحة الجديدة في حي النهضة على مساحة تبلغ اثني عشر ألف متر "
    "مربع، وتضم الحديقة ممرات للمشاة بطول كيلومترين وملاعب للأطفال ومسطحات خضراء ومصلى ودورات مياه. "
    "وأوضح رئيس البلدية المهندس سالم العتيبي أن المشروع نفذ خلال ثمانية أشهر بتكلفة بلغت أربعة ملايين ريال، "
    "مشيرا إلى أن الحديقة ستفتح أبوابها للزوار يوميا من الساعة الرابعة عصرا حتى منتصف الليل. وأضاف أن "
    "البلدية تعمل على إنشاء ثلاث حدائق أخرى في أحياء الفيصلية والصناعية والعزيزية خلال العام المقبل ضمن "
    "خطة لزيادة المساحات الخضراء في المحافظة."
)
PARK_COPY = (
    "افتتحت بلدية محافظة الخرج حديقة الواحة الجديدة في حي النهضة على مساحة اثني عشر ألف متر مربع، "
    "وتشتمل الحديقة على ممرات للمشاة بطول كيلومترين وملاعب للأطفال ومسطحات خضراء ومصلى ودورات مياه. "
    "وقال رئيس البلدية المهندس سالم العتيبي إن المشروع نفذ في ثمانية أشهر بتكلفة أربعة ملايين ريال، "
    "لافتا إلى أن الحديقة تستقبل الزوار يوميا من الرابعة عصرا حتى منتصف الليل. وبين أن البلدية تعمل على "
    "إنشاء ثلاث حدائق أخرى في أحياء الفيصلية والصناعية والعزيزية العام المقبل لزيادة المساحات الخضراء "
    "في المحافظة."
)
# The same topic on the same day (a city park), but another story: a closure for maintenance.
PARK_CLOSURE = (
    "أعلنت أمانة منطقة حائل إغلاق حديقة الملك عبدالله في حي المنتزه مؤقتا لمدة ثلاثة أسابيع لإجراء أعمال "
    "صيانة شاملة تشمل تجديد شبكة الري وإعادة تأهيل ألعاب الأطفال واستبدال أعمدة الإنارة. وأوضح المتحدث "
    "الرسمي للأمانة أن الأعمال تأتي بعد رصد ملاحظات الزوار خلال إجازة العيد، داعيا الأهالي إلى الاستفادة "
    "من الحدائق القريبة في أحياء السمراء والنقرة خلال فترة الإغلاق. وأشار إلى أن الأمانة خصصت فريقا "
    "ميدانيا لمتابعة المقاول يوميا لضمان إنجاز الأعمال في موعدها وإعادة افتتاح الحديقة للزوار."
)
# A longer, unrelated story that a round-up prints beside PARK.
TRAFFIC = (
    "بدأت الإدارة العامة للمرور حملة ميدانية لضبط المخالفات المرورية على الطرق السريعة المؤدية إلى المدن "
    "الرئيسية، تستمر أسبوعين وتركز على تجاوز السرعة المحددة واستخدام الهاتف أثناء القيادة وعدم ربط حزام "
    "الأمان. وقال مدير إدارة العمليات المرورية العقيد فهد الدوسري إن الحملة تشارك فيها دوريات ثابتة "
    "ومتحركة مدعومة بكاميرات الرصد الآلي، مؤكدا أن الهدف منها خفض الحوادث التي ترتفع عادة مع نهاية "
    "الإجازة الصيفية وعودة الأسر إلى مدنها. ودعا الدوسري السائقين إلى أخذ قسط من الراحة كل ساعتين في "
    "الرحلات الطويلة، والتأكد من سلامة الإطارات والمكابح قبل السفر، والالتزام بتعليمات رجال الأمن في نقاط "
    "التفتيش، مبينا أن المخالفين سيتعرضون للغرامات المقررة في نظام المرور دون استثناء، وأن نتائج الحملة "
    "ستعلن تباعا عبر حسابات الإدارة في وسائل التواصل الاجتماعي."
)
TRAFFIC_COPY = TRAFFIC.replace("بدأت الإدارة العامة للمرور", "أطلقت إدارة المرور").replace(
    "وقال مدير", "وأوضح مدير"
)

# English: a story and a lightly edited copy.
BRIDGE = (
    "The city council approved on Monday a plan to rebuild the Mill Street bridge, closed since the spring "
    "floods damaged two of its supports. Work will start in October and take about fourteen months, the "
    "council said, with a temporary footbridge for pedestrians and cyclists opening next to the site within "
    "three weeks. Buses will be diverted along River Road while the bridge is closed to traffic. Council "
    "member Ana Ruiz said the design adds a wider cycle lane and raises the deck by half a metre so that it "
    "stays clear of high water in future floods."
)
BRIDGE_COPY = (
    "City councillors on Monday approved plans to rebuild the Mill Street bridge, which has been closed since "
    "spring floods damaged two of its supports. Work will start in October and take about fourteen months, the "
    "council said, and a temporary footbridge for pedestrians and cyclists will open next to the site within "
    "three weeks. Buses will be diverted along River Road while the bridge is closed. Council member Ana Ruiz "
    "said the new design adds a wider cycle lane and raises the deck by half a metre so it stays clear of "
    "high water in future floods."
)
# A price report and the next day's issue of the same template: same words, new figures.
OIL_MONDAY = (
    "Brent crude futures rose 1.23 dollars, or 2.2 percent, to 57.41 dollars a barrel on Monday, while U.S. "
    "West Texas Intermediate crude gained 96 cents to settle at 53.18 dollars. Traders said prices were "
    "supported by a drop of 2.9 million barrels in U.S. crude inventories last week and by a weaker dollar. "
    "Gasoline futures added 3.1 cents to 1.74 dollars a gallon, and heating oil rose 2.4 cents to 1.69 dollars."
)
OIL_TUESDAY = (
    "Brent crude futures fell 0.87 dollars, or 1.5 percent, to 56.54 dollars a barrel on Tuesday, while U.S. "
    "West Texas Intermediate crude lost 71 cents to settle at 52.47 dollars. Traders said prices were "
    "pressured by a rise of 1.6 million barrels in U.S. crude inventories last week and by a stronger dollar. "
    "Gasoline futures shed 2.2 cents to 1.72 dollars a gallon, and heating oil fell 1.8 cents to 1.67 dollars."
)
# A correction of the Monday report: one figure fixed, everything else kept.
OIL_MONDAY_CORRECTED = OIL_MONDAY.replace("2.9 million barrels", "3.4 million barrels")

# Eight distinct paragraphs for drift tests (copies of copies that wander away from the original).
PARAGRAPHS = (
    "The regional water authority said on Thursday that reservoir levels in the north had fallen to their "
    "lowest point in a decade after a third dry winter, and asked farmers to cut irrigation by a fifth.",
    "Engineers will inspect the old aqueduct near Carden next month, the authority added, because leaks "
    "along its eastern section waste an estimated four hundred litres of water every minute.",
    "A spokesman for the farmers' union called the request unfair, arguing that households in the capital "
    "still water their lawns while growers of olives and almonds are told to let their trees suffer.",
    "The ministry of agriculture is preparing a compensation scheme for growers who lose part of their "
    "harvest, according to two officials who spoke on condition of anonymity before the announcement.",
    "Meteorologists expect little relief before November, when the autumn storms usually arrive from the "
    "Atlantic, although long-range forecasts have been unreliable in recent seasons.",
    "Separately, the port of Alvor reopened its southern quay after a month of repairs to the crane rails, "
    "allowing container ships of up to three hundred metres to dock there again from Friday.",
    "Shipping agents welcomed the reopening but warned that a backlog of about forty vessels anchored off "
    "the coast would take at least two weeks to clear, delaying deliveries of building materials.",
    "The harbour master said night shifts would be added until the queue is gone and that pilots from the "
    "neighbouring port of Sines had been hired to guide the larger ships through the narrow channel.",
)
