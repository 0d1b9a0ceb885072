//! Gold-set evaluation of quotation extraction, shared by the test and the `eval_quotes` example.
//!
//! The gold file holds article ids and annotations only; the article text is read from the
//! shared news files at run time.

#![allow(dead_code)]

use khabar_analysis::{Document, Quote};
use khabar_ingest::Article;
use std::collections::HashMap;
use std::io::BufRead;

pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");
pub const GOLD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/eval/quotes-gold.jsonl");

/// The quotations annotated independently of this team (`../shared/data/quotes`).
pub const SHARED_GOLD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/quotes/annotations.jsonl"
);

#[derive(Debug, Clone, serde::Deserialize)]
pub struct GoldQuote {
    pub start: usize,
    pub end: usize,
    pub start_snippet: String,
    pub end_snippet: String,
    pub speaker: String,
    pub kind: String,
    /// The speaker's role or title as the article gives it (round 2).
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct GoldArticle {
    /// "dev" (tuned on) or "blind" (measured at the end of a piece of work, never read case
    /// by case).
    pub split: String,
    /// 1: the first 69 articles (stricter guidelines); 2: the second round (eval/round2).
    #[serde(default = "first_round")]
    pub round: u8,
    pub file: String,
    pub id: String,
    pub quotes: Vec<GoldQuote>,
}

fn first_round() -> u8 {
    1
}

pub fn read_gold() -> Vec<GoldArticle> {
    std::fs::read_to_string(GOLD)
        .expect("gold file")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("gold line"))
        .collect()
}

/// The independent annotations in the gold format (split "shared"); their offsets index the
/// same text (title + "\n" + body).
pub fn read_shared_gold() -> Vec<GoldArticle> {
    #[derive(serde::Deserialize)]
    struct Piece {
        text: String,
        start: usize,
        end: usize,
    }
    #[derive(serde::Deserialize)]
    struct Q {
        content: Piece,
        speaker: String,
        kind: String,
    }
    #[derive(serde::Deserialize)]
    struct A {
        id: String,
        quotes: Vec<Q>,
    }
    let Ok(text) = std::fs::read_to_string(SHARED_GOLD) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let a: A = serde_json::from_str(l).expect("shared annotation line");
            let file = if a.id.starts_with("ant/") {
                "ant-v1.1.jsonl.gz"
            } else {
                "saudinewsnet-2015.jsonl.gz"
            };
            let snip = |s: &str, head: bool| {
                let c: Vec<char> = s.chars().collect();
                let n = c.len().min(40);
                if head {
                    c[..n].iter().collect()
                } else {
                    c[c.len() - n..].iter().collect()
                }
            };
            GoldArticle {
                split: "shared".into(),
                round: 0,
                file: file.into(),
                id: a.id,
                quotes: a
                    .quotes
                    .into_iter()
                    .map(|q| GoldQuote {
                        start: q.content.start,
                        end: q.content.end,
                        start_snippet: snip(&q.content.text, true),
                        end_snippet: snip(&q.content.text, false),
                        speaker: q.speaker,
                        kind: q.kind,
                        role: None,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Reads the articles with the given ids from one shared news file.
pub fn read_articles(file: &str, ids: &[&str]) -> HashMap<String, Article> {
    let path = format!("{SHARED}/data/news/{file}");
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let r = std::io::BufReader::new(flate2::read::GzDecoder::new(f));
    let mut out = HashMap::new();
    for line in r.lines() {
        let line = line.expect("line");
        // Cheap id check before parsing the whole record.
        let Some(p) = line.find("\"id\": \"") else {
            continue;
        };
        let rest = &line[p + 7..];
        let id = &rest[..rest.find('"').unwrap_or(0)];
        if !ids.contains(&id) {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        out.insert(
            id.to_string(),
            Article {
                id: id.to_string(),
                title: s("title").unwrap_or_default(),
                body: s("body").unwrap_or_default(),
                date: s("date"),
                source: s("source"),
                url: s("url"),
            },
        );
        if out.len() == ids.len() {
            break;
        }
    }
    out
}

/// The entity layer as `khabar analyze` builds it (the shipped model; the pipeline crate,
/// which does the same, depends on this one).
pub fn entity_layer(doc: &Document) -> Vec<khabar_analysis::Entity> {
    khabar_ner::NerModel::shipped()
        .entities(&doc.text, &doc.tokens)
        .into_iter()
        .map(|e| khabar_analysis::Entity {
            text: e.text,
            label: e.label.to_string(),
            start: e.start,
            end: e.end,
        })
        .collect()
}

/// The layers the quotation layer sees in `khabar analyze`: text, entities (the shipped
/// model), chains, then quotations.
pub fn analyze(art: &Article) -> Document {
    analyze_layers(art, std::env::var_os("KHABAR_EVAL_NO_RANK").is_none())
}

/// The layers, with or without the speaker ranker (the rules alone, for its trainer).
pub fn analyze_layers(art: &Article, rank: bool) -> Document {
    let mut doc = Document::from_article(art);
    doc.entities = entity_layer(&doc);
    doc.chains = khabar_extract::chains(&doc);
    doc.quotes = khabar_extract::extract_quotes(&doc);
    if std::env::var_os("KHABAR_EVAL_NO_LINK").is_none() {
        khabar_extract::link_speakers(&mut doc);
        if rank {
            khabar_extract::rank_speakers(&mut doc);
        }
    }
    doc
}

/// Char span of a gold quote in `text`: the snippets' occurrence closest to the stored offsets.
fn locate(text: &str, g: &GoldQuote) -> Option<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let find_all = |pat: &str| -> Vec<usize> {
        let p: Vec<char> = pat.chars().collect();
        (0..=chars.len().saturating_sub(p.len()))
            .filter(|&i| chars[i..].starts_with(&p))
            .collect()
    };
    let s = find_all(&g.start_snippet)
        .into_iter()
        .min_by_key(|&i| i.abs_diff(g.start))?;
    let e_len = g.end_snippet.chars().count();
    let e = find_all(&g.end_snippet)
        .into_iter()
        .filter(|&i| i + e_len > s)
        .min_by_key(|&i| (i + e_len).abs_diff(g.end))?;
    Some((s, e + e_len))
}

/// A speaker name normalized, quote marks and brackets turned to spaces.
fn clean_name(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if "«»\"“”„()".contains(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    khabar_extract::norm_text(&s)
}

/// Speaker names compare after normalization, without quote marks; equal, or the prediction
/// contains the gold name's last word (the surname), or ends with a word of the gold name
/// after its first ("الجبير" for "عادل الجبير وزير الخارجية"). A gold first name alone does not
/// count: "… قادرة على" is not "علي فتي".
pub fn same_speaker(pred: &str, gold: &str) -> bool {
    let (p, g) = (clean_name(pred), clean_name(gold));
    if p.is_empty() || g.is_empty() {
        return false;
    }
    if p == g {
        return true;
    }
    let last = |s: &str| s.rsplit(' ').next().unwrap_or("").to_string();
    let surname = last(&g);
    let p_last = last(&p);
    p.split(' ').any(|w| w == surname) || g.split(' ').skip(1).any(|w| w == p_last)
}

/// The strict comparison: equal after normalization, honorifics and a leading "ال" of
/// descriptors dropped ("الشيخ خالد المنصور" = "خالد المنصور").
pub fn exact_speaker(pred: &str, gold: &str) -> bool {
    let clean = |s: &str| {
        let n = clean_name(s);
        let words: Vec<&str> = n
            .split(' ')
            .skip_while(|w| HONORIFICS.contains(w))
            .collect();
        words.join(" ")
    };
    let (p, g) = (clean(pred), clean(gold));
    !p.is_empty() && p == g
}

const HONORIFICS: &[&str] = &[
    "الدكتور",
    "د",
    "الشيخ",
    "المهندس",
    "الاستاذ",
    "اللواء",
    "العميد",
    "العقيد",
    "الفريق",
    "معالي",
    "سمو",
    "الامير",
    "الملك",
    "السيد",
    "السيدة",
    "الدكتورة",
    "الاستاذة",
];

#[derive(Debug, Default, Clone, Copy)]
pub struct Scores {
    pub gold: usize,
    pub pred: usize,
    pub matched: usize,
    pub speaker_ok: usize,
    /// Matched quotations whose speaker is the gold name itself (after normalization, without
    /// leading honorifics).
    pub speaker_exact: usize,
}

impl Scores {
    pub fn precision(&self) -> f64 {
        self.matched as f64 / self.pred.max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.matched as f64 / self.gold.max(1) as f64
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn speaker_accuracy(&self) -> f64 {
        self.speaker_ok as f64 / self.matched.max(1) as f64
    }
    pub fn speaker_exact_accuracy(&self) -> f64 {
        self.speaker_exact as f64 / self.matched.max(1) as f64
    }
}

/// Overlap of two spans relative to the longer one.
fn overlap(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    inter as f64 / (a.1 - a.0).max(b.1 - b.0).max(1) as f64
}

/// Runs the evaluation on one split of the gold file ("dev", "blind"), on "shared" (the
/// independent annotations) or on the whole gold file (`None`); `log` receives one line per
/// error.
pub fn evaluate(split: Option<&str>, log: impl FnMut(String)) -> Scores {
    let gold: Vec<GoldArticle> = if split == Some("shared") {
        read_shared_gold()
    } else {
        // "dev1" / "dev2" / "dev3": the dev articles of one annotation round.
        let (name, round) = match split {
            Some("dev1") => (Some("dev"), Some(1)),
            Some("dev2") => (Some("dev"), Some(2)),
            Some("dev3") => (Some("dev"), Some(3)),
            s => (s, None),
        };
        read_gold()
            .into_iter()
            .filter(|g| name.is_none_or(|s| g.split == s) && round.is_none_or(|r| g.round == r))
            .collect()
    };
    evaluate_articles(&gold, log)
}

/// For each gold quotation of `g`, its char span in `doc` and the predicted quotation it is
/// matched to (content overlapping by at least half of the longer span, best first, each
/// prediction used once).
pub fn align(doc: &Document, g: &GoldArticle) -> Vec<((usize, usize), Option<usize>)> {
    let mut used = vec![false; doc.quotes.len()];
    g.quotes
        .iter()
        .map(|gq| {
            let span = locate(&doc.text, gq)
                .unwrap_or_else(|| panic!("{}: snippet not found: {}", g.id, gq.start_snippet));
            let best = best_match(
                span,
                doc.quotes.iter().map(|q| (q.content.start, q.content.end)),
                &used,
            );
            if let Some(i) = best {
                used[i] = true;
            }
            (span, best)
        })
        .collect()
}

/// Reads annotations in the gold format from any file (a second annotation of gold articles).
pub fn read_gold_file(path: &str) -> Vec<GoldArticle> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("gold line"))
        .collect()
}

/// The gold annotations (`eval/quotes-gold.jsonl`) of the articles another annotation covers.
pub fn gold_of_same_articles(other: &[GoldArticle]) -> Vec<GoldArticle> {
    let ids: std::collections::HashSet<&str> = other.iter().map(|g| g.id.as_str()).collect();
    read_gold()
        .into_iter()
        .filter(|g| ids.contains(g.id.as_str()))
        .collect()
}

/// The shared news articles the given annotations are about, by id.
fn read_gold_articles<'g>(gold: impl Iterator<Item = &'g GoldArticle>) -> HashMap<String, Article> {
    let mut by_file: HashMap<&str, Vec<&str>> = HashMap::new();
    for g in gold {
        by_file
            .entry(g.file.as_str())
            .or_default()
            .push(g.id.as_str());
    }
    let mut articles = HashMap::new();
    for (file, ids) in &by_file {
        articles.extend(read_articles(file, ids));
    }
    articles
}

/// The unused candidate span that overlaps `span` most, by at least half of the longer one.
fn best_match(
    span: (usize, usize),
    candidates: impl Iterator<Item = (usize, usize)>,
    used: &[bool],
) -> Option<usize> {
    candidates
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(i, s)| (i, overlap(span, s)))
        .filter(|&(_, o)| o >= 0.5)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// One line of scores, as the evaluation examples print them.
pub fn report(name: &str, sc: &Scores) {
    println!(
        "{name:>6}: gold {} pred {} matched {} | P {:.3} R {:.3} F1 {:.3} | speaker accuracy {:.3} ({}/{}), exact name {:.3}",
        sc.gold,
        sc.pred,
        sc.matched,
        sc.precision(),
        sc.recall(),
        sc.f1(),
        sc.speaker_accuracy(),
        sc.speaker_ok,
        sc.matched,
        sc.speaker_exact_accuracy()
    );
}

/// Scores one annotation of some articles against another with the metric the extractor is
/// scored by (content overlapping by at least half of the longer span, best first, each quotation
/// used once; `same_speaker`): how far two annotators agree. Articles `other` lacks are skipped.
pub fn compare_annotations(reference: &[GoldArticle], other: &[GoldArticle]) -> Scores {
    let others: HashMap<&str, &GoldArticle> = other.iter().map(|g| (g.id.as_str(), g)).collect();
    let reference: Vec<&GoldArticle> = reference
        .iter()
        .filter(|g| others.contains_key(g.id.as_str()))
        .collect();
    let articles = read_gold_articles(reference.iter().copied());
    let mut sc = Scores::default();
    for g in reference {
        let o = others[g.id.as_str()];
        let doc = Document::from_article(&articles[&g.id]);
        let spans = |a: &GoldArticle| -> Vec<(usize, usize)> {
            a.quotes
                .iter()
                .map(|q| {
                    locate(&doc.text, q).unwrap_or_else(|| panic!("{}: snippet not found", a.id))
                })
                .collect()
        };
        let (gold_spans, other_spans) = (spans(g), spans(o));
        sc.gold += gold_spans.len();
        sc.pred += other_spans.len();
        let mut used = vec![false; other_spans.len()];
        for (gq, span) in g.quotes.iter().zip(gold_spans) {
            if let Some(i) = best_match(span, other_spans.iter().copied(), &used) {
                used[i] = true;
                sc.matched += 1;
                sc.speaker_ok += usize::from(same_speaker(&o.quotes[i].speaker, &gq.speaker));
                sc.speaker_exact += usize::from(exact_speaker(&o.quotes[i].speaker, &gq.speaker));
            }
        }
    }
    sc
}

/// Scores the extractor on the given annotated articles.
pub fn evaluate_articles(gold: &[GoldArticle], mut log: impl FnMut(String)) -> Scores {
    let articles = read_gold_articles(gold.iter());
    let mut sc = Scores::default();
    for g in gold {
        let art = articles
            .get(&g.id)
            .unwrap_or_else(|| panic!("article {} not found", g.id));
        let doc = analyze(art);
        let pred: Vec<Quote> = doc.quotes.clone();
        sc.gold += g.quotes.len();
        sc.pred += pred.len();
        let aligned = align(&doc, g);
        let mut used = vec![false; pred.len()];
        for (gq, (span, best)) in g.quotes.iter().zip(aligned) {
            match best {
                Some(i) => {
                    used[i] = true;
                    sc.matched += 1;
                    if exact_speaker(&pred[i].speaker.text, &gq.speaker) {
                        sc.speaker_exact += 1;
                    }
                    if same_speaker(&pred[i].speaker.text, &gq.speaker) {
                        sc.speaker_ok += 1;
                    } else {
                        log(format!(
                            "SPEAKER {} gold=[{}] pred=[{}] :: {}",
                            g.id, gq.speaker, pred[i].speaker.text, gq.start_snippet
                        ));
                    }
                }
                None => {
                    // How much of it a prediction did cover (a quotation cut short, or run on).
                    let best = pred
                        .iter()
                        .map(|q| (overlap(span, (q.content.start, q.content.end)), q))
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .filter(|b| b.0 > 0.0);
                    let how = best.map_or(String::new(), |(o, q)| {
                        format!(
                            " (best overlap {o:.2}: starts {:+}, ends {:+} chars; cue [{}] content [{}])",
                            q.content.start as i64 - span.0 as i64,
                            q.content.end as i64 - span.1 as i64,
                            q.cue.text,
                            q.content.text.chars().take(70).collect::<String>()
                        )
                    });
                    log(format!(
                        "MISS {} [{}]{how} :: {} … {}",
                        g.id, gq.speaker, gq.start_snippet, gq.end_snippet
                    ))
                }
            }
        }
        for (i, q) in pred.iter().enumerate() {
            if !used[i] {
                let t: String = q.content.text.chars().take(60).collect();
                log(format!(
                    "FALSE {} cue=[{}] spk=[{}] :: {}",
                    g.id, q.cue.text, q.speaker.text, t
                ));
            }
        }
    }
    sc
}
