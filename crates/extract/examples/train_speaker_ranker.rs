//! Trains the speaker ranker on the dev split of the quotation gold set and reports 5-fold
//! cross-validation by article (the rules' choice against the ranker's):
//! `cargo run --release -p khabar-extract --example train_speaker_ranker [-- --write]`.
//! `--with-shared` adds the independently annotated articles of ../shared/data/quotes to the
//! data (the shipped model is trained so); `--write` stores the model trained on all of it in
//! `model/speaker_ranker.json`. `--cases` / `--unlinked` list dev cases; `--drop NAME` zeroes
//! a feature (ablation). The blind split is never read here.
#[path = "../tests/support/mod.rs"]
mod support;

use khabar_extract::{
    choose_speaker, speaker_candidates, speaker_score, SpeakerCandidate, SPEAKER_FEATURES,
};

const N: usize = SPEAKER_FEATURES.len();
const FOLDS: usize = 5;
const EPOCHS: usize = 400;
const STEP: f32 = 0.5;
const L2: f32 = 1e-2;

/// One matched quotation: its candidates (as the ranker sees them) and which of them name the
/// gold speaker.
struct Group {
    article: usize,
    cands: Vec<SpeakerCandidate>,
    correct: Vec<bool>,
    gold: String,
    shared: bool,
}

fn main() {
    let write = std::env::args().any(|a| a == "--write");
    let gold: Vec<support::GoldArticle> = support::read_gold()
        .into_iter()
        .filter(|g| g.split == "dev")
        .collect();
    let mut groups = load(&gold);
    // `--drop NAME`: an ablation, the feature zeroed everywhere.
    let args: Vec<String> = std::env::args().collect();
    let dropped: Vec<usize> = args
        .windows(2)
        .filter(|w| w[0] == "--drop")
        .filter_map(|w| SPEAKER_FEATURES.iter().position(|f| *f == w[1]))
        .collect();
    if std::env::args().any(|a| a == "--with-shared") {
        // The independent annotations join the training data (article numbers after dev's).
        let shared = support::read_shared_gold();
        for mut g in load(&shared) {
            g.article += gold.len();
            g.shared = true;
            groups.push(g);
        }
    }
    for g in &mut groups {
        for c in &mut g.cands {
            for &d in &dropped {
                c.features[d] = 0.0;
            }
        }
    }
    report_main(&gold, groups, write);
}

/// The matched quotations of the gold articles, with their candidates (the rules' layers).
fn load(gold: &[support::GoldArticle]) -> Vec<Group> {
    let mut by_file: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for g in gold {
        by_file.entry(&g.file).or_default().push(&g.id);
    }
    let mut articles = std::collections::HashMap::new();
    for (file, ids) in &by_file {
        articles.extend(support::read_articles(file, ids));
    }
    let mut groups = Vec::new();
    for (ai, g) in gold.iter().enumerate() {
        let doc = support::analyze_layers(&articles[&g.id], false);
        let cands = speaker_candidates(&doc);
        for (gq, (_, pred)) in g.quotes.iter().zip(support::align(&doc, g)) {
            let Some(p) = pred else { continue };
            let cs = cands[p].clone();
            groups.push(Group {
                article: ai,
                correct: cs
                    .iter()
                    .map(|c| support::same_speaker(&c.text, &gq.speaker))
                    .collect(),
                cands: cs,
                gold: gq.speaker.clone(),
                shared: false,
            });
        }
    }
    groups
}

fn report_main(gold: &[support::GoldArticle], groups: Vec<Group>, write: bool) {
    let reachable = groups
        .iter()
        .filter(|g| g.correct.iter().any(|&c| c))
        .count();
    println!(
        "{} dev articles, {} matched quotations, {} with the gold speaker among the candidates (mean {:.1} candidates)",
        gold.len(),
        groups.len(),
        reachable,
        groups.iter().map(|g| g.cands.len()).sum::<usize>() as f64 / groups.len().max(1) as f64
    );
    if std::env::args().any(|a| a == "--cases") {
        for g in groups
            .iter()
            .filter(|g| !g.shared && !g.correct[0] && g.correct.iter().any(|&c| c))
        {
            println!("gold [{}]", g.gold);
            for (c, ok) in g.cands.iter().zip(&g.correct) {
                let sign = if *ok { "+" } else { "-" };
                println!("   {sign} [{}] {}", c.text, active(c));
            }
        }
    }
    if std::env::args().any(|a| a == "--unlinked") {
        let unlinked = SPEAKER_FEATURES
            .iter()
            .position(|f| *f == "rule_unlinked")
            .unwrap_or(0);
        for g in groups
            .iter()
            .filter(|g| !g.shared && g.cands[0].features[unlinked] != 0.0)
        {
            let alt = g.correct.iter().skip(1).any(|&c| c);
            println!(
                "{} {} [{}] gold [{}] {}",
                if g.correct[0] { "OK " } else { "BAD" },
                if alt { "alt" } else { "   " },
                g.cands[0].text,
                g.gold,
                active(&g.cands[0])
            );
        }
    }
    let (mut rules, mut ranked) = (0, 0);
    let mut part = [(0usize, 0usize, 0usize); 2];
    for fold in 0..FOLDS {
        let train: Vec<&Group> = groups
            .iter()
            .filter(|g| g.article % FOLDS != fold)
            .collect();
        let test: Vec<&Group> = groups
            .iter()
            .filter(|g| g.article % FOLDS == fold)
            .collect();
        let w = fit(&train);
        let r = test.iter().filter(|g| g.correct[0]).count();
        let k = test.iter().filter(|g| g.correct[choose(&w, g)]).count();
        println!(
            "fold {fold}: {} quotations, rules {r} ({:.3}), ranker {k} ({:.3})",
            test.len(),
            r as f64 / test.len().max(1) as f64,
            k as f64 / test.len().max(1) as f64
        );
        rules += r;
        ranked += k;
        for g in &test {
            let i = g.shared as usize;
            part[i].0 += 1;
            part[i].1 += g.correct[0] as usize;
            part[i].2 += g.correct[choose(&w, g)] as usize;
        }
    }
    let n = groups.len().max(1) as f64;
    println!(
        "cross-validated speaker accuracy: rules {:.3}, ranker {:.3}",
        rules as f64 / n,
        ranked as f64 / n
    );
    for (name, (n, r, k)) in ["dev", "shared"].iter().zip(part) {
        if n > 0 {
            println!(
                "  {name}: {n} quotations, rules {:.3}, ranker {:.3}",
                r as f64 / n as f64,
                k as f64 / n as f64
            );
        }
    }
    let all: Vec<&Group> = groups.iter().collect();
    let w = fit(&all);
    for (f, v) in SPEAKER_FEATURES.iter().zip(&w) {
        println!("{f:>22} {v:+.3}");
    }
    // The independent annotations: the rules against the ranker trained on every dev article
    // (figures only; its cases are not read).
    if std::env::args().any(|a| a == "--shared") {
        let shared = load(&support::read_shared_gold());
        let r = shared.iter().filter(|g| g.correct[0]).count();
        let k = shared.iter().filter(|g| g.correct[choose(&w, g)]).count();
        let n = shared.len().max(1) as f64;
        println!(
            "shared: {} quotations, rules {:.3}, ranker {:.3}",
            shared.len(),
            r as f64 / n,
            k as f64 / n
        );
    }
    if write {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/model/speaker_ranker.json");
        let json = serde_json::json!({
            "model": "khabar speaker ranker: log-linear over speaker candidates",
            "trained_on": format!(
                "quotes-gold.jsonl dev split ({} articles){}: {} matched quotations",
                gold.len(),
                if groups.iter().any(|g| g.shared) { " and ../shared/data/quotes (84 articles)" } else { "" },
                groups.len()
            ),
            "cross_validation": {"folds": FOLDS, "rules": rules as f64 / n, "ranker": ranked as f64 / n},
            "features": &SPEAKER_FEATURES[..],
            "weights": w.iter().map(|v| (v * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&json).unwrap() + "\n").unwrap();
        println!("wrote {path}");
    }
}

/// The names of a candidate's features that are on.
fn active(c: &SpeakerCandidate) -> String {
    SPEAKER_FEATURES
        .iter()
        .zip(&c.features)
        .filter(|(_, &v)| v != 0.0)
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(",")
}

/// The candidate the ranker picks (as `khabar_extract::rank_speakers` does).
fn choose(w: &[f32; N], g: &Group) -> usize {
    choose_speaker(w, &g.cands).unwrap_or(0)
}

/// Softmax over each quotation's choosable candidates, the likelihood of choosing any correct
/// one maximized by full-batch gradient descent with an L2 penalty; starts from the rules.
fn fit(groups: &[&Group]) -> [f32; N] {
    let mut w = [0.0f32; N];
    w[0] = 1.0;
    let usable: Vec<&&Group> = groups
        .iter()
        .filter(|g| g.correct.iter().any(|&c| c) && g.cands.len() > 1)
        .collect();
    for _ in 0..EPOCHS {
        let mut grad = [0.0f32; N];
        for g in &usable {
            let s: Vec<f32> = g
                .cands
                .iter()
                .map(|c| {
                    if c.choosable {
                        speaker_score(&w, c)
                    } else {
                        f32::NEG_INFINITY
                    }
                })
                .collect();
            let m = s.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f32> = s.iter().map(|v| (v - m).exp()).collect();
            let z: f32 = e.iter().sum();
            let zp: f32 = e
                .iter()
                .zip(&g.correct)
                .filter(|(_, &c)| c)
                .map(|(v, _)| v)
                .sum();
            if zp == 0.0 {
                continue;
            }
            for (k, c) in g.cands.iter().enumerate() {
                let p = e[k] / z;
                let q = if g.correct[k] { e[k] / zp } else { 0.0 };
                for (gr, xi) in grad.iter_mut().zip(&c.features) {
                    *gr += (p - q) * xi;
                }
            }
        }
        let n = usable.len().max(1) as f32;
        for (wi, gi) in w.iter_mut().zip(grad) {
            *wi -= STEP * (gi / n + L2 * *wi);
        }
    }
    w
}
