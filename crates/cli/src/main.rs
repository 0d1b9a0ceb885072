//! `khabar`: the command-line interface.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod ner_cmd;

#[derive(Parser)]
#[command(name = "khabar", version, about = "Arabic news → structured, searchable knowledge")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model (`khabar train ner`).
    Train {
        #[command(subcommand)]
        what: ner_cmd::TrainWhat,
    },
    /// Evaluate a model (`khabar eval ner --test FILE`).
    Eval {
        #[command(subcommand)]
        what: ner_cmd::EvalWhat,
    },
    /// Tag named entities: CoNLL (one token per line) or raw text.
    Tag(ner_cmd::TagArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train { what } => ner_cmd::train(what),
        Command::Eval { what } => ner_cmd::eval(what),
        Command::Tag(args) => ner_cmd::tag(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("khabar: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
