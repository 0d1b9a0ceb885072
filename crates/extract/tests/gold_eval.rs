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
