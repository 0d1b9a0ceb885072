//! `khabar names match|cluster|build-lexicon` and `khabar eval names`.

use crate::eval_entities::{fnv1a, precision_recall_f1, Split};
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use khabar_names::{block_key, fold, lexicon, same, score, THRESHOLD};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const ARABNAMER: &str = "../shared/data/ner/gazetteers/arabnamer_en2ar_names.tsv";
const GAZ_PERS: &str = "../shared/data/ner/gazetteers/ANERGazet_Pers.txt";
const NEWS_FILES: [&str; 2] = [
    "../shared/data/news/saudinewsnet-2015.jsonl.gz",
    "../shared/data/news/ant-v1.1.jsonl.gz",
];
const LEXICON_OUT: &str = "crates/names/data/native.txt";
const NEWS_PAIRS: &str = "crates/names/data/eval_pairs.tsv";
/// At most this many representatives of one block are compared with a new name (the most
/// recent ones); older ones are still found when the folded name is identical.
const MAX_BLOCK_COMPARE: usize = 2000;

#[derive(Subcommand)]
pub enum NamesWhat {
    /// Score two names: prints `SCORE<TAB>same|different`.
    Match {
        /// First name.
        a: String,
        /// Second name.
        b: String,
    },
    /// Cluster names (one a line, FILE or - for stdin): writes `name<TAB>cluster`, the
    /// cluster being the 1-based line number of its first member.
    Cluster {
        /// Input file, or - for stdin.
        input: String,
    },
    /// Rebuild the native-name lexicon from the shared gazetteers and news.
    BuildLexicon(BuildLexiconArgs),
}

#[derive(Args)]
pub struct BuildLexiconArgs {
    #[arg(long, default_value = ARABNAMER)]
    arabnamer: PathBuf,
    #[arg(long, default_value = GAZ_PERS)]
    gazetteer: PathBuf,
    #[arg(long = "news", default_values = NEWS_FILES)]
    news: Vec<String>,
    #[arg(long, default_value = LEXICON_OUT)]
    out: PathBuf,
}

pub fn run(what: NamesWhat) -> anyhow::Result<ExitCode> {
    match what {
        NamesWhat::Match { a, b } => {
            let s = score(&a, &b);
            let verdict = if s >= THRESHOLD { "same" } else { "different" };
            println!("{s:.3}\t{verdict}");
            Ok(ExitCode::SUCCESS)
        }
        NamesWhat::Cluster { input } => cluster(&input),
        NamesWhat::BuildLexicon(args) => build_lexicon(args),
    }
}

fn cluster(input: &str) -> anyhow::Result<ExitCode> {
    let mut reader: Box<dyn BufRead> = if input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(input).with_context(|| format!("cannot open {input}"))?,
        ))
    };
    let label = if input == "-" { "<stdin>" } else { input };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    // block key → representatives (first member's name, its cluster id)
    let mut blocks: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    // folded name → cluster id: identical names always join, however big the block
    let mut exact: HashMap<String, u64> = HashMap::new();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut skipped = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        // A line that is not UTF-8 (binary data, another encoding) or holds a tab (which
        // would break the `name<TAB>cluster` output) is reported and skipped, not guessed.
        let Ok(line) = std::str::from_utf8(&buf) else {
            eprintln!("khabar: {label}:{line_no}: not valid UTF-8, skipped");
            skipped += 1;
            continue;
        };
        let name = line.trim_end_matches(['\n', '\r']);
        if name.contains('\t') {
            eprintln!("khabar: {label}:{line_no}: a tab inside the name, skipped");
            skipped += 1;
            continue;
        }
        let folded = fold(name);
        if folded.is_empty() {
            eprintln!("khabar: {label}:{line_no}: empty name, skipped");
            skipped += 1;
            continue;
        }
        let id = if let Some(&id) = exact.get(&folded) {
            id
        } else {
            let reps = blocks.entry(block_key(name)).or_default();
            let start = reps.len().saturating_sub(MAX_BLOCK_COMPARE);
            let mut best: Option<(f64, u64)> = None;
            for (rep, id) in &reps[start..] {
                let s = score(rep, name);
                if s >= THRESHOLD && best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, *id));
                }
            }
            let id = match best {
                Some((_, id)) => id,
                None => {
                    reps.push((name.to_string(), line_no));
                    line_no
                }
            };
            exact.insert(folded, id);
            id
        };
        writeln!(out, "{name}\t{id}")?;
    }
    out.flush()?;
    if skipped > 0 {
        eprintln!("khabar: {skipped} line(s) skipped");
    }
    Ok(ExitCode::SUCCESS)
}

fn build_lexicon(args: BuildLexiconArgs) -> anyhow::Result<ExitCode> {
    let names = std::fs::read_to_string(&args.arabnamer)
        .with_context(|| format!("cannot read {}", args.arabnamer.display()))?;
    let gaz = std::fs::read_to_string(&args.gazetteer)
        .with_context(|| format!("cannot read {}", args.gazetteer.display()))?;
    let mut counts = lexicon::NewsCounts::default();
    let summary = crate::input::for_each_article(
        &args.news,
        |_, _| {},
        |a| {
            counts.add_text(&a.title);
            counts.add_text(&a.body);
            Ok(())
        },
    )?;
    let lex = lexicon::build(&names, &gaz, &counts);
    let mut text = String::from(
        "# khabar-names native-name lexicon (folded tokens). Rebuild: khabar names build-lexicon\n\
         # Data: arabnamer (CC BY 4.0, Yousef 2026), ANERGazet persons (research use), news counts.\n\
         # See crates/names/data/MODEL_CARD.md\n",
    );
    for w in &lex {
        text.push_str(w);
        text.push('\n');
    }
    std::fs::write(&args.out, text)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "khabar: {} native tokens from {} articles written to {}",
        lex.len(),
        summary.articles,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- evaluation

#[derive(Args)]
pub struct EvalNamesArgs {
    #[arg(long, value_enum, default_value_t = Split::Dev)]
    split: Split,
    #[arg(long, default_value = ARABNAMER)]
    arabnamer: PathBuf,
    #[arg(long, default_value = GAZ_PERS)]
    gazetteer: PathBuf,
    /// Hand-judged pairs (`a<TAB>b<TAB>1|0<TAB>group`).
    #[arg(long, default_value = NEWS_PAIRS)]
    pairs: PathBuf,
    /// Print the errors of the matcher (dev only).
    #[arg(long)]
    show: bool,
}

struct Pair {
    a: String,
    b: String,
    same: bool,
    source: &'static str,
    group: String,
}

/// Pairs of arabnamer that are two native names sharing a romanization: shown, not scored.
const NATIVE_COLLISIONS: &str = "arabnamer-native-names";

/// Dev or blind, by a hash of the pair's group (fixed before any tuning).
fn is_dev(group: &str) -> bool {
    fnv1a(group) & 1 == 0
}

/// Romanization key of an English name: lowercase letters only, article and nasab prefixes
/// made canonical, doubled letters collapsed.
fn english_key(en: &str) -> String {
    let mut s: String = en
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic() || *c == '\'')
        .collect();
    for (p, q) in [
        ("binn", "bin"),
        ("benn", "bin"),
        ("ben", "bin"),
        ("ibn", "bin"),
        ("el", "al"),
        ("ul", "al"),
        ("il", "al"),
    ] {
        if let Some(rest) = s.strip_prefix(p) {
            if en.to_lowercase().starts_with(&format!("{p} ")) || en.contains('-') {
                s = format!("{q}{rest}");
                break;
            }
        }
    }
    let mut out = String::new();
    for c in s.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Edit distance between two romanizations (lowercase letters only).
fn en_distance(a: &str, b: &str) -> usize {
    let letters = |s: &str| -> Vec<char> { s.chars().filter(|c| c.is_alphabetic()).collect() };
    khabar_names::edit_distance(&letters(a), &letters(b))
}

fn build_pairs(args: &EvalNamesArgs) -> anyhow::Result<Vec<Pair>> {
    let names = std::fs::read_to_string(&args.arabnamer)
        .with_context(|| format!("cannot read {}", args.arabnamer.display()))?;
    let gaz = std::fs::read_to_string(&args.gazetteer)
        .with_context(|| format!("cannot read {}", args.gazetteer.display()))?;
    let gaz: HashSet<String> = gaz.lines().map(fold).filter(|w| !w.is_empty()).collect();
    let mut pairs = Vec::new();
    // 1. arabnamer: Arabic spellings of one romanization key are the same name.
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut singles: Vec<(String, String)> = Vec::new(); // (english, arabic) one-token entries
    for line in names.lines() {
        let Some((en, ar)) = line.split_once('\t') else {
            continue;
        };
        let ar = ar.trim();
        let v = by_key.entry(english_key(en)).or_default();
        if !v.iter().any(|x| x == ar) {
            v.push(ar.to_string());
        }
        if !ar.contains(' ') && !en.contains(' ') {
            singles.push((en.to_lowercase(), ar.to_string()));
        }
    }
    // Two native names with different letters that share a romanization (`عبد القادر` /
    // `عبد القدير`, `عبد الناصر` / `عبد النصير`) are different names by the matcher's
    // definition (native names match exactly after folding): such pairs are listed apart
    // and not scored.
    let all_native = |name: &str| {
        let f = fold(name);
        !f.is_empty() && f.split(' ').all(khabar_names::is_native)
    };
    for (key, ars) in &by_key {
        for i in 0..ars.len() {
            for j in i + 1..ars.len() {
                let (a, b) = (&ars[i], &ars[j]);
                let native_collision = fold(a) != fold(b) && all_native(a) && all_native(b);
                pairs.push(Pair {
                    a: a.clone(),
                    b: b.clone(),
                    same: true,
                    source: if native_collision {
                        NATIVE_COLLISIONS
                    } else {
                        "arabnamer-variants"
                    },
                    group: key.clone(),
                });
            }
        }
    }
    // 2b. hard foreign negatives: one-token foreign names of arabnamer that share a
    //     consonant skeleton (the matcher's blocking key) but whose romanizations are far
    //     apart (edit distance ≥ 3: `هرتزل` Herzl / `ريزال` Rizal, `بانديني` / `بيونديني`).
    {
        let mut by_block: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
        for (en, ar) in &singles {
            let f = fold(ar);
            if f.is_empty() || f.contains(' ') || khabar_names::is_native(&f) {
                continue;
            }
            by_block
                .entry(khabar_names::block_key(ar))
                .or_default()
                .push((en.as_str(), ar.as_str()));
        }
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for (key, names) in &by_block {
            // One pair per block (the first two far-apart names): blocks of short skeletons
            // would otherwise swamp the other sources.
            let mut taken = false;
            for i in 0..names.len().min(40) {
                for j in i + 1..names.len().min(40) {
                    if taken {
                        break;
                    }
                    let ((ea, a), (eb, b)) = (names[i], names[j]);
                    if fold(a) == fold(b) || en_distance(ea, eb) < 3 {
                        continue;
                    }
                    let (x, y) = if a < b { (a, b) } else { (b, a) };
                    if !seen.insert((x.to_string(), y.to_string())) {
                        continue;
                    }
                    pairs.push(Pair {
                        a: x.to_string(),
                        b: y.to_string(),
                        same: false,
                        source: "arabnamer-foreign-skeleton",
                        group: format!("{key}|{x}"),
                    });
                    taken = true;
                }
            }
        }
    }
    // 2. one-letter-apart tokens, both ANERGazet persons, of different English names in
    //    arabnamer, are different names (close native pairs).
    let en_of: HashMap<String, HashSet<String>> =
        singles.iter().fold(HashMap::new(), |mut m, (en, ar)| {
            m.entry(fold(ar)).or_default().insert(english_key(en));
            m
        });
    let mut by_deletion: HashMap<String, Vec<&str>> = HashMap::new();
    for f in en_of.keys().filter(|f| gaz.contains(*f)) {
        let chars: Vec<char> = f.chars().collect();
        if chars.len() < 3 {
            continue;
        }
        by_deletion.entry(f.clone()).or_default().push(f);
        for k in 0..chars.len() {
            let d: String = chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != k)
                .map(|(_, c)| c)
                .collect();
            by_deletion.entry(d).or_default().push(f);
        }
    }
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for group in by_deletion.values() {
        for i in 0..group.len() {
            for j in i + 1..group.len() {
                let (a, b) = if group[i] < group[j] {
                    (group[i], group[j])
                } else {
                    (group[j], group[i])
                };
                if a == b || !seen.insert((a.to_string(), b.to_string())) {
                    continue;
                }
                let (ea, eb) = (&en_of[a], &en_of[b]);
                if ea.intersection(eb).next().is_some() {
                    continue;
                }
                let ka = ea.iter().min().cloned().unwrap_or_default();
                let kb = eb.iter().min().cloned().unwrap_or_default();
                pairs.push(Pair {
                    a: a.to_string(),
                    b: b.to_string(),
                    same: false,
                    source: "gazetteer-one-letter",
                    group: if ka <= kb {
                        format!("{ka}|{kb}")
                    } else {
                        format!("{kb}|{ka}")
                    },
                });
            }
        }
    }
    // 3. random different names (deterministic).
    singles.sort();
    singles.dedup_by(|x, y| x.1 == y.1);
    let n = singles.len();
    if n > 2 {
        for k in (0..n).step_by(5) {
            let j = (fnv1a(&singles[k].0) as usize) % n;
            if english_key(&singles[k].0) == english_key(&singles[j].0) || k == j {
                continue;
            }
            pairs.push(Pair {
                a: singles[k].1.clone(),
                b: singles[j].1.clone(),
                same: false,
                source: "arabnamer-random",
                group: singles[k].0.clone(),
            });
        }
    }
    // 4. hand-judged pairs (news variants, hard native negatives, full/short forms).
    let judged = std::fs::read_to_string(&args.pairs)
        .with_context(|| format!("cannot read {}", args.pairs.display()))?;
    for (no, line) in judged.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 || !matches!(f[2], "0" | "1") {
            bail!(
                "{}:{}: expected a<TAB>b<TAB>1|0<TAB>group",
                args.pairs.display(),
                no + 1
            );
        }
        pairs.push(Pair {
            a: f[0].to_string(),
            b: f[1].to_string(),
            same: f[2] == "1",
            source: "judged",
            group: f[3].to_string(),
        });
    }
    Ok(pairs)
}

/// Pairwise decision counts (also used by `khabar eval stories`).
#[derive(Default, Clone, Copy)]
pub(crate) struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, gold: bool, pred: bool) {
        match (gold, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    pub(crate) fn prf(&self) -> (f64, f64, f64) {
        precision_recall_f1(self.tp, self.fp, self.fn_)
    }
}

pub fn eval(args: EvalNamesArgs) -> anyhow::Result<ExitCode> {
    let pairs = build_pairs(&args)?;
    let mut by_source: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let (mut ours, mut base) = (Counts::default(), Counts::default());
    let mut per_source: BTreeMap<&str, (Counts, Counts)> = BTreeMap::new();
    for p in &pairs {
        let dev = is_dev(&p.group);
        let keep = match args.split {
            Split::All => true,
            Split::Dev => dev,
            Split::Blind => !dev,
        };
        if !keep {
            continue;
        }
        let e = by_source.entry(p.source).or_default();
        if p.same {
            e.0 += 1
        } else {
            e.1 += 1
        }
        let pred = same(&p.a, &p.b);
        let bpred = fold(&p.a) == fold(&p.b);
        if p.source != NATIVE_COLLISIONS {
            ours.add(p.same, pred);
            base.add(p.same, bpred);
        }
        let s = per_source.entry(p.source).or_default();
        s.0.add(p.same, pred);
        s.1.add(p.same, bpred);
        if args.show
            && args.split != Split::Blind
            && pred != p.same
            && p.source != NATIVE_COLLISIONS
        {
            println!(
                "{}\t{}\t{}\tgold={}\tscore={:.3}",
                p.source,
                p.a,
                p.b,
                u8::from(p.same),
                score(&p.a, &p.b)
            );
        }
    }
    println!("khabar eval names --split {:?}", args.split);
    for (src, (pos, neg)) in &by_source {
        let (o, b) = per_source[src];
        println!(
            "  {src:<22} {pos:>6} same {neg:>6} different   errors: ours {} fp {} fn, baseline {} fp {} fn",
            o.fp, o.fn_, b.fp, b.fn_
        );
    }
    println!("  ({NATIVE_COLLISIONS}: two native names sharing a romanization, not scored)");
    println!(
        "  {:<28} {:>9} {:>9} {:>9}",
        "", "precision", "recall", "F1"
    );
    for (name, c) in [("khabar-names", ours), ("exact after fold()", base)] {
        let (p, r, f) = c.prf();
        println!("  {name:<28} {p:>9.4} {r:>9.4} {f:>9.4}");
    }
    Ok(ExitCode::SUCCESS)
}
