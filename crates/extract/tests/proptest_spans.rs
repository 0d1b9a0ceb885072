//! Extraction never panics on arbitrary text, and every reported span lies within the text
//! and carries exactly the text it covers.

use khabar_analysis::{Document, TextSpan};
use khabar_ingest::Article;
use proptest::prelude::*;

mod support;

fn check_span(doc: &Document, s: &TextSpan) {
    assert!(s.start <= s.end && s.end <= doc.len_chars(), "{s:?}");
    assert_eq!(doc.slice(s.start, s.end), s.text);
}

fn run(title: &str, body: &str, date: Option<String>) {
    let mut doc = Document::from_article(&Article {
        id: "p".into(),
        title: title.into(),
        body: body.into(),
        date,
        ..Default::default()
    });
    // The layers as the pipeline runs them: entities, chains, quotations, speakers linked.
    doc.entities = support::entity_layer(&doc);
    doc.chains = khabar_extract::chains(&doc);
    doc.quotes = khabar_extract::extract_quotes(&doc);
    khabar_extract::link_speakers(&mut doc);
    khabar_extract::rank_speakers(&mut doc);
    for c in &doc.chains {
        assert!(!c.mentions.is_empty());
        for m in &c.mentions {
            assert!(m.start < m.end && m.end <= doc.len_chars(), "{c:?}");
        }
    }
    for w in doc.quotes.windows(2) {
        assert!(
            w[0].content.end <= w[1].content.start || w[1].content.end <= w[0].content.start,
            "overlapping quotations: {:?} / {:?}",
            w[0].content,
            w[1].content
        );
    }
    for q in doc.quotes.clone() {
        if let Some(c) = q.speaker.chain {
            assert!(c < doc.chains.len());
        }
        check_span(&doc, &q.cue);
        check_span(&doc, &q.content);
        assert!(q.content.end > q.content.start);
        if let Some(m) = &q.speaker.mention {
            check_span(&doc, m);
        }
        if let Some(e) = q.speaker.entity {
            assert!(e < doc.entities.len());
        }
    }
    for q in khabar_extract::extract_quantities(&doc) {
        assert!(q.start <= q.end && q.end <= doc.len_chars());
        assert_eq!(doc.slice(q.start, q.end), q.text);
        assert!(q.value.is_number() || q.value.is_string(), "{q:?}");
    }
}

/// Words and marks the extractors react to, so that random text exercises their rules.
const PIECES: &[&str] = &[
    "قال",
    "وقال",
    "إن",
    "أن",
    "بأن",
    ":",
    "«",
    "»",
    "\"",
    "“",
    "”",
    "„",
    "(",
    ")",
    "تعالى",
    "وقالت",
    "وأضافت",
    "وزيرة",
    "،",
    ".",
    "..",
    "\n",
    "الوزير",
    "وزير",
    "الخارجية",
    "محمد",
    "بن",
    "عبد",
    "الله",
    "مؤكدا",
    "بحسب",
    "وفق",
    "نقلا",
    "عن",
    "قوله",
    "وأضاف",
    "مصدر",
    "أمني",
    "جاء",
    "في",
    "بيان",
    "خمسة",
    "وعشرين",
    "ألفا",
    "مليون",
    "ونصف",
    "60",
    "٣٥",
    "%",
    "بالمئة",
    "دولار",
    "ريال",
    "عاما",
    "سنوات",
    "يوليو",
    "تموز",
    "كانون",
    "الثاني",
    "1436",
    "هـ",
    "/",
    "أمس",
    "اليوم",
    "الأحد",
    "الماضي",
    "المقبل",
    "نحو",
    "أكثر",
    "من",
    "عشرات",
    "الآلاف",
    "الثالث",
    "عشر",
    "2015",
    "الرجل",
    "ذاته",
    "كان",
    "قد",
    "أما",
    "ف",
    "لها",
    "(",
    ")",
    "ـ",
    "َ",
    "x",
    " ",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.join(" ")),
        prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat()),
        any::<String>(),
        "[ -~\u{0600}-\u{06FF}«»“”„\n]{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn never_panics_and_spans_are_exact(title in text_strategy(), body in text_strategy(), dated in any::<bool>()) {
        run(&title, &body, dated.then(|| "2015-07-21 02:51:32".to_string()));
    }

    /// The seed article cut anywhere, with a piece moved to the front: real sentences broken
    /// at random places.
    #[test]
    fn real_article_cut_at_random(a in 0usize..6000, b in 0usize..6000, c in 0usize..6000) {
        let seed = seed_article();
        let chars: Vec<char> = seed.chars().collect();
        let n = chars.len();
        let (a, b, c) = (a % (n + 1), b % (n + 1), c % (n + 1));
        let (x, y) = (a.min(b), a.max(b));
        let mut body: String = chars[c.min(y)..y].iter().collect();
        body.extend(&chars[x..c.max(x).min(y)]);
        body.extend(&chars[..x]);
        run("خبر", &body, None);
    }
}

fn seed_article() -> &'static str {
    static SEED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SEED.get_or_init(|| {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/examples/seed-article.txt"
        ))
        .expect("the seed article in ../shared")
    })
}

#[test]
fn entities_with_any_offsets_are_safe() {
    let mut doc = Document::from_article(&Article {
        id: "e".into(),
        title: "خبر".into(),
        body: "وقال محمد سالم إن الاتفاق قريب.".into(),
        ..Default::default()
    });
    doc.entities = vec![khabar_analysis::Entity {
        text: "x".into(),
        label: "PER".into(),
        start: 5,
        end: 1000,
    }];
    for q in khabar_extract::extract_quotes(&doc) {
        check_span(&doc, &q.content);
        assert_eq!(q.speaker.entity, Some(0));
    }
}
