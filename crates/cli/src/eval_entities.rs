//! `khabar eval entities`: document-level entity scores on news articles annotated by
//! people outside the team (../shared/data/quotes/annotations.jsonl).
//!
//! Each article's gold is its set of distinct PER, LOC and ORG names; the prediction is the
//! set of distinct names khabar's running-text entity layer finds in the same article. Two
//! names match when label and key agree; the key folds spelling (diacritics, alef forms,
//! final ya and ta marbuta) and the article ال of the first word, so `أمم المتحدة` (the
//! span khabar draws inside `للأمم المتحدة`) matches `الأمم المتحدة`. As the annotators list a
//! person's short name only when the full name never appears, a predicted person whose
//! words end or start another predicted person of the article is dropped. MISC is not
//! annotated and not scored.
//!
//! The articles are split once, by a hash of their id, into a dev half (read case by case
//! with `--show`) and a blind half (scores only).

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use khabar_ingest::Article;
use khabar_ner::NerModel;
use khabar_pipeline::{Pipeline, PipelineOptions};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_GOLD: &str = "../shared/data/quotes/annotations.jsonl";
const NEWS_FILES: [&str; 2] = [
    "../shared/data/news/saudinewsnet-2015.jsonl.gz",
    "../shared/data/news/ant-v1.1.jsonl.gz",
];
const LABELS: [&str; 3] = ["PER", "LOC", "ORG"];

/// Which articles of the gold file are scored.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
pub enum Split {
    /// Every annotated article.
    All,
    /// The half used for choices (may be read case by case).
    Dev,
    /// The half only measured, never read case by case.
    Blind,
}

#[derive(Args)]
pub struct EvalEntitiesArgs {
    /// Annotated articles (JSONL with `id` and `entities: [{text, label}]`).
    #[arg(long, default_value = DEFAULT_GOLD)]
    gold: PathBuf,
    /// News files holding the articles' text (JSONL(.gz) with `id`, `title`, `body`).
    #[arg(long = "news", default_values = NEWS_FILES)]
    news: Vec<PathBuf>,
    /// Which articles are scored.
    #[arg(long, value_enum, default_value_t = Split::All)]
    split: Split,
    /// Model file (default: the model shipped inside khabar).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Linear passes only (no neural stage).
    #[arg(long)]
    linear_only: bool,
    /// Running-text adjustments to switch off, comma-separated (names as in
    /// `khabar_ner::ADJUSTMENTS`; `all` for every one): what each is worth.
    #[arg(long, value_delimiter = ',')]
    without: Vec<String>,
    /// Print each article's missed and spurious names (dev split only).
    #[arg(long)]
    show: bool,
    /// Print each article's entity mentions (JSON lines: `id`, `text`, `entities`) instead of
    /// scoring, e.g. to diff the output with and without an adjustment on any sample of
    /// articles (`--gold` lines need only an `id`; not with `--split blind`).
    #[arg(long)]
    list: bool,
}

/// 64-bit FNV-1a of `s`: a hash that stays the same across builds and platforms, for
/// splitting evaluation sets.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Precision, recall and F1 (fractions) from true positives, false positives and false
/// negatives; 0 where undefined.
pub fn precision_recall_f1(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// The part of the gold file an article id belongs to: bit 4 of the id's FNV-1a hash (the
/// lowest bits of FNV-1a are poorly mixed; bit 4 halves the 84 articles 44 / 40).
pub fn split_of(id: &str) -> Split {
    if (fnv1a(id) >> 4) & 1 == 0 {
        Split::Dev
    } else {
        Split::Blind
    }
}

/// The matching key of a name: spelling folded, the article of the first word dropped.
pub fn name_key(text: &str) -> String {
    let norm = khabar_ner::features::text::normalize(text);
    let words: Vec<&str> = norm.split_whitespace().collect();
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let w = if i == 0 {
            w.strip_prefix("ال")
                .filter(|r| r.chars().count() >= 2)
                .unwrap_or(w)
        } else {
            w
        };
        out.push_str(w);
    }
    out
}

/// Distinct (label, key) names; persons whose words are the start or end of another
/// person's words are dropped.
pub fn distinct_names<'a>(
    names: impl Iterator<Item = (&'a str, &'a str)>,
) -> BTreeSet<(String, String)> {
    let set: BTreeSet<(String, String)> = names
        .filter(|(l, _)| LABELS.contains(l))
        .map(|(l, t)| (l.to_string(), name_key(t)))
        .filter(|(_, k)| !k.is_empty())
        .collect();
    // Words compared without their article: `الزهراني` alone is the end of `عبدالله الزهراني`.
    let words = |k: &str| -> Vec<String> { k.split(' ').map(name_key).collect() };
    let persons: Vec<Vec<String>> = set
        .iter()
        .filter(|(l, _)| l == "PER")
        .map(|(_, k)| words(k))
        .collect();
    set.iter()
        .filter(|(l, k)| {
            if l != "PER" {
                return true;
            }
            let w = words(k);
            !persons
                .iter()
                .any(|p| p.len() > w.len() && (p.ends_with(&w) || p.starts_with(&w)))
        })
        .cloned()
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn prf(&self) -> (f64, f64, f64) {
        let (p, r, f) = precision_recall_f1(self.tp, self.fp, self.fn_);
        (100.0 * p, 100.0 * r, 100.0 * f)
    }
}

struct GoldArticle {
    id: String,
    names: BTreeSet<(String, String)>,
}

/// Calls `f(line_number, line)` for each line of `r` (read from `path`); a line that is not
/// UTF-8 is reported with file and line and skipped, the others go through.
fn for_each_line(
    path: &Path,
    r: impl std::io::Read,
    mut f: impl FnMut(usize, &str),
) -> anyhow::Result<()> {
    let mut r = std::io::BufReader::new(r);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf)
            .with_context(|| format!("reading {}", path.display()))?
            == 0
        {
            return Ok(());
        }
        n += 1;
        match std::str::from_utf8(&buf) {
            Ok(line) => f(n, line.trim_end_matches(['\n', '\r'])),
            Err(e) => eprintln!(
                "khabar: {}:{n}: skipped: invalid UTF-8 at column {}",
                path.display(),
                e.valid_up_to() + 1
            ),
        }
    }
}

fn read_gold(path: &Path, split: Split) -> anyhow::Result<Vec<GoldArticle>> {
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for_each_line(path, f, |n, line| {
        if line.trim().is_empty() {
            return;
        }
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("khabar: {}:{n}: skipped: {e}", path.display());
                return;
            }
        };
        let Some(id) = v.get("id").and_then(|x| x.as_str()) else {
            eprintln!("khabar: {}:{n}: skipped: no id", path.display());
            return;
        };
        if split != Split::All && split_of(id) != split {
            return;
        }
        let ents = v.get("entities").and_then(|x| x.as_array());
        let pairs: Vec<(&str, &str)> = ents
            .into_iter()
            .flatten()
            .filter_map(|e| Some((e.get("label")?.as_str()?, e.get("text")?.as_str()?)))
            .collect();
        out.push(GoldArticle {
            id: id.to_string(),
            names: distinct_names(pairs.into_iter()),
        });
    })?;
    Ok(out)
}

/// The value of a JSON line's `id` when it is the first field (`{"id": "…"`).
fn leading_id(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('{')?.trim_start();
    let rest = rest
        .strip_prefix("\"id\"")?
        .trim_start()
        .strip_prefix(':')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    // An escaped character: leave the id to the JSON parser.
    (rest.as_bytes()[end] == b'"').then(|| &rest[..end])
}

/// The articles with the wanted ids from JSONL(.gz) news files.
fn find_articles(paths: &[PathBuf], ids: &[&str]) -> anyhow::Result<HashMap<String, Article>> {
    let want: std::collections::HashSet<&str> = ids.iter().copied().collect();
    let mut found = HashMap::new();
    for path in paths {
        let file =
            std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        let r: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        for_each_line(path, r, |_, line| {
            // Cheap pre-check before parsing: the id, when it is the first field.
            if leading_id(line).is_some_and(|id| !want.contains(id)) {
                return;
            }
            if let Ok(a) = serde_json::from_str::<Article>(line) {
                if want.contains(a.id.as_str()) {
                    found.insert(a.id.clone(), a);
                }
            }
        })?;
    }
    Ok(found)
}

pub fn eval_entities(a: EvalEntitiesArgs) -> anyhow::Result<ExitCode> {
    if a.list && a.split == Split::Blind {
        bail!("--list reads articles case by case: not with --split blind");
    }
    if a.show && a.split != Split::Dev {
        bail!("--show reads articles case by case: only with --split dev (the blind half stays unread)");
    }
    let gold = read_gold(&a.gold, a.split)?;
    let ids: Vec<&str> = gold.iter().map(|g| g.id.as_str()).collect();
    let articles = find_articles(&a.news, &ids)?;
    let mut model = match &a.model {
        Some(p) => NerModel::load(p)?,
        None => NerModel::try_shipped()?,
    };
    let without: Vec<&str> = if a.without.iter().any(|w| w == "all") {
        khabar_ner::ADJUSTMENTS.to_vec()
    } else {
        a.without.iter().map(String::as_str).collect()
    };
    model
        .switch_off_adjustments(&without)
        .map_err(anyhow::Error::msg)?;
    let model: &'static NerModel = Box::leak(Box::new(model));
    let pipeline = Pipeline::with_ner_model(
        PipelineOptions {
            entities: true,
            quotes: false,
            quantities: false,
            neural_entities: !a.linear_only,
            keywords: false,
        },
        model,
    );
    let mut per: HashMap<&str, Counts> = HashMap::new();
    let mut missing = 0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for g in &gold {
        let Some(article) = articles.get(&g.id) else {
            eprintln!(
                "khabar: article {} not found in the news files; skipped",
                g.id
            );
            missing += 1;
            continue;
        };
        let doc = pipeline.analyze(article);
        if a.list {
            let ents: Vec<serde_json::Value> = doc
                .entities
                .iter()
                .map(|e| serde_json::json!({"label": e.label, "start": e.start, "end": e.end, "text": e.text}))
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::json!({"id": g.id, "text": doc.text, "entities": ents})
            )?;
            continue;
        }
        let pred = distinct_names(
            doc.entities
                .iter()
                .map(|e| (e.label.as_str(), e.text.as_str())),
        );
        for l in LABELS {
            let c = per.entry(l).or_default();
            let gl: BTreeSet<_> = g.names.iter().filter(|(x, _)| x == l).collect();
            let pl: BTreeSet<_> = pred.iter().filter(|(x, _)| x == l).collect();
            let tp = gl.intersection(&pl).count();
            c.tp += tp;
            c.fp += pl.len() - tp;
            c.fn_ += gl.len() - tp;
        }
        if a.show {
            let missed: Vec<String> = g
                .names
                .difference(&pred)
                .map(|(l, k)| format!("{l} {k}"))
                .collect();
            let spurious: Vec<String> = pred
                .difference(&g.names)
                .map(|(l, k)| format!("{l} {k}"))
                .collect();
            writeln!(out, "■ {}", g.id)?;
            writeln!(out, "  missed:   {}", missed.join(" · "))?;
            writeln!(out, "  spurious: {}", spurious.join(" · "))?;
        }
    }
    if a.list {
        return Ok(ExitCode::SUCCESS);
    }
    let mut all = Counts::default();
    writeln!(
        out,
        "document-level entities, {:?} split: {} articles",
        a.split,
        gold.len() - missing
    )?;
    writeln!(
        out,
        "{:<6} {:>6} {:>6} {:>6} {:>6}",
        "type", "P", "R", "F1", "gold"
    )?;
    for l in LABELS {
        let c = per.get(l).copied().unwrap_or_default();
        all.tp += c.tp;
        all.fp += c.fp;
        all.fn_ += c.fn_;
        let (p, r, f) = c.prf();
        writeln!(out, "{l:<6} {p:>6.2} {r:>6.2} {f:>6.2} {:>6}", c.tp + c.fn_)?;
    }
    let (p, r, f) = all.prf();
    writeln!(
        out,
        "{:<6} {p:>6.2} {r:>6.2} {f:>6.2} {:>6}",
        "micro",
        all.tp + all.fn_
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_spelling_and_the_first_article() {
        assert_eq!(name_key("الأمم المتحدة"), name_key("أمم المتحدة"));
        assert_eq!(name_key("إيران"), name_key("ايران"));
        assert_ne!(name_key("الولايات المتحدة"), name_key("الولايات"));
        // A two-letter rest is no article: `الم` stays.
        assert_eq!(name_key("الم"), "الم");
    }

    #[test]
    fn short_forms_of_a_listed_person_are_dropped() {
        let s = distinct_names(
            [
                ("PER", "ديفيد كاميرون"),
                ("PER", "كاميرون"),
                ("PER", "ديفيد"),
                ("PER", "عبدالله الزهراني"),
                ("PER", "الزهراني"),
                ("LOC", "لندن"),
                ("LOC", "لندن"),
                ("MISC", "الإسلام"),
            ]
            .into_iter(),
        );
        let v: Vec<_> = s.iter().map(|(l, k)| format!("{l} {k}")).collect();
        assert_eq!(
            v,
            vec!["LOC لندن", "PER ديفيد كاميرون", "PER عبدالله الزهراني"]
        );
    }

    #[test]
    fn leading_ids_are_read_without_parsing() {
        assert_eq!(
            leading_id(r#"{"id": "snn/1", "title": "x"}"#),
            Some("snn/1")
        );
        assert_eq!(leading_id(r#"{"id":"a"}"#), Some("a"));
        assert_eq!(leading_id(r#"{"title": "x", "id": "a"}"#), None);
        assert_eq!(leading_id(r#"{"id": "a\"b"}"#), None);
        assert_eq!(leading_id("not json"), None);
    }

    #[test]
    fn the_split_is_stable_and_uses_both_halves() {
        let ids: Vec<String> = (0..100).map(|i| format!("snn/2015-07-21/{i:05}")).collect();
        let dev = ids.iter().filter(|i| split_of(i) == Split::Dev).count();
        assert!((30..=70).contains(&dev), "{dev}");
        assert_eq!(split_of("ant/x"), split_of("ant/x"));
    }
}
