"""Texts written for the repetition tests (original text, no corpus content): stories, rewordings, lists.

Each story comes in two versions: the second rewords every paragraph (character-5-gram Jaccard to
its twin between 0.3 and 0.73, like the seed's second version) and keeps the names and figures.
"""

from __future__ import annotations

from functools import lru_cache

from newsdedup.core.config import DetectionConfig
from newsdedup.core.repetition import RepetitionReport, analyse
from newsdedup.core.signatures import Signer

EN_STORY = [
    "The Riverton city council voted on Tuesday to spend 4.2 million dollars on repairing the Old Mill "
    "bridge, which has been closed to heavy traffic since March.",
    "Mayor Helen Ortiz said the repairs would begin in September and should take about eight months, during "
    "which a temporary ferry will carry commuters across the Dane river.",
    "Engineers from the county found cracks in two of the bridge's steel supports during a routine inspection "
    "last winter, and recommended closing it to lorries immediately.",
    "Local shop owners on Mill Street have complained that the closure cut their sales by almost a third, and "
    "several of them attended the meeting to ask for faster work.",
    "The council also approved a plan to add a cycle lane to the bridge once the repairs are finished, a "
    "measure that cycling groups had requested for years.",
    "Opposition councillor Mark Bell voted against the plan, arguing that a new bridge would cost less over "
    "twenty years than repeated repairs to the old one.",
]

EN_REWORDED = [
    "On Tuesday the city council of Riverton approved 4.2 million dollars to repair the Old Mill bridge, "
    "closed to heavy vehicles since March.",
    "According to Mayor Helen Ortiz, work will start in September and last roughly eight months, while a "
    "temporary ferry carries commuters over the Dane river.",
    "During a routine inspection last winter, county engineers discovered cracks in two steel supports of the "
    "bridge and advised that lorries be banned at once.",
    "Shop owners on Mill Street say the closure has cut their sales by nearly a third, and several came to the "
    "meeting to demand quicker work.",
    "Once the repairs are finished, a cycle lane will be added to the bridge, a plan the council also approved "
    "after years of requests from cycling groups.",
    "Councillor Mark Bell of the opposition voted no, saying a new bridge would be cheaper over twenty years "
    "than repairing the old one again and again.",
]

AR_STORY = [
    "افتتحت أمانة محافظة الخبر يوم الأحد حديقة الواحة الجديدة على الواجهة البحرية، بتكلفة بلغت 18 مليون "
    "ريال ومساحة تتجاوز 40 ألف متر مربع.",
    "وقال أمين المحافظة المهندس سامي العتيبي إن الحديقة تضم ممرات للمشي بطول ثلاثة كيلومترات، وملاعب "
    "للأطفال، ومنطقة مخصصة للأسر تطل على البحر.",
    "وأوضح العتيبي أن الأعمال استغرقت أربعة عشر شهرا، وأن الأمانة زرعت أكثر من ألفي شجرة محلية تتحمل "
    "الحرارة وتحتاج إلى كميات قليلة من المياه.",
    "وأشار إلى أن الحديقة ستفتح أبوابها يوميا من الرابعة عصرا حتى منتصف الليل، مع دخول مجاني لجميع الزوار "
    "طوال العام الأول.",
    "ولقي المشروع ترحيبا من سكان الأحياء المجاورة، الذين طالبوا منذ سنوات بمساحات خضراء قريبة من منازلهم "
    "بعيدا عن زحام المراكز التجارية.",
    "وتخطط الأمانة لإنشاء ثلاث حدائق مماثلة في شمال المحافظة خلال العامين المقبلين، ضمن برنامج لتحسين "
    "جودة الحياة في المدن.",
]

AR_REWORDED = [
    "دشنت أمانة محافظة الخبر الأحد حديقة الواحة الجديدة على الواجهة البحرية، والتي كلفت 18 مليون ريال "
    "وتمتد على أكثر من 40 ألف متر مربع.",
    "وأفاد المهندس سامي العتيبي أمين المحافظة بأن الحديقة تشمل ممرات مشي طولها ثلاثة كيلومترات وملاعب "
    "أطفال ومنطقة للعائلات مطلة على البحر.",
    "وبين العتيبي أن الأعمال استمرت أربعة عشر شهرا، زرعت خلالها الأمانة أكثر من ألفي شجرة محلية تتحمل "
    "الحرارة وقليلة الاستهلاك للمياه.",
    "ولفت إلى أن أبواب الحديقة ستفتح كل يوم من الساعة الرابعة عصرا إلى منتصف الليل، والدخول مجاني للزوار "
    "خلال السنة الأولى.",
    "ورحب سكان الأحياء القريبة بالمشروع، بعد أن طالبوا لسنوات بمساحات خضراء بجوار منازلهم بعيدا عن ازدحام "
    "المراكز التجارية.",
    "كما تعتزم الأمانة إقامة ثلاث حدائق مشابهة شمال المحافظة في العامين القادمين، في إطار برنامج تحسين "
    "جودة الحياة بالمدن.",
]


def paragraphs(*parts: str) -> str:
    """Paragraphs separated by blank lines."""
    return "\n\n".join(parts)


@lru_cache(maxsize=1)
def _signer() -> Signer:
    return Signer(DetectionConfig())


def clean(body: str, config: DetectionConfig | None = None) -> RepetitionReport:
    """analyse() with the default config, after checking the report's invariants."""
    report = analyse(body, _signer(), config or DetectionConfig())
    check_report(body, report)
    return report


def check_report(body: str, report: RepetitionReport) -> None:
    """The spans are ordered, disjoint, inside the body, and cutting them out gives the cleaned body."""
    position = 0
    pieces = []
    for span in report.spans:
        assert position <= span.start < span.end <= len(body)
        assert span.kind in {"line", "paragraph", "block", "splice"}
        assert 0 <= span.twin_start < len(body)
        pieces.append(body[position : span.start])
        position = span.end
    pieces.append(body[position:])
    assert "".join(pieces) == report.cleaned_body
    assert report.removed_chars == sum(span.end - span.start for span in report.spans)
    assert report.removed_chars == len(body) - len(report.cleaned_body)
    assert report.detected or not report.spans
