//! Quotation detection and speaker accuracy on the annotated gold set
//! (`eval/quotes-gold.jsonl`: ids and annotations only; the articles are read from the shared
//! news files at run time). The thresholds are the scores measured when they were set, minus a
//! small margin.

mod support;

#[test]
fn gold_set_scores() {
    let mut errors = Vec::new();
    let dev = support::evaluate(Some("dev"), |l| errors.push(l));
    // The blind split and the independent annotations are scored, their errors never listed.
    let blind = support::evaluate(Some("blind"), |_| {});
    let shared = support::evaluate(Some("shared"), |_| {});
    let report = |name: &str, s: &support::Scores| {
        format!(
            "{name}: gold {} pred {} matched {} P {:.3} R {:.3} F1 {:.3} speaker {:.3} exact {:.3}",
            s.gold,
            s.pred,
            s.matched,
            s.precision(),
            s.recall(),
            s.f1(),
            s.speaker_accuracy(),
            s.speaker_exact_accuracy()
        )
    };
    eprintln!(
        "{}\n{}\n{}",
        report("dev", &dev),
        report("blind", &blind),
        report("shared", &shared)
    );
    for e in &errors {
        eprintln!("{e}");
    }
    assert!(dev.gold >= 400 && blind.gold >= 240 && shared.gold >= 500);
    // Floors a little under the figures measured when they were set (eval/README.md), with
    // the speaker comparison that no longer takes a gold first name for the surname:
    // dev (rounds 1–3) 0.811 / 0.833, blind 0.786 / 0.780, shared 0.784 / 0.713 (ranker on).
    assert!(dev.f1() >= 0.78, "{}", report("dev", &dev));
    assert!(dev.speaker_accuracy() >= 0.81, "{}", report("dev", &dev));
    assert!(blind.f1() >= 0.74, "{}", report("blind", &blind));
    assert!(
        blind.speaker_accuracy() >= 0.76,
        "{}",
        report("blind", &blind)
    );
    assert!(shared.f1() >= 0.75, "{}", report("shared", &shared));
    assert!(
        shared.speaker_accuracy() >= 0.69,
        "{}",
        report("shared", &shared)
    );
}

#[test]
fn strict_speaker_comparison() {
    assert!(support::exact_speaker("الشيخ خالد المنصور", "خالد المنصور"));
    assert!(support::exact_speaker("«الهلال»", "الهلال"));
    assert!(!support::exact_speaker("المنصور", "خالد المنصور"));
    assert!(!support::exact_speaker("رئيس النادي", "خالد المنصور"));
}

#[test]
fn speaker_comparison() {
    assert!(support::same_speaker("عبد الأحد رستم نزاروف", "نزاروف"));
    assert!(support::same_speaker(
        "أحمد بن عبدالعزيز قطان",
        "أحمد بن عبدالعزيز قطان"
    ));
    assert!(support::same_speaker(
        "«الوطني الحر»",
        "حزب الاتحاد الوطني الحر"
    ));
    assert!(!support::same_speaker("وزير المالية", "لمياء الزريبي"));
    assert!(!support::same_speaker("", "نزاروف"));
    // A surname alone, and a gold name with a role after it.
    assert!(support::same_speaker("الزريبي", "لمياء الزريبي"));
    assert!(support::same_speaker(
        "عادل الجبير",
        "عادل الجبير وزير الخارجية"
    ));
    // A fragment ending in a word that normalizes to the gold first name is not the speaker.
    assert!(!support::same_speaker("ستكون قادرة على", "علي فتي"));
    assert!(!support::same_speaker("خالد", "خالد المنصور"));
}

/// The second annotation of 49 round-3 articles scores against the first with the extractor's
/// metric: an annotation against itself is perfect, the two annotators agree closely, and a
/// quotation dropped or a speaker changed is counted.
#[test]
fn annotator_agreement() {
    let second = support::read_gold_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/eval/agreement-round3.jsonl"
    ));
    let first = support::gold_of_same_articles(&second);
    assert_eq!(first.len(), 49);
    let same = support::compare_annotations(&first, &first);
    assert_eq!((same.matched, same.speaker_ok), (same.gold, same.gold));
    let sc = support::compare_annotations(&first, &second);
    assert!(sc.f1() > 0.9 && sc.speaker_accuracy() > 0.9, "{sc:?}");
    // One quotation fewer and one speaker changed in the other annotation.
    let mut changed = first.clone();
    let g = changed.iter_mut().find(|g| g.quotes.len() >= 2).unwrap();
    g.quotes.pop();
    g.quotes[0].speaker = "مصدر مجهول".into();
    let sc = support::compare_annotations(&first, &changed);
    assert_eq!(sc.matched, same.matched - 1);
    assert_eq!(sc.speaker_ok, same.speaker_ok - 2);
}
