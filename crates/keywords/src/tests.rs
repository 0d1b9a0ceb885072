use super::*;
use khabar_analysis::{Document, Entity, Quote, QuoteKind, Speaker};
use khabar_ingest::Article;

fn doc(title: &str, body: &str) -> Document {
    Document::from_article(&Article {
        id: "t".into(),
        title: title.into(),
        body: body.into(),
        ..Default::default()
    })
}

const BODY: &str = "أعلنت وزارة الزراعة اليوم عن خطة لمكافحة الجراد الصحراوي في المناطق الجنوبية. \
وقال المتحدث باسم الوزارة إن أسراب الجراد الصحراوي وصلت إلى ثلاث محافظات. \
وتستخدم الفرق طائرات رش حديثة لمكافحة الجراد قبل أن يصل إلى المزارع. \
ويخشى المزارعون على محاصيل القمح هذا الموسم. \
وكان الطقس معتدلا في العاصمة.";

#[test]
fn keywords_are_the_rare_recurring_words_and_phrases() {
    let d = doc("خطة لمكافحة الجراد الصحراوي", BODY);
    let k = keywords(&d, TermTable::shipped(), 5);
    assert!(!k.is_empty() && k.len() <= 5);
    assert_eq!(k[0].score, 1.0);
    assert!(k.windows(2).all(|w| w[0].score >= w[1].score), "{k:?}");
    // the recurring phrase, not its words alone
    assert!(k.iter().any(|x| x.text == "الجراد الصحراوي"), "{k:?}");
    assert!(!k.iter().any(|x| x.text == "الصحراوي"), "{k:?}");
    // function words never
    for w in ["في", "إلى", "هذا", "أن"] {
        assert!(!k.iter().any(|x| x.text == w), "{w}: {k:?}");
    }
}

#[test]
fn keyword_text_drops_proclitics_but_keeps_the_article() {
    let d = doc(
        "",
        "وللزلازل آثار. والزلازل تتكرر في المنطقة. بالزلازل تتغير الأرض.",
    );
    let k = keywords(&d, TermTable::shipped(), 3);
    let top = &k[0].text;
    assert!(top == "الزلازل" || top == "زلازل", "{k:?}");
}

#[test]
fn entities_become_key_phrases() {
    let mut d = doc(
        "",
        "زار خالد المنصور المعرض. والتقى الزوار في القاعة الكبرى.",
    );
    let start = d
        .text
        .find("خالد")
        .map(|b| d.text[..b].chars().count())
        .unwrap();
    d.entities.push(Entity {
        text: "خالد المنصور".into(),
        label: "PER".into(),
        start,
        end: start + "خالد المنصور".chars().count(),
    });
    let k = keywords(&d, TermTable::shipped(), 5);
    assert!(k.iter().any(|x| x.text == "خالد المنصور"), "{k:?}");
}

#[test]
fn summary_is_body_sentences_lead_first_and_never_the_headline() {
    let d = doc("خطة لمكافحة الجراد الصحراوي", BODY);
    let s = summary(&d, TermTable::shipped(), 2);
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(s.windows(2).all(|w| w[0] < w[1]));
    assert!(!s.contains(&0), "the headline is sentence 0");
    assert!(s.contains(&1), "the lead sentence: {s:?}");
    // the off-topic weather sentence is not central
    let weather = d.sentences.len() - 1;
    assert!(!s.contains(&weather));
}

#[test]
fn a_quotation_over_two_sentences_is_taken_whole_or_not_at_all() {
    // reported speech running over two sentences
    let body = "أعلنت الوزارة خطة لمكافحة الجراد في الجنوب. قال الوزير إن الجراد خطر على المزارع في الجنوب. وسنكافح الجراد بكل الوسائل المتاحة لنا. وانتهى المؤتمر بعد ساعة في القاعة الكبرى.";
    let mut d = doc("", body);
    let chars = |s: &str| d.text.find(s).map(|b| d.text[..b].chars().count()).unwrap();
    let (cs, ce) = (chars("إن الجراد"), chars(" لنا.") + 4);
    let cue = chars("قال");
    d.quotes.push(Quote {
        kind: QuoteKind::Indirect,
        cue: d.text_span(cue, cue + 3),
        content: d.text_span(cs, ce),
        speaker: Speaker {
            text: "الوزير".into(),
            mention: None,
            entity: None,
            role: None,
            chain: None,
        },
    });
    let first = d.sentence_at(cs).unwrap();
    let last = d.sentence_at(ce - 1).unwrap();
    assert!(last > first, "the quotation spans two sentences");
    for k in 1..=3 {
        let s = summary(&d, TermTable::shipped(), k);
        assert!(s.len() <= k);
        assert_eq!(s.contains(&first), s.contains(&last), "k={k}: {s:?}");
    }
}

#[test]
fn empty_and_tiny_articles() {
    let t = TermTable::shipped();
    let d = doc("", "");
    assert!(keywords(&d, t, 10).is_empty() && summary(&d, t, 3).is_empty());
    let d = doc("عنوان", "كلمة");
    assert!(
        summary(&d, t, 3).is_empty(),
        "a one-word body has no sentence worth it"
    );
    assert!(keywords(&d, t, 0).is_empty());
}

proptest::proptest! {
    #[test]
    fn any_text_gives_valid_keywords_and_summaries(title in "\\PC{0,40}", body in "\\PC{0,300}") {
        let d = doc(&title, &body);
        let t = TermTable::shipped();
        let k = keywords(&d, t, 10);
        proptest::prop_assert!(k.len() <= 10);
        for x in &k {
            proptest::prop_assert!(x.score > 0.0 && x.score <= 1.0 && !x.text.is_empty());
        }
        let s = summary(&d, t, 3);
        proptest::prop_assert!(s.len() <= 3);
        proptest::prop_assert!(s.iter().all(|&i| i < d.sentences.len()));
        proptest::prop_assert!(s.windows(2).all(|w| w[0] < w[1]));
    }
}
