//! Quotation rules on hand-written Arabic sentences (none taken from news text).

use khabar_analysis::{Document, Entity, Quote, QuoteKind};
use khabar_extract::extract_quotes;
use khabar_ingest::Article;

fn doc(title: &str, body: &str) -> Document {
    Document::from_article(&Article {
        id: "t".into(),
        title: title.into(),
        body: body.into(),
        ..Default::default()
    })
}

fn quotes(title: &str, body: &str) -> Vec<Quote> {
    extract_quotes(&doc(title, body))
}

/// Sets the document's entities: the first occurrence of each surface form, with its label.
fn set_entities(d: &mut Document, entities: &[(&str, &str)]) {
    d.entities = entities
        .iter()
        .map(|&(surface, label)| {
            let start = d
                .text
                .find(surface)
                .map(|b| d.text[..b].chars().count())
                .unwrap_or_else(|| panic!("{surface} not in the text"));
            Entity {
                text: surface.into(),
                label: label.into(),
                start,
                end: start + surface.chars().count(),
            }
        })
        .collect();
}

/// (kind, cue, content, speaker) of each quote.
fn summary(qs: &[Quote]) -> Vec<(QuoteKind, String, String, String)> {
    qs.iter()
        .map(|q| {
            (
                q.kind,
                q.cue.text.clone(),
                q.content.text.clone(),
                q.speaker.text.clone(),
            )
        })
        .collect()
}

#[test]
fn direct_quote_in_guillemets_after_cue() {
    let qs = quotes(
        "خبر",
        "وقال المدرب سامي الخطيب: «الفريق جاهز للمباراة النهائية».",
    );
    assert_eq!(qs.len(), 1);
    assert_eq!(qs[0].kind, QuoteKind::Direct);
    assert_eq!(qs[0].cue.text, "وقال");
    assert_eq!(qs[0].content.text, "الفريق جاهز للمباراة النهائية");
    assert_eq!(qs[0].speaker.text, "سامي الخطيب");
    assert_eq!(
        qs[0].speaker.mention.as_ref().unwrap().text,
        "المدرب سامي الخطيب"
    );
}

#[test]
fn direct_quote_in_straight_and_curly_quotes_over_several_sentences() {
    let qs = quotes(
        "خبر",
        "وقالت الطبيبة ليلى حداد: \"وصلنا متأخرين.. لكننا أنقذنا الجميع. لم نفقد أحدا\".",
    );
    assert_eq!(
        summary(&qs),
        [(
            QuoteKind::Direct,
            "وقالت".into(),
            "وصلنا متأخرين.. لكننا أنقذنا الجميع. لم نفقد أحدا".into(),
            "ليلى حداد".into()
        )]
    );
    let qs = quotes("خبر", "وأضاف رامي سعيد “نحن نعمل ليلا ونهارا منذ أسبوع”.");
    assert_eq!(qs[0].content.text, "نحن نعمل ليلا ونهارا منذ أسبوع");
    let qs = quotes("خبر", "وتابع رامي سعيد: „المخزون يكفي لشهرين فقط“.");
    assert_eq!(qs[0].content.text, "المخزون يكفي لشهرين فقط");
}

#[test]
fn direct_quote_before_its_cue() {
    let qs = quotes(
        "خبر",
        "«لن نتراجع عن قرارنا مهما حدث»، قال رئيس البلدية كريم ناصر.",
    );
    assert_eq!(qs.len(), 1);
    assert_eq!(qs[0].kind, QuoteKind::Direct);
    assert_eq!(qs[0].content.text, "لن نتراجع عن قرارنا مهما حدث");
    assert_eq!(qs[0].speaker.text, "كريم ناصر");
}

#[test]
fn headline_quote_with_colon() {
    let qs = quotes(
        "وزير الصحة: لا إصابات جديدة في المدينة",
        "وصلت نتائج الفحوص إلى المستشفى اليوم.",
    );
    assert_eq!(qs.len(), 1);
    assert_eq!(qs[0].kind, QuoteKind::Direct);
    assert_eq!(qs[0].content.text, "لا إصابات جديدة في المدينة");
    assert_eq!(qs[0].speaker.text, "وزير الصحة");
    // A topic label before the colon is no speaker.
    assert!(quotes("بالفيديو: حريق في سوق المدينة", "اندلع حريق صباح اليوم.").is_empty());
}

#[test]
fn indirect_speech_with_in_an_and_bian() {
    let qs = quotes("خبر", "قال الوزير خالد العمر إن الميزانية ستعلن قريبا. وأكد أن الرواتب لن تتأثر. وأفاد بأن العجز سينخفض.");
    assert_eq!(qs.len(), 3);
    assert!(qs.iter().all(|q| q.kind == QuoteKind::Indirect));
    assert_eq!(qs[0].content.text, "الميزانية ستعلن قريبا");
    assert_eq!(qs[1].content.text, "الرواتب لن تتأثر");
    assert_eq!(qs[2].content.text, "العجز سينخفض");
    assert!(qs.iter().all(|q| q.speaker.text == "خالد العمر"));
}

#[test]
fn conjugations_and_conjunction_prefixes() {
    for (cue, body) in [
        ("قالت", "قالت المهندسة هدى سالم إن الجسر آمن تماما."),
        ("قالوا", "قالوا إن الطريق مغلق منذ الصباح."),
        ("يقول", "يقول المزارع حسن الطيب إن المحصول تضاعف هذا العام."),
        ("تقول", "تقول المعلمة سعاد إن الطلاب متحمسون للدراسة."),
        ("فقال", "سألناه عن الخطة فقال إن التنفيذ يبدأ غدا."),
        ("وأضافت", "وأضافت المتحدثة أن الرحلات ستستأنف قريبا."),
        ("صرح", "صرح مدير المطار أن الرحلات ستستأنف قريبا."),
        ("نفى", "نفى المتحدث باسم الشركة أن تكون الأسعار قد ارتفعت."),
        ("حذرت", "حذرت الهيئة من أن الأمطار قد تسبب فيضانات."),
        ("أشار", "أشار التقرير إلى أن البطالة تراجعت بشكل ملحوظ."),
        ("شدد", "شدد المحافظ على أن العمل سيستمر دون توقف."),
    ] {
        let qs = quotes("خبر", body);
        assert_eq!(qs.len(), 1, "{body}");
        assert_eq!(qs[0].cue.text, cue, "{body}");
        assert_eq!(qs[0].kind, QuoteKind::Indirect, "{body}");
    }
}

#[test]
fn participle_cues_take_the_subject_of_the_sentence() {
    let qs = quotes("خبر", "وافتتح المحافظ ماجد الزين المعرض أمس، مؤكدا أن الدعم سيستمر، ومشيرا إلى أن عدد الزوار تجاوز التوقعات.");
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[0].cue.text, "مؤكدا");
    assert_eq!(qs[0].content.text, "الدعم سيستمر");
    assert_eq!(qs[0].speaker.text, "ماجد الزين");
    assert_eq!(qs[1].speaker.text, "ماجد الزين");
    let qs = quotes(
        "خبر",
        "واستقبلت المديرة سلوى جابر الوفد، موضحة أن الزيارة تستمر يومين.",
    );
    assert_eq!(qs[0].speaker.text, "سلوى جابر");
}

#[test]
fn nominal_cues() {
    // Trailing attribution: the content precedes the cue.
    let qs = quotes("خبر", "ارتفع عدد الضحايا إلى عشرة أشخاص، بحسب مصادر طبية.");
    assert_eq!(qs.len(), 1);
    assert_eq!(qs[0].cue.text, "بحسب");
    assert_eq!(qs[0].content.text, "ارتفع عدد الضحايا إلى عشرة أشخاص");
    assert_eq!(qs[0].speaker.text, "مصادر طبية");
    // Fronted attribution: the content follows.
    let qs = quotes(
        "خبر",
        "ووفقا للوزارة، فإن المدارس ستفتح أبوابها الأسبوع المقبل.",
    );
    assert_eq!(qs[0].content.text, "المدارس ستفتح أبوابها الأسبوع المقبل");
    // نقلا عن … قوله
    let qs = quotes(
        "خبر",
        "ونقلت الصحيفة عن مسؤول في الميناء قوله إن الشحنة وصلت سليمة.",
    );
    assert_eq!(qs[0].content.text, "الشحنة وصلت سليمة");
    assert_eq!(qs[0].speaker.text, "مسؤول في الميناء");
    // وجاء في بيان
    let qs = quotes("خبر", "وجاء في بيان للجمعية أن التبرعات تضاعفت.");
    assert_eq!(qs[0].content.text, "التبرعات تضاعفت");
    // "حسب الحاجة" is no attribution.
    assert!(quotes("خبر", "توزع المساعدات حسب الحاجة في كل حي.").is_empty());
}

#[test]
fn subject_after_the_cue_title_and_name() {
    let qs = quotes(
        "خبر",
        "وقال وزير الخارجية عمر الفاروق للصحفيين إن المحادثات كانت مثمرة.",
    );
    assert_eq!(qs[0].speaker.text, "عمر الفاروق");
    assert_eq!(
        qs[0].speaker.mention.as_ref().unwrap().text,
        "وزير الخارجية عمر الفاروق"
    );
    let qs = quotes(
        "خبر",
        "وقال مسؤولون من وزارة الزراعة في المحافظة إن المحصول وفير.",
    );
    assert_eq!(qs[0].speaker.text, "مسؤولون من وزارة الزراعة في المحافظة");
    let qs = quotes("خبر", "وقال مصدر أمني إن الحادث وقع ليلا.");
    assert_eq!(qs[0].speaker.text, "مصدر أمني");
    // Name in commas after the title.
    let qs = quotes(
        "خبر",
        "أعلنت وزيرة الثقافة، نادية كامل، أن المهرجان سيقام في موعده.",
    );
    assert_eq!(qs[0].speaker.text, "نادية كامل");
}

#[test]
fn subjectless_continuations_take_the_previous_speaker() {
    let qs = quotes("خبر", "وقال المهندس فادي يونس إن المشروع اكتمل. وأضاف أن الافتتاح الشهر المقبل. وتابع: «سنبدأ فورا». وقال: «الشكر للجميع».");
    assert_eq!(qs.len(), 4);
    assert!(
        qs.iter().all(|q| q.speaker.text == "فادي يونس"),
        "{:?}",
        summary(&qs)
    );
    assert!(qs[1].speaker.mention.is_none());
}

#[test]
fn fullest_name_and_descriptions_are_linked() {
    let body = "التقى الصحفيون مع سمير عادل منصور في مكتبه. وقال الرجل إنه تعب من الانتظار. ويقول منصور إنه سيعود قريبا.";
    let qs = quotes("خبر", body);
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[0].speaker.text, "سمير عادل منصور");
    assert_eq!(qs[0].speaker.mention.as_ref().unwrap().text, "الرجل");
    assert_eq!(qs[1].speaker.text, "سمير عادل منصور");
    // A body named once, then called by its head noun.
    let qs = quotes(
        "خبر",
        "أصدرت وزارة النقل تعليمات جديدة. وقالت الوزارة إن الطرق ستفتح تدريجيا.",
    );
    assert_eq!(qs[0].speaker.text, "وزارة النقل");
    // A title used later for the person named with it earlier.
    let qs = quotes(
        "خبر",
        "زار الأمين العام للاتحاد يوسف الحداد المدينة. وأكد الأمين العام أن الدعم مستمر.",
    );
    assert_eq!(qs[0].speaker.text, "يوسف الحداد");
}

#[test]
fn entities_pick_the_speaker_when_present() {
    let mut d = doc(
        "خبر",
        "وقال جمال عيسى إن الاتفاق قريب. ويقول عيسى إن التوقيع الأسبوع المقبل.",
    );
    let find = |d: &Document, s: &str| {
        d.text
            .chars()
            .collect::<String>()
            .find(s)
            .map(|b| d.text[..b].chars().count())
            .unwrap()
    };
    let a = find(&d, "جمال عيسى");
    let b = find(&d, "عيسى إن التوقيع");
    d.entities = vec![
        Entity {
            text: "جمال عيسى".into(),
            label: "PER".into(),
            start: a,
            end: a + 9,
        },
        Entity {
            text: "عيسى".into(),
            label: "PER".into(),
            start: b,
            end: b + 4,
        },
    ];
    let qs = extract_quotes(&d);
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[0].speaker.entity, Some(0));
    assert_eq!(qs[1].speaker.entity, Some(1));
    assert_eq!(qs[1].speaker.text, "جمال عيسى");
}

#[test]
fn non_quotes_are_left_alone() {
    // Impersonal "it is mentioned that", beliefs, a cue with nothing said, scare quotes.
    assert!(quotes("خبر", "يذكر أن المهرجان يقام سنويا.").is_empty());
    assert!(quotes("خبر", "ويعتقد الباحثون أن النهر جف قبل قرون.").is_empty());
    assert!(quotes("خبر", "وأعلنت الشركة.").is_empty());
    assert!(quotes("خبر", "زار الوفد مقر جمعية \"الأمل\" في المدينة.").is_empty());
    assert!(quotes("", "").is_empty());
}

#[test]
fn content_ends_at_the_next_cue_in_the_sentence() {
    let qs = quotes(
        "خبر",
        "وقال المدير وليد فهمي إن الخطة جاهزة، مضيفا أن التنفيذ يبدأ غدا.",
    );
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[0].content.text, "الخطة جاهزة");
    assert_eq!(qs[1].content.text, "التنفيذ يبدأ غدا");
}

#[test]
fn subject_before_the_verb_and_back_references() {
    let qs = quotes(
        "خبر",
        "وكان وزير النقل سالم العلي قد أعلن أن الجسر سيفتح قريبا.",
    );
    assert_eq!(qs.len(), 1);
    assert_eq!(qs[0].speaker.text, "سالم العلي");
    let qs = quotes(
        "خبر",
        "وقال مصدر في البلدية إن الأعمال بدأت. وأكد المصدر ذاته أن الطريق سيغلق ليلا.",
    );
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[1].speaker.text, "مصدر في البلدية");
    assert!(qs[1].speaker.mention.is_none());
}

#[test]
fn what_was_said_as_a_noun_object() {
    // "أعرب عن …"، "دعا إلى …" (the free preposition left out), "مطالبا بـ …" (kept).
    let qs = quotes(
        "خبر",
        "وأعرب وزير النقل سالم العمري عن أمله في انتهاء الأشغال قبل الصيف. ودعا إلى تسريع وتيرة العمل في الطريق الساحلي، مطالبا بمحاسبة المقاولين المتأخرين.",
    );
    let contents: Vec<&str> = qs.iter().map(|q| q.content.text.as_str()).collect();
    assert_eq!(
        contents,
        [
            "أمله في انتهاء الأشغال قبل الصيف",
            "تسريع وتيرة العمل في الطريق الساحلي",
            "بمحاسبة المقاولين المتأخرين"
        ]
    );
    assert!(qs.iter().all(|q| q.speaker.text == "سالم العمري"), "{qs:?}");
}

#[test]
fn the_addressee_of_a_call_is_not_the_speaker() {
    let qs = quotes(
        "خبر",
        "وقال رئيس الجمعية خالد المطيري إن الموسم كان صعبا. ودعا المزارعين إلى ترشيد استهلاك المياه.",
    );
    assert_eq!(qs.len(), 2, "{qs:?}");
    assert_eq!(qs[1].content.text, "ترشيد استهلاك المياه");
    assert_eq!(qs[1].speaker.text, "خالد المطيري");
}

#[test]
fn a_body_inside_a_title_is_not_the_speaker() {
    // "المتحدث الرسمي لوزارة الصحة" is a person speaking for the ministry: the speaker is the
    // spokesman's phrase (or his name when the article gives it), not the ministry.
    let mut d = doc(
        "خبر",
        "وقال المتحدث الرسمي لوزارة الصحة إن عدد الحالات انخفض هذا الأسبوع.",
    );
    set_entities(&mut d, &[("وزارة الصحة", "ORG")]);
    d.chains = khabar_extract::chains(&d);
    d.quotes = extract_quotes(&d);
    khabar_extract::link_speakers(&mut d);
    assert_eq!(d.quotes[0].speaker.text, "المتحدث الرسمي لوزارة الصحة");
}

#[test]
fn a_compound_source_is_reported_whole() {
    let qs = quotes("خبر", "ووفق شهود عيان، فإن المتهم هرب من المكان.");
    assert_eq!(qs[0].speaker.text, "شهود عيان");
    let qs = quotes("خبر", "وبحسب وسائل إعلام محلية، فإن الطريق أغلق.");
    assert_eq!(qs[0].speaker.text, "وسائل إعلام محلية");
}

#[test]
fn a_quoted_name_before_a_headline_colon_is_the_speaker() {
    let qs = quotes(
        "«الصحة»: تطعيم الحجاج يبدأ الأسبوع المقبل",
        "أعلنت الوزارة موعد حملة التطعيم.",
    );
    assert_eq!(qs[0].speaker.text, "الصحة");
    assert_eq!(qs[0].content.text, "تطعيم الحجاج يبدأ الأسبوع المقبل");
    // A quoted topic label is not a speaker.
    assert!(quotes("«بالفيديو»: لحظة سقوط الأمطار", "").is_empty());
}

#[test]
fn a_noun_object_after_ashara_ila_is_what_was_said() {
    let qs = quotes(
        "خبر",
        "وأشار مدير المستشفى خالد العمر إلى جاهزية الأقسام لاستقبال المرضى.",
    );
    assert_eq!(qs.len(), 1);
    assert_eq!(qs[0].content.text, "جاهزية الأقسام لاستقبال المرضى");
    assert_eq!(qs[0].speaker.text, "خالد العمر");
}

#[test]
fn a_headline_surname_of_a_person_named_below_is_the_speaker() {
    let mut d = doc(
        "العمر: الأقسام جاهزة لاستقبال المرضى",
        "وقال مدير المستشفى خالد العمر إن الأقسام جاهزة.",
    );
    set_entities(&mut d, &[("خالد العمر", "PER")]);
    let qs = extract_quotes(&d);
    assert_eq!(qs[0].cue.text, ":");
    assert_eq!(qs[0].speaker.text, "خالد العمر");
    // Without the person below, a lone word before the colon is no speaker.
    assert!(quotes("العمر: الأقسام جاهزة", "افتتح المستشفى أمس.").is_empty());
}

#[test]
fn recent_is_no_speech_event() {
    // "حديث" after an indefinite noun is "recent", part of the source phrase.
    let qs = quotes(
        "خبر",
        "وذكر تقرير حديث من موقع تقني أن الهاتف انفجر داخل السيارة.",
    );
    assert_eq!(qs[0].speaker.text, "تقرير حديث من موقع تقني");
}
