//! `khabar entities`, `khabar entity` and `khabar said`: entities across the articles of a
//! corpus, linked at index time under all their spellings.

use crate::corpus_cmd::Format;
use clap::Args;
use khabar_corpus::{About, Corpus, QuoteRecord, SaidRequest};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `khabar entities`.
#[derive(Args)]
pub struct EntitiesArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// Only this type: PER, ORG, LOC or MISC.
    #[arg(long = "type")]
    kind: Option<String>,
    /// Number of entities (most articles first).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Output format: text, or json (NDJSON: one entity a line).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `khabar entities`: the corpus entities, most articles first.
pub fn entities(args: EntitiesArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let list = corpus.entities(args.kind.as_deref(), args.limit)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for e in &list {
        match args.format {
            Format::Json => {
                serde_json::to_writer(&mut out, e)?;
                writeln!(out)?;
            }
            Format::Text => {
                let spellings: Vec<String> = e
                    .variants
                    .iter()
                    .take(6)
                    .map(|v| format!("{} ({})", v.text, v.count))
                    .collect();
                writeln!(
                    out,
                    "{:>6}  {:<4} {}  — {} articles, {} … {}  [{}]",
                    e.id,
                    e.kind,
                    e.name,
                    e.articles,
                    e.first.as_deref().unwrap_or("?"),
                    e.last.as_deref().unwrap_or("?"),
                    spellings.join("، ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar entity`.
#[derive(Args)]
pub struct EntityArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// A name in any spelling, or an entity id.
    name: String,
    /// Quotations listed (said by it, and about it).
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `khabar entity`: one entity's profile.
pub fn entity(args: EntityArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let p = corpus.entity_profile(&args.name, args.limit)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.format == Format::Json {
        serde_json::to_writer(&mut out, &p)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let e = &p.entity;
    writeln!(out, "{} [{}] — entity {}", e.name, e.kind, e.id)?;
    writeln!(
        out,
        "{} articles, {} … {}",
        e.articles,
        e.first.as_deref().unwrap_or("?"),
        e.last.as_deref().unwrap_or("?")
    )?;
    writeln!(out, "\nspellings:")?;
    for v in &e.variants {
        writeln!(out, "  {} ({})", v.text, v.count)?;
    }
    if !p.days.is_empty() {
        writeln!(out, "\narticles per day:")?;
        let most = p.days.iter().map(|d| d.articles).max().unwrap_or(1).max(1);
        for d in &p.days {
            let bar = "█".repeat(((d.articles * 40).div_ceil(most)) as usize);
            writeln!(out, "  {} {:>5} {}", d.day, d.articles, bar)?;
        }
    }
    if !p.cooccurring.is_empty() {
        writeln!(out, "\nappears with:")?;
        for c in &p.cooccurring {
            writeln!(
                out,
                "  {} [{}] ({}) — {} articles",
                c.name, c.kind, c.id, c.articles
            )?;
        }
    }
    if !p.stories.is_empty() {
        writeln!(out, "\nstories:")?;
        for st in &p.stories {
            writeln!(
                out,
                "  story {} — {} ({} of its {} articles), {}",
                st.id,
                st.title,
                st.articles,
                st.size,
                st.first.as_deref().unwrap_or("undated")
            )?;
        }
    }
    writeln!(out, "\nsaid ({}):", p.said_total)?;
    print_quotes(&mut out, &p.said, true)?;
    writeln!(out, "\nsaid about it ({}):", p.said_about_total)?;
    print_quotes(&mut out, &p.said_about, true)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_quotes(out: &mut impl Write, quotes: &[QuoteRecord], speaker: bool) -> anyhow::Result<()> {
    for q in quotes {
        let meta: Vec<&str> = [
            q.date.as_deref(),
            q.source.as_deref(),
            Some(q.article.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let content = q.content.replace('\n', " ");
        if speaker {
            writeln!(out, "  {} {}: {}", q.speaker, q.cue, content)?;
        } else {
            writeln!(out, "  {}: {}", q.cue, content)?;
        }
        writeln!(out, "    {}", meta.join(" · "))?;
    }
    Ok(())
}

/// Arguments of `khabar said`.
#[derive(Args)]
pub struct SaidArgs {
    /// Corpus directory.
    #[arg(long)]
    db: PathBuf,
    /// The speaker: a name in any spelling, or an entity id.
    #[arg(long)]
    speaker: String,
    /// Only quotations mentioning this entity (any spelling), or containing these words
    /// when it names no entity.
    #[arg(long)]
    about: Option<String>,
    /// Only articles from this day on (2015-07-21, 21/07/2015, ...).
    #[arg(long)]
    from: Option<String>,
    /// Only articles up to this day.
    #[arg(long)]
    to: Option<String>,
    /// Most quotations listed (newest first).
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// `khabar said`: what X said (about Y).
pub fn said(args: SaidArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let r = corpus.said(&SaidRequest {
        speaker: args.speaker,
        about: args.about,
        from: args.from,
        to: args.to,
        limit: args.limit.max(1),
    })?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer(&mut out, &r)?;
            writeln!(out)?;
        }
        Format::Text => {
            let about = match &r.about {
                None => String::new(),
                Some(About::Entity { id, name }) => format!(" about {name} ({id})"),
                Some(About::Words { query }) => format!(" about «{query}»"),
            };
            writeln!(
                out,
                "{} ({}){}: {} quotations ({:.1} ms)",
                r.speaker.name, r.speaker.id, about, r.total, r.took_ms
            )?;
            print_quotes(&mut out, &r.quotes, false)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `khabar bench said`.
#[derive(Args)]
pub struct BenchSaidArgs {
    /// Corpus directory (from `khabar index`).
    #[arg(long)]
    db: PathBuf,
    /// Speakers: the persons with most articles.
    #[arg(long, default_value_t = 500)]
    speakers: usize,
}

/// `khabar bench said`: for each of the persons with most articles, `said --speaker NAME`,
/// `said --speaker NAME --about ENTITY` (the entity it appears with most) and
/// `said --speaker NAME --about WORDS`; latency percentiles over all calls.
pub fn bench_said(args: BenchSaidArgs) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::open_existing(&args.db)?;
    let persons = corpus.entities(Some("PER"), args.speakers)?;
    anyhow::ensure!(!persons.is_empty(), "no person entities in this corpus");
    let places = corpus.entities(Some("LOC"), 20)?;
    let mut times = Vec::new();
    let mut found = 0u64;
    for (i, p) in persons.iter().enumerate() {
        let about_entity = places.get(i % places.len().max(1)).map(|e| e.name.clone());
        for about in [None, about_entity, Some("الاتفاق".to_string())] {
            let start = std::time::Instant::now();
            let r = corpus.said(&SaidRequest {
                speaker: p.name.clone(),
                about,
                limit: 50,
                ..Default::default()
            })?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            found += r.total;
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let json = serde_json::json!({
        "bench": "said",
        "calls": times.len(),
        "speakers": persons.len(),
        "quotations_found": found,
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
    });
    println!(
        "{} said calls over {} persons: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        persons.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}
