//! Test articles (written for these tests) and helpers.
#![allow(dead_code)]

use khabar_analysis::{Document, Entity, Quote, QuoteKind, Speaker, TextSpan};
use khabar_corpus::{index_inputs, AnalyzeFn, Corpus, IndexOptions, IndexReport};
use khabar_ingest::{Article, Rejected};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn article(id: &str, source: &str, date: &str, title: &str, body: &str) -> Article {
    Article {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        date: Some(date.into()),
        source: Some(source.into()),
        url: Some(format!("https://example.org/{id}")),
    }
}

/// Five short articles.
pub fn articles() -> Vec<Article> {
    vec![
        article(
            "t1",
            "Alpha",
            "2024-03-01 10:00:00",
            "انسحاب لقوات حفظ السلام من الحدود",
            "أعلنت الأمم المتحدة انسحابا لقوات حفظ السلام من المنطقة الحدودية بعد عشر سنوات.",
        ),
        article(
            "t2",
            "beta",
            "05/03/2024",
            "مدرسة جديدة في المدينة",
            "افتتحت مَدْرَسَةٌ جديدة أمس في الحي الشمالي. وحضر المسؤول عن التعليم الافتتاح مع والقوات الأمنية.",
        ),
        article(
            "t3",
            "Alpha",
            "2024-03-10T08:00:00+03:00",
            "اجتماع دبلوماسي في عمان",
            "التقى وزير الخارجية نظيره الأردني في عمان لبحث العلاقات الثنائية. وقال محمد العلي: «الاجتماع كان مثمرا».",
        ),
        article(
            "t4",
            "gamma",
            "Tue, 12 Mar 2024 09:00:00 GMT",
            "الخارجية تصدر بيانا",
            "أصدرت وزارة الخارجية بيانا حول زيارة الوزير إلى الخارج. وأكد مسئول في الوزارة أن الزيارة ناجحة.",
        ),
        article(
            "t5",
            "beta",
            "2024-04-01",
            "ارتفاع أسعار النفط",
            "ارتفعت أسعار النفط في الأسواق العالمية بنسبة ثلاثة في المئة خلال الأسبوع.",
        ),
    ]
}

pub fn write_jsonl(path: &Path, articles: &[Article]) {
    let mut s = String::new();
    for a in articles {
        s.push_str(&serde_json::to_string(a).unwrap());
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

/// Adds an entity for every occurrence of the known names, longest names first, never
/// overlapping, sorted by position.
pub fn mark_names(doc: &mut Document, names: &[(&str, &str)]) {
    let chars: Vec<char> = doc.text.chars().collect();
    let mut taken = vec![false; chars.len()];
    let mut names = names.to_vec();
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
    for (name, label) in names {
        let n: Vec<char> = name.chars().collect();
        let mut i = 0;
        while i + n.len() <= chars.len() {
            if chars[i..i + n.len()] == n[..] && !taken[i..i + n.len()].iter().any(|t| *t) {
                taken[i..i + n.len()].iter_mut().for_each(|t| *t = true);
                doc.entities.push(Entity {
                    text: name.into(),
                    label: label.into(),
                    start: i,
                    end: i + n.len(),
                });
                i += n.len();
            } else {
                i += 1;
            }
        }
    }
    doc.entities.sort_by_key(|e| e.start);
}

/// The pipeline plus a tiny fixed "recognizer": the entity and quotation layers are filled
/// in for names the tests know, whatever the state of the real layers.
pub fn analyze_fn() -> AnalyzeFn {
    Arc::new(|a: &Article| {
        let mut doc: Document = khabar_pipeline::Pipeline::default().analyze(a);
        doc.entities.clear();
        doc.quotes.clear();
        mark_names(
            &mut doc,
            &[
                ("محمد العلي", "PER"),
                ("عمان", "LOC"),
                ("الأمم المتحدة", "ORG"),
            ],
        );
        doc.entities.sort_by_key(|e| e.start);
        if let Some(e) = doc.entities.iter().position(|e| e.text == "محمد العلي") {
            let ent = doc.entities[e].clone();
            let span = |s: usize, t: &str| TextSpan {
                text: t.into(),
                start: s,
                end: s + t.chars().count(),
            };
            doc.quotes.push(Quote {
                kind: QuoteKind::Direct,
                cue: span(ent.start.saturating_sub(4), "وقال"),
                content: span(ent.end + 3, "الاجتماع كان مثمرا"),
                speaker: Speaker {
                    text: ent.text.clone(),
                    mention: Some(span(ent.start, &ent.text)),
                    entity: Some(e),
                    role: None,
                    chain: None,
                },
            });
        }
        // An unnamed source: a description, no entity.
        let chars: Vec<char> = doc.text.chars().collect();
        let cue: Vec<char> = "أفاد التقرير".chars().collect();
        if let Some(start) = chars.windows(cue.len()).position(|w| w == &cue[..]) {
            let span = |s: usize, t: &str| TextSpan {
                text: t.into(),
                start: s,
                end: s + t.chars().count(),
            };
            doc.quotes.push(Quote {
                kind: QuoteKind::Indirect,
                cue: span(start, "أفاد"),
                content: span(
                    start + cue.len(),
                    &chars[start + cue.len()..].iter().collect::<String>(),
                ),
                speaker: Speaker {
                    text: "التقرير".into(),
                    mention: Some(span(start + 5, "التقرير")),
                    entity: None,
                    role: None,
                    chain: None,
                },
            });
        }
        doc
    })
}

pub fn options() -> IndexOptions {
    IndexOptions {
        batch_size: 3,
        threads: 2,
        writer_memory: 20 << 20,
        analyze: Some(analyze_fn()),
        ..Default::default()
    }
}

pub fn index(db: &Path, inputs: &[PathBuf], opts: &IndexOptions) -> (IndexReport, Vec<Rejected>) {
    let mut corpus = Corpus::open(db).unwrap();
    let mut rejected = Vec::new();
    let report =
        index_inputs(&mut corpus, inputs, opts, &mut |r| rejected.push(r.clone())).unwrap();
    (report, rejected)
}
