//! `khabar index`, `khabar search`, `khabar stats` (being built).

use clap::Args;
use std::process::ExitCode;

/// Arguments of `khabar index`.
#[derive(Args)]
pub struct IndexArgs {}

/// Arguments of `khabar search`.
#[derive(Args)]
pub struct SearchArgs {}

/// Arguments of `khabar stats`.
#[derive(Args)]
pub struct StatsArgs {}

pub fn index(_args: IndexArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}

pub fn search(_args: SearchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}

pub fn stats(_args: StatsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
