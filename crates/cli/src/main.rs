//! `khabar`: the command-line interface.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// Tagging and analysis allocate many small strings and vectors per sentence; mimalloc
// serves them faster than glibc's allocator (measured by `khabar bench ner`, see README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod analyze_cmd;
mod bench_cmd;
mod corpus_cmd;
mod entities_cmd;
mod eval_entities;
mod input;
mod keywords_cmd;
mod memory;
mod names_cmd;
mod ner_cmd;
mod serve_cmd;
mod stories_cmd;

#[derive(Parser)]
#[command(
    name = "khabar",
    version,
    about = "Arabic news → structured, searchable knowledge",
    long_about = "khabar reads Arabic news and turns it into structured, searchable knowledge: \
sentences, tokens with clitic segmentation, named entities, quotations with their speakers, \
numbers, quantities and dates — with char offsets into the text."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze articles (a headline-first .txt file, JSON Lines (.gz/.zst), or - for stdin).
    Analyze(analyze_cmd::AnalyzeArgs),
    /// List the quotations of articles: who said what.
    Quotes(analyze_cmd::QuotesArgs),
    /// Tag named entities: CoNLL (one token per line) or raw text.
    Tag(ner_cmd::TagArgs),
    /// Train a model (`khabar train ner`).
    Train {
        #[command(subcommand)]
        what: ner_cmd::TrainWhat,
    },
    /// Evaluate the entity recognizer (`khabar eval ner --test FILE`, `khabar eval entities`).
    Eval {
        #[command(subcommand)]
        what: ner_cmd::EvalWhat,
    },
    /// Index articles into a corpus database.
    Index(corpus_cmd::IndexArgs),
    /// Search a corpus database.
    Search(corpus_cmd::SearchArgs),
    /// Statistics of a corpus database.
    Stats(corpus_cmd::StatsArgs),
    /// The entities of a corpus, linked across articles and spellings.
    Entities(entities_cmd::EntitiesArgs),
    /// One entity's profile: spellings, articles per day, who it appears with, what it
    /// said and what was said about it.
    Entity(entities_cmd::EntityArgs),
    /// What X said (about Y): quotations by speaker entity, under any spelling.
    Said(entities_cmd::SaidArgs),
    /// The corpus's stories: the same news across outlets, largest first.
    Stories(stories_cmd::StoriesArgs),
    /// One story: title, keywords, summary, entities, its outlets and articles by time.
    Story(stories_cmd::StoryArgs),
    /// Groups of near-copies of one text (wire copy, reposts).
    Duplicates(stories_cmd::DuplicatesArgs),
    /// Serve the HTTP API (`/v1`, OpenAPI at `/v1/openapi.json`) and the web page.
    Serve(serve_cmd::ServeArgs),
    /// Match and cluster person names across spellings (`khabar names match A B`,
    /// `khabar names cluster FILE|-`, `khabar names build-lexicon`).
    Names {
        #[command(subcommand)]
        what: names_cmd::NamesWhat,
    },
    /// Benchmarks (release builds): `text`, `ner`, ...
    Bench {
        #[command(subcommand)]
        what: bench_cmd::BenchWhat,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze_cmd::analyze(args),
        Command::Quotes(args) => analyze_cmd::quotes(args),
        Command::Tag(args) => ner_cmd::tag(args),
        Command::Train { what } => ner_cmd::train(what),
        Command::Eval { what } => ner_cmd::eval(what),
        Command::Index(args) => corpus_cmd::index(args),
        Command::Search(args) => corpus_cmd::search(args),
        Command::Stats(args) => corpus_cmd::stats(args),
        Command::Entities(args) => entities_cmd::entities(args),
        Command::Entity(args) => entities_cmd::entity(args),
        Command::Said(args) => entities_cmd::said(args),
        Command::Stories(args) => stories_cmd::stories(args),
        Command::Story(args) => stories_cmd::story(args),
        Command::Duplicates(args) => stories_cmd::duplicates(args),
        Command::Serve(args) => serve_cmd::serve(args),
        Command::Names { what } => names_cmd::run(what),
        Command::Bench { what } => bench_cmd::run(what),
    };
    match result {
        Ok(code) => code,
        // `khabar analyze big.jsonl | head`: the reader left; that is not an error.
        Err(err)
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("khabar: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
