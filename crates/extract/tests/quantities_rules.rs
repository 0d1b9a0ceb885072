//! Number, quantity and date rules on hand-written Arabic sentences.

use khabar_analysis::{Document, Quantity};
use khabar_extract::extract_quantities;
use khabar_ingest::Article;
use serde_json::{json, Value};

mod support;

fn quantities(body: &str, date: Option<&str>) -> Vec<Quantity> {
    let doc = Document::from_article(&Article {
        id: "t".into(),
        title: "خبر".into(),
        body: body.into(),
        date: date.map(str::to_string),
        source: Some("test".into()),
        ..Default::default()
    });
    extract_quantities(&doc)
}

/// The single quantity found in `body`, as (kind, text, value, unit, approx).
fn one(body: &str, date: Option<&str>) -> (String, String, Value, Option<String>, bool) {
    let q = quantities(body, date);
    assert_eq!(q.len(), 1, "{body}: {q:?}");
    let q = &q[0];
    (
        q.kind.clone(),
        q.text.clone(),
        q.value.clone(),
        q.unit.clone(),
        q.approx == Some(true),
    )
}

fn check(body: &str, kind: &str, text: &str, value: Value, unit: Option<&str>, approx: bool) {
    let got = one(body, Some("2015-07-21 02:51:32"));
    assert_eq!(
        got,
        (
            kind.into(),
            text.into(),
            value,
            unit.map(str::to_string),
            approx
        ),
        "{body}"
    );
}

#[test]
fn number_words_in_gender_and_case_forms_and_compounds() {
    check(
        "زار المعرض خمسة وعشرون طالبا.",
        "number",
        "خمسة وعشرون",
        json!(25),
        None,
        false,
    );
    check(
        "شارك فيه خمسة وعشرين طالبا.",
        "number",
        "خمسة وعشرين",
        json!(25),
        None,
        false,
    );
    check(
        "حضر ثلاثة عشر لاعبا.",
        "number",
        "ثلاثة عشر",
        json!(13),
        None,
        false,
    );
    check(
        "وصل ستين ألفا من الزوار.",
        "number",
        "ستين ألفا",
        json!(60000),
        None,
        false,
    );
    check(
        "وصل 60 ألفا من الزوار.",
        "number",
        "60 ألفا",
        json!(60000),
        None,
        false,
    );
    check(
        "بلغ عدد السكان مليون ونصف نسمة.",
        "number",
        "مليون ونصف",
        json!(1_500_000),
        None,
        false,
    );
    check(
        "بيع ثلاثمائة وخمسون منزلا.",
        "number",
        "ثلاثمائة وخمسون",
        json!(350),
        None,
        false,
    );
    check(
        "اشترى مئتي سيارة.",
        "number",
        "مئتي",
        json!(200),
        None,
        false,
    );
    check("سافر ٣٥ لاعبا.", "number", "٣٥", json!(35), None, false);
    check(
        "جربها ثلاث مرات.",
        "number",
        "ثلاث مرات",
        json!(3),
        Some("times"),
        false,
    );
}

#[test]
fn approximate_figures_and_counts() {
    check(
        "حضر نحو 300 شخص.",
        "number",
        "نحو 300",
        json!(300),
        None,
        true,
    );
    check(
        "حضر قرابة ألفين شخص.",
        "number",
        "قرابة ألفين",
        json!(2000),
        None,
        true,
    );
    check(
        "حضر أكثر من 40 طالبا.",
        "number",
        "أكثر من 40",
        json!(40),
        None,
        true,
    );
    check(
        "نزح عشرات الآلاف من السكان.",
        "count",
        "عشرات الآلاف",
        json!(10000),
        None,
        true,
    );
    check(
        "وصل آلاف المهاجرين.",
        "count",
        "آلاف",
        json!(1000),
        None,
        true,
    );
}

#[test]
fn ordinals() {
    check(
        "حل في المركز الثالث.",
        "ordinal",
        "الثالث",
        json!(3),
        None,
        false,
    );
    check(
        "هذه الدورة الحادية عشرة.",
        "ordinal",
        "الحادية عشرة",
        json!(11),
        None,
        false,
    );
}

#[test]
fn percentages_and_money() {
    check(
        "ارتفع المؤشر 3.5%.",
        "percent",
        "3.5%",
        json!(3.5),
        None,
        false,
    );
    check(
        "ارتفع المؤشر ٢٠٪.",
        "percent",
        "٢٠٪",
        json!(20),
        None,
        false,
    );
    check(
        "ارتفعت الأسعار بنسبة 12 في المائة.",
        "percent",
        "12 في المائة",
        json!(12),
        None,
        false,
    );
    check(
        "تراجع النمو 4 بالمئة.",
        "percent",
        "4 بالمئة",
        json!(4),
        None,
        false,
    );
    check(
        "بلغت الصفقة 5 ملايين دولار.",
        "money",
        "5 ملايين دولار",
        json!(5_000_000),
        Some("USD"),
        false,
    );
    check(
        "دفع 300 ريال قطري.",
        "money",
        "300 ريال قطري",
        json!(300),
        Some("QAR"),
        false,
    );
    // A bare ريال، جنيه، درهم in an article that names no country has no code (see
    // currencies_by_context).
    check(
        "كلف المشروع 2.5 مليار ريال.",
        "money",
        "2.5 مليار ريال",
        json!(2_500_000_000u64),
        None,
        false,
    );
    check(
        "باع السيارة بمئة ألف جنيه.",
        "money",
        "مئة ألف جنيه",
        json!(100_000),
        None,
        false,
    );
    check(
        "بلغت الغرامة 40 يورو.",
        "money",
        "40 يورو",
        json!(40),
        Some("EUR"),
        false,
    );
    check(
        "سعرها 15 درهما.",
        "money",
        "15 درهما",
        json!(15),
        None,
        false,
    );
}

/// The money quantities of an article as (text, unit); with `entities`, the shipped NER
/// model's entities are filled in first, as the pipeline does.
fn money(title: &str, body: &str, source: &str, entities: bool) -> Vec<(String, Option<String>)> {
    let mut doc = Document::from_article(&Article {
        id: "m".into(),
        title: title.into(),
        body: body.into(),
        source: Some(source.into()),
        ..Default::default()
    });
    if entities {
        doc.entities = support::entity_layer(&doc);
    }
    extract_quantities(&doc)
        .into_iter()
        .filter(|q| q.kind == "money")
        .map(|q| (q.text, q.unit))
        .collect()
}

/// The unit of the single money quantity of an article (source "test": no outlet prior),
/// the same with and without the entity layer.
fn unit(title: &str, body: &str) -> Option<String> {
    let m = money(title, body, "test", false);
    assert_eq!(m.len(), 1, "{body}: {m:?}");
    assert_eq!(m, money(title, body, "test", true), "{body}");
    m[0].1.clone()
}

#[test]
fn currencies_by_context() {
    let u = |code: &str| Some(code.to_string());
    // The article's country picks the currency of a bare دينار، ريال، جنيه، درهم.
    assert_eq!(
        unit(
            "الحكومة الأردنية تقر موازنة العام المقبل",
            "أقر مجلس الوزراء في عمّان موازنة بقيمة 9 مليارات دينار."
        ),
        u("JOD")
    );
    assert_eq!(
        unit(
            "مجلس الأمة يناقش الميزانية",
            "ناقش النواب في الكويت عجزا يبلغ 5 مليارات دينار هذا العام."
        ),
        u("KWD")
    );
    assert_eq!(
        unit(
            "أسعار الخضر",
            "ارتفعت الأسعار في أسواق صفاقس وبلغ سعر الكيلوغرام من الطماطم 3 دنانير."
        ),
        u("TND")
    );
    assert_eq!(
        unit(
            "رفع سعر أسطوانة الغاز",
            "قررت وزارة التموين المصرية رفع سعر الأسطوانة إلى 50 جنيها بدءا من الشهر المقبل."
        ),
        u("EGP")
    );
    assert_eq!(
        unit(
            "استثمارات جديدة في الرباط",
            "أعلنت الحكومة عن مشاريع بقيمة 20 مليار درهم في المدن الكبرى."
        ),
        u("MAD")
    );
    assert_eq!(
        unit(
            "استثمارات جديدة في دبي",
            "أعلنت الحكومة عن مشاريع بقيمة 20 مليار درهم في المدن الكبرى."
        ),
        u("AED")
    );
    assert_eq!(
        unit(
            "الليرة تتراجع",
            "تراجعت الليرة في بيروت وبلغ سعر الدولار 1500 ليرة في السوق."
        ),
        u("LBP")
    );
    // A qualifier beats the context.
    assert_eq!(
        unit(
            "وزير الطاقة الأردني يزور الكويت",
            "قال الوزير في عمّان إن الأردن تلقى منحة بقيمة 50 مليون دينار كويتي."
        ),
        u("KWD")
    );
    // No country, or two with the same evidence: no code.
    assert_eq!(
        unit("صفقة كبيرة", "دفع المستثمر 300 ألف دينار ثمنا للأرض."),
        None
    );
    assert_eq!(
        unit(
            "اتفاقية تعاون",
            "وقع الأردن والكويت اتفاقية بقيمة 100 مليون دينار."
        ),
        None
    );
    // صلاة المغرب is a prayer, not Morocco; عمان without its shadda may be Oman.
    assert_eq!(
        unit("سوق شعبي", "بعد صلاة المغرب باع التاجر السلعة بـ 20 درهما."),
        None
    );
    assert_eq!(
        unit(
            "زيارة رسمية",
            "وصل الوفد إلى عمان ووقع عقدا بقيمة 20 مليون دينار."
        ),
        None
    );
    // The headline outweighs a body mention; a qualified currency elsewhere in the article
    // names its currency.
    assert_eq!(
        unit(
            "الكويت تمول مشروعا للطاقة",
            "يقام المشروع قرب الحدود مع العراق بكلفة 30 مليون دينار."
        ),
        u("KWD")
    );
    let m = money(
        "الميزان التجاري",
        "بلغت الصادرات إلى السوق الليبية 500 مليون دينار مع تراجع الدينار التونسي.",
        "test",
        false,
    );
    assert_eq!(m[0].1, u("TND"), "{m:?}");
}

#[test]
fn outlet_priors() {
    // SaudiNewsNet outlets: a bare ريال is SAR; Jawhara FM: a bare دينار is TND.
    let m = money("خبر", "كلف المشروع 2.5 مليار ريال.", "sabq", false);
    assert_eq!(m, [("2.5 مليار ريال".into(), Some("SAR".into()))]);
    let m = money("خبر", "بلغ سعر التذكرة 10 دنانير.", "Jawhara FM", false);
    assert_eq!(m[0].1.as_deref(), Some("TND"));
    // The prior is weak: the article's own country wins.
    let m = money(
        "الدوحة تستضيف المعرض",
        "بلغت كلفة المعرض 40 مليون ريال.",
        "sabq",
        false,
    );
    assert_eq!(m[0].1.as_deref(), Some("QAR"));
    // A riyal is no dinar: the Saudi prior leaves a bare دينار alone.
    let m = money("خبر", "بلغ سعر التذكرة 10 دنانير.", "okaz", false);
    assert_eq!(m[0].1, None);
}

#[test]
fn currency_qualifiers_in_all_their_forms() {
    let cases = [
        ("بلغت 100 ألف دينار أردني.", "100 ألف دينار أردني", "JOD"),
        ("بلغت 100 ألف دينار كويتي.", "100 ألف دينار كويتي", "KWD"),
        ("بلغت 5 ملايين ريال سعودي.", "5 ملايين ريال سعودي", "SAR"),
        ("بلغت 5 ملايين ريالات سعودية.", "5 ملايين ريالات سعودية", "SAR"),
        ("دفع 14588 ريالا سعوديا.", "14588 ريالا سعوديا", "SAR"),
        ("بلغت 5 ملايين ريال عماني.", "5 ملايين ريال عماني", "OMR"),
        ("بلغت 5 ملايين ريال يمني.", "5 ملايين ريال يمني", "YER"),
        ("بلغت 5 ملايين ريال إيراني.", "5 ملايين ريال إيراني", "IRR"),
        ("بلغت 5 ملايين ريال برازيلي.", "5 ملايين ريال برازيلي", "BRL"),
        ("بلغت مليار جنيه مصري.", "مليار جنيه مصري", "EGP"),
        ("بلغت 50 جنيها إسترلينيا.", "50 جنيها إسترلينيا", "GBP"),
        ("بلغت مليار جنيه سوداني.", "مليار جنيه سوداني", "SDG"),
        ("بلغت 20 ألف درهم إماراتي.", "20 ألف درهم إماراتي", "AED"),
        ("بلغت 20 ألف درهم مغربي.", "20 ألف درهم مغربي", "MAD"),
        ("بلغت 20 ألف دينار تونسي.", "20 ألف دينار تونسي", "TND"),
        ("بلغت 20 ألف دينار جزائري.", "20 ألف دينار جزائري", "DZD"),
        ("بلغت 20 مليون دينار عراقي.", "20 مليون دينار عراقي", "IQD"),
        ("بلغت 300 ألف دينار ليبي.", "300 ألف دينار ليبي", "LYD"),
        ("بلغت 300 ألف دينار بحريني.", "300 ألف دينار بحريني", "BHD"),
        ("بلغت 300 ألف دينار صربي.", "300 ألف دينار صربي", "RSD"),
        ("بلغت مليار ليرة سورية.", "مليار ليرة سورية", "SYP"),
        ("بلغت مليار ليرة لبنانية.", "مليار ليرة لبنانية", "LBP"),
        ("بلغت 80 دولارا أميركيا.", "80 دولارا أميركيا", "USD"),
        ("بلغت 80 دولارا كنديا.", "80 دولارا كنديا", "CAD"),
    ];
    for (body, text, code) in cases {
        // The qualifier wins over the outlet prior and the article's places.
        let m = money("الأردن والسعودية وتونس", body, "sabq", false);
        assert_eq!(m, [(text.into(), Some(code.into()))], "{body}");
    }
    // An adjective of another currency is no qualifier: ريال stays bare.
    let m = money("خبر", "دفع 50 ريال أردني المنشأ.", "sabq", false);
    assert_eq!(m, [("50 ريال".into(), Some("SAR".into()))]);
}

#[test]
fn person_names_are_no_places_when_the_entity_layer_ran() {
    // محمد المصري is a person: with entities, only لندن speaks for the pound.
    let (title, body) = (
        "صفقة كبيرة",
        "قال رجل الأعمال محمد المصري إن الصفقة بلغت 40 مليون جنيه في لندن.",
    );
    assert_eq!(
        money(title, body, "test", false)[0].1.as_deref(),
        Some("EGP")
    );
    assert_eq!(
        money(title, body, "test", true)[0].1.as_deref(),
        Some("GBP")
    );
    // The given name تركي is no adjective: no code for the lira.
    let m = money("خبر", "قال تركي إن السعر بلغ 50 ليرة.", "test", false);
    assert_eq!(m[0].1, None);
}

#[test]
fn ages_durations_and_years() {
    check(
        "يبلغ من العمر 28 عاما.",
        "age",
        "28 عاما",
        json!(28),
        Some("year"),
        false,
    );
    check(
        "توفي عن عمر يناهز 90 عاما.",
        "age",
        "يناهز 90 عاما",
        json!(90),
        Some("year"),
        true,
    );
    check(
        "استمر البناء ثلاث سنوات.",
        "duration",
        "ثلاث سنوات",
        json!(3),
        Some("year"),
        false,
    );
    check(
        "بقي في المستشفى 5 أيام.",
        "duration",
        "5 أيام",
        json!(5),
        Some("day"),
        false,
    );
    check(
        "تأخرت الرحلة ساعتين.",
        "duration",
        "ساعتين",
        json!(2),
        Some("hour"),
        false,
    );
    check(
        "تأسس النادي في 1958.",
        "year",
        "1958",
        json!(1958),
        None,
        false,
    );
    check(
        "انتهى البناء عام 2017.",
        "year",
        "2017",
        json!(2017),
        None,
        false,
    );
    check(
        "تأسست عام 1390 هـ.",
        "year",
        "1390 هـ",
        json!(1390),
        Some("hijri"),
        false,
    );
}

#[test]
fn gregorian_months_in_every_naming() {
    check(
        "وصل في 21 يوليو 2015.",
        "date",
        "21 يوليو 2015",
        json!("2015-07-21"),
        None,
        false,
    );
    check(
        "وصل في 5 تموز 2014.",
        "date",
        "5 تموز 2014",
        json!("2014-07-05"),
        None,
        false,
    );
    check(
        "وصل في 3 جويلية 2016.",
        "date",
        "3 جويلية 2016",
        json!("2016-07-03"),
        None,
        false,
    );
    check(
        "وصل في 9 كانون الثاني 2013.",
        "date",
        "9 كانون الثاني 2013",
        json!("2013-01-09"),
        None,
        false,
    );
    check(
        "وصل في 14 أيار/مايو 2012.",
        "date",
        "14 أيار/مايو 2012",
        json!("2012-05-14"),
        None,
        false,
    );
    check(
        "وصل في جانفي 2017.",
        "date",
        "جانفي 2017",
        json!("2017-01"),
        None,
        false,
    );
    // Without a year: the publication year.
    check(
        "يبدأ المهرجان في 3 أغسطس.",
        "date",
        "3 أغسطس",
        json!("2015-08-03"),
        None,
        false,
    );
    check(
        "وصل في مايو الماضي.",
        "date",
        "مايو الماضي",
        json!("2015-05"),
        None,
        false,
    );
}

#[test]
fn hijri_and_numeric_dates() {
    check(
        "صدر القرار في 10/10/1436هـ.",
        "date",
        "10/10/1436هـ",
        json!("1436-10-10"),
        Some("hijri"),
        false,
    );
    check(
        "صدر القرار في 5 رمضان 1436.",
        "date",
        "5 رمضان 1436",
        json!("1436-09-05"),
        Some("hijri"),
        false,
    );
    check(
        "صدر القرار في 21/7/2015.",
        "date",
        "21/7/2015",
        json!("2015-07-21"),
        None,
        false,
    );
    check(
        "صدر القرار في 2015-07-21.",
        "date",
        "2015-07-21",
        json!("2015-07-21"),
        None,
        false,
    );
}

#[test]
fn relative_dates_resolve_against_the_publication_date() {
    // 2015-07-21 was a Tuesday.
    check(
        "وصل الوفد أمس.",
        "date",
        "أمس",
        json!("2015-07-20"),
        None,
        false,
    );
    check(
        "يصل الوفد غدا.",
        "date",
        "غدا",
        json!("2015-07-22"),
        None,
        false,
    );
    check(
        "وصل الوفد اليوم.",
        "date",
        "اليوم",
        json!("2015-07-21"),
        None,
        false,
    );
    check(
        "وصل الوفد الأحد الماضي.",
        "date",
        "الأحد الماضي",
        json!("2015-07-19"),
        None,
        false,
    );
    check(
        "يصل الوفد الخميس المقبل.",
        "date",
        "الخميس المقبل",
        json!("2015-07-23"),
        None,
        false,
    );
    check(
        "وصل الوفد يوم السبت.",
        "date",
        "يوم السبت",
        json!("2015-07-18"),
        None,
        false,
    );
    check(
        "بدأ المشروع الشهر الماضي.",
        "date",
        "الشهر الماضي",
        json!("2015-06"),
        None,
        false,
    );
    check(
        "ينتهي المشروع العام المقبل.",
        "date",
        "العام المقبل",
        json!("2016"),
        None,
        false,
    );
    // RFC 3339 publication dates too.
    assert_eq!(
        one("وصل الوفد أمس.", Some("2017-01-01T10:00:00+01:00")).2,
        json!("2016-12-31")
    );
    // Unknown publication date: relative dates are not resolved, so not reported.
    assert!(quantities("وصل الوفد أمس.", None).is_empty());
    // A name is no weekday.
    assert!(quantities("التقى عبد الأحد بالوفد.", Some("2015-07-21")).is_empty());
}
